// The web UI's journey in a real headless Chromium (Debian's /usr/bin/chromium,
// never a downloaded browser), against a `hindsight serve --demo` that
// scripts/browser-test starts. Each step depends on the one before, so they
// run in order in one test file.
//
// Environment: HINDSIGHT_URL (the server), SCREENSHOTS (folder for the
// screenshots and page-weight.json), CHROMIUM (default /usr/bin/chromium).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { chromium } from "playwright-core";

const BASE = process.env.HINDSIGHT_URL ?? "http://127.0.0.1:8080";
const SHOTS = process.env.SCREENSHOTS ?? "target/screenshots";
const PASSWORD = "hindsight-demo";
const RUN = Date.now().toString(36);
const TITLE = `Checkout 502s after the cart-service deploy ${RUN}`;
const SECRET_TITLE = `Leaked signing key restricted ${RUN}`;
const DESKTOP = { width: 1366, height: 900 };
const PHONE = { width: 390, height: 844 };

let browser;
let context;
let page;
/** Problems the browser reported: CSP violations, script errors. */
const problems = [];
let key;
let secretKey;
/** The quarter before the current one: the insights screenshots show it. */
let lastQuarter;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
  context = await browser.newContext({ viewport: DESKTOP });
  page = await context.newPage();
  page.on("console", (msg) => {
    // Pages the journey opens on purpose answer 403 or 404; anything else
    // (a CSP violation, a script error) is a problem.
    if (msg.type() === "error" && !msg.text().startsWith("Failed to load resource")) {
      problems.push(`console: ${msg.text()}`);
    }
  });
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
});

after(async () => {
  await browser?.close();
});

async function login(name) {
  await context.clearCookies();
  await page.goto(`${BASE}/login`);
  await page.fill("#name", name);
  await page.fill("#password", PASSWORD);
  await Promise.all([page.waitForURL(`${BASE}/`), page.click("button[type=submit]")]);
}

async function openPostmortem(handle) {
  await page.goto(`${BASE}/postmortems/${handle}`);
}

/** Clicks a submit button and waits for the page it leads to. */
async function submit(selector) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

test("a wrong password is refused on the login page", async () => {
  await page.goto(`${BASE}/postmortems`);
  assert.match(page.url(), /\/login\?next=%2Fpostmortems$/);
  await page.fill("#name", "lena.fischer");
  await page.fill("#password", "not-the-password");
  await submit("button[type=submit]");
  assert.match(await page.textContent("#login-error"), /Wrong name or password/);
});

test("an editor logs in and creates a postmortem from a template", async () => {
  await login("lena.fischer");
  assert.match(await page.textContent("h1"), /Good to see you/);
  await page.click("text=New postmortem");
  await page.fill("#new-title", TITLE);
  await page.check("input[name=kind][value=incident]");
  await page.selectOption("#new-severity", "SEV2");
  await submit("#new-form button[type=submit]");
  assert.match(page.url(), /\/postmortems\/PM-\d+\/edit$/);
  key = page.url().match(/(PM-\d+)/)[1];
  assert.equal(await page.inputValue("#f-owner"), "lena.fischer");
});

test("a lint finding appears while typing and goes away when fixed", async () => {
  await page.fill("#f-summary", "Checkout failed for 12% of users because Bob forgot to restart the cart cache.");
  await page.waitForSelector('#lint-findings [data-rule="blame/omission"]', { timeout: 10000 });
  await page.fill(
    "#f-summary",
    "Checkout returned 502 for 12% of requests for 41 minutes after the cart-service 7.3 deploy, until it was rolled back.",
  );
  await page.waitForSelector('#lint-findings [data-rule="blame/omission"]', { state: "detached", timeout: 10000 });
});

test("a Markdown field previews as it will read", async () => {
  await page.fill("#f-detection", "The **CheckoutErrorRate** alert paged the on-call engineer.");
  await page.click('[data-preview-for="detection"]');
  await page.waitForSelector("#pv-detection strong");
  assert.equal(await page.textContent("#pv-detection strong"), "CheckoutErrorRate");
});

test("timeline events, impact, root cause and an action item are saved", async () => {
  await page.fill("#f-users", "1200");
  await page.fill("#f-impact", "1,200 shoppers could not pay; 37 support tickets.");
  await page.fill("#f-ms-started", "2026-03-04 14:05");
  await page.fill("#f-ms-detected", "2026-03-04 14:09");
  await page.fill("#f-ms-resolved", "2026-03-04 14:46");
  await page.fill("#tl-0-at", "2026-03-04 14:05");
  await page.selectOption("#tl-0-kind", "deploy");
  await page.selectOption("#tl-0-ms", "started");
  await page.fill("#tl-0-text", "cart-service 7.3 deploy reaches 100% of traffic");
  await page.fill("#tl-1-at", "2026-03-04 14:09");
  await page.selectOption("#tl-1-kind", "alert");
  await page.selectOption("#tl-1-ms", "detected");
  await page.fill("#tl-1-text", "CheckoutErrorRate alert fires");
  await page.fill("#f-root_cause", "The 7.3 release changed the cart cache key format without a migration, so every cached cart failed to load.");
  await page.fill("#action-0-title", "Add a cache-key compatibility test to the cart-service CI");
  await page.fill("#action-0-owner", "lena.fischer");
  await page.fill("#action-0-due", "2030-01-15");
  await page.fill("#action-0-outcome", "CI fails on an incompatible cache key change");
  await submit("#save");
  assert.match(page.url(), new RegExp(`/postmortems/${key}\\?done=saved$`));
  assert.equal((await page.locator("ol.timeline li.event").count()), 2);
  // app.js has shown every time in the reader's zone; UTC stays on hover.
  assert.equal(await page.locator("time[data-local]").count(), 0);
  assert.match(await page.getAttribute("ol.timeline time", "title"), /^2026-03-04 14:05 UTC$/);
  assert.match(await page.textContent("#timeline"), /CheckoutErrorRate alert fires/);
  assert.match(await page.textContent("#actions"), /Add a cache-key compatibility test/);
});

test("an unreadable time is shown next to its field and nothing typed is lost", async () => {
  await page.goto(`${BASE}/postmortems/${key}/edit`);
  await page.fill("#tl-2-at", "yesterday at noon");
  await page.fill("#tl-2-text", "Rollback started");
  await submit("#save");
  assert.match(await page.textContent("#form-errors"), /1 field needs attention/);
  assert.match(await page.textContent('[data-row="tl-2"] .field-error'), /not a time/);
  assert.equal(await page.inputValue("#tl-2-text"), "Rollback started");
  await page.fill("#tl-2-at", "2026-03-04 14:40");
  await page.selectOption("#tl-2-kind", "rollback");
  await submit("#save");
  assert.equal((await page.locator("ol.timeline li.event").count()), 3);
});

test("a save from an old version shows what changed and keeps the typed text", async () => {
  await page.goto(`${BASE}/postmortems/${key}/edit`);
  // Someone else saves in another tab meanwhile.
  const other = await context.newPage();
  await other.goto(`${BASE}/postmortems/${key}/edit`);
  await other.fill("#f-detection", "The CheckoutErrorRate alert paged within 4 minutes.");
  await Promise.all([other.waitForNavigation(), other.click("#save")]);
  await other.close();
  await page.fill("#f-response", "The rollback took 31 minutes because the deploy tool queue was full.");
  await submit("#save");
  assert.match(await page.textContent("#conflict"), /Someone else saved/);
  assert.match(await page.textContent("#conflict"), /analysis\.detection/);
  assert.equal(
    await page.inputValue("#f-response"),
    "The rollback took 31 minutes because the deploy tool queue was full.",
  );
  await submit("#save");
  assert.match(page.url(), /done=saved/);
  assert.match(await page.textContent("#response"), /deploy tool queue/);
});

test("text typed when the session has ended is offered back after logging in", async () => {
  await page.goto(`${BASE}/postmortems/${key}/edit`);
  const typed = `The rollback took 31 minutes because the deploy tool queue was full; kept ${RUN}.`;
  await page.fill("#f-response", typed);
  // The draft is kept after a short pause in typing, and the lint has answered.
  await page.waitForTimeout(1000);
  await context.clearCookies();
  await submit("#save");
  assert.match(page.url(), /\/login\?next=%2Fpostmortems%2FPM-\d+%2Fedit$/);
  await page.fill("#name", "lena.fischer");
  await page.fill("#password", PASSWORD);
  await Promise.all([
    page.waitForURL(`${BASE}/postmortems/${key}/edit`),
    page.click("button[type=submit]"),
  ]);
  await page.waitForSelector("#draft-notice");
  assert.notEqual(await page.inputValue("#f-response"), typed);
  await page.click("#draft-restore");
  assert.equal(await page.inputValue("#f-response"), typed);
  await submit("#save");
  assert.match(page.url(), /done=saved/);
  assert.match(await page.textContent("#response"), new RegExp(`kept ${RUN}`));
  // Saved: the editor no longer offers it.
  await page.goto(`${BASE}/postmortems/${key}/edit`);
  assert.equal(await page.locator("#draft-notice").count(), 0);
});

test("the owner requests a review", async () => {
  await openPostmortem(key);
  await page.fill("#reviewers", "grace.obi");
  await submit("#request-review-form button[type=submit]");
  assert.equal((await page.textContent("#status")).trim(), "in-review");
  assert.match(await page.textContent("#review"), /grace\.obi\s+pending/);
});

test("another editor approves", async () => {
  await login("grace.obi");
  assert.match(await page.textContent("#reviews"), new RegExp(key));
  await openPostmortem(key);
  await page.fill("#verdict-comment", "Clear timeline and a testable action. Approved.");
  await submit('#verdict-form button[value="approved"]');
  assert.match(await page.textContent("#review"), /grace\.obi\s+approved/);
});

test("the owner publishes, and closing is refused while an action item is open", async () => {
  await login("lena.fischer");
  await openPostmortem(key);
  await submit("#to-final");
  assert.equal((await page.textContent("#status")).trim(), "final");
  await submit("#to-closed");
  const notice = await page.textContent("#notice");
  assert.match(notice, /Not closed/);
  assert.match(notice, /action item A1 .* to be done, verified or won't-do with a reason \(it is open\)/);
  assert.equal((await page.textContent("#status")).trim(), "final");
});

test("the action item is finished inline on the board, then the postmortem closes", async () => {
  await page.goto(`${BASE}/actions?owner=lena.fischer`);
  const row = page.locator(`#row-${key}-A1`);
  await row.locator("select[name=status]").selectOption("done");
  await row.locator("button[type=submit]").click();
  await page.waitForSelector(`#row-${key}-A1 .saved`);
  await openPostmortem(key);
  await submit("#to-closed");
  assert.equal((await page.textContent("#status")).trim(), "closed");
  assert.match(await page.textContent("#notice"), /Closed/);
});

test("search finds it, with the words highlighted", async () => {
  await page.goto(`${BASE}/postmortems?q=${encodeURIComponent(`cart-service ${RUN}`)}`);
  const hit = page.locator(`a.pmrow-title[href="/postmortems/${key}"]`);
  assert.equal(await hit.count(), 1);
  assert.ok((await page.locator(".snippet mark").count()) > 0);
});

test("a restricted postmortem is invisible to others", async () => {
  await page.goto(`${BASE}/postmortems/new`);
  await page.fill("#new-title", SECRET_TITLE);
  await page.check("input[name=kind][value=security]");
  await submit("#new-form button[type=submit]");
  secretKey = page.url().match(/(PM-\d+)/)[1];
  assert.equal(await page.inputValue("#f-visibility"), "restricted");

  await login("grace.obi");
  const response = await page.goto(`${BASE}/postmortems/${secretKey}`);
  assert.equal(response.status(), 404);
  await page.goto(`${BASE}/postmortems?q=${encodeURIComponent(`signing ${RUN}`)}`);
  assert.equal(await page.locator(`a[href="/postmortems/${secretKey}"]`).count(), 0);
  await page.goto(`${BASE}/postmortems?sort=-updated`);
  assert.equal(await page.locator(`a[href="/postmortems/${secretKey}"]`).count(), 0);
  assert.equal(await page.locator(`text=${SECRET_TITLE}`).count(), 0);
});

test("a viewer reads but cannot edit", async () => {
  await login("viewer");
  await openPostmortem(key);
  assert.match(await page.textContent("h1"), new RegExp(RUN));
  assert.equal(await page.locator("#edit-link").count(), 0);
  assert.equal(await page.locator("#workflow").count(), 0);
  const response = await page.goto(`${BASE}/postmortems/${key}/edit`);
  assert.equal(response.status(), 403);
  await page.goto(`${BASE}/actions`);
  assert.equal(await page.locator("form.statusform").count(), 0);
  assert.equal(await page.locator("text=New postmortem").count(), 0);
});

test("an API token is shown once and can be revoked", async () => {
  await login("lena.fischer");
  await page.goto(`${BASE}/profile`);
  await page.fill("#t-name", `journey-${RUN}`);
  await submit("#token-form button[type=submit]");
  assert.match(await page.textContent("#token-secret"), /^\s*hs_/);
  await page.goto(`${BASE}/profile`);
  assert.equal(await page.locator("#token-secret").count(), 0);
  await submit(`button[aria-label="Revoke journey-${RUN}"]`);
  assert.match(await page.textContent("#tokens"), /revoked/);
});

test("reading works with JavaScript off", async () => {
  const noScript = await browser.newContext({
    viewport: DESKTOP,
    javaScriptEnabled: false,
    storageState: await context.storageState(),
  });
  const view = await noScript.newPage();
  await view.goto(`${BASE}/postmortems?q=${encodeURIComponent(RUN)}`);
  await Promise.all([view.waitForNavigation(), view.click(`a[href="/postmortems/${key}"]`)]);
  assert.match(await view.textContent("#timeline"), /CheckoutErrorRate alert fires/);
  assert.match(await view.textContent("ol.timeline time"), /^2026-03-04 14:05 UTC$/);
  assert.match(await view.textContent("#history"), /transition/);
  await noScript.close();
});

test("the insights page shows the numbers, the charts and the patterns of a period", async () => {
  await page.goto(`${BASE}/`);
  await submit('nav a[href="/insights"]');
  assert.match(await page.textContent("h1"), /^Insights \d{4}-Q[1-4]$/);
  assert.equal(await page.locator("#headline .number").count(), 8);
  assert.equal(await page.locator("#charts figure.chart svg").count(), 4);
  // The demo data spans eighteen months: the quarter before has patterns.
  const options = await page.locator("#i-period optgroup[label=Quarters] option").allTextContents();
  lastQuarter = options[1];
  await page.selectOption("#i-period", lastQuarter);
  await submit("form.filters button[type=submit]");
  assert.ok(page.url().endsWith(`period=${options[1]}&service=`), page.url());
  assert.equal(await page.textContent("h1"), `Insights ${options[1]}`);
  assert.ok(await page.locator("#patterns ul.patterns li").count() > 0, "recurring patterns");
  // Its postmortems lead to their pages, with similar ones beside them.
  await submit("#patterns ul.patterns li a");
  assert.ok((await page.locator("#similar ol.similar li").count()) > 0, "similar postmortems");
});

test("screenshots and page weight of the main pages", async () => {
  const pages = {
    home: "/",
    list: "/postmortems",
    postmortem: "/postmortems/PM-2",
    editor: "/postmortems/PM-2/edit",
    board: "/actions",
    insights: `/insights?period=${lastQuarter}`,
  };
  const weights = {};
  for (const [name, path] of Object.entries(pages)) {
    // A fresh context (logged in, empty cache): every asset counts.
    const fresh = await browser.newContext({ viewport: DESKTOP, storageState: await context.storageState() });
    const view = await fresh.newPage();
    const bodies = [];
    view.on("response", (r) => {
      // Redirects have no body: they count as nothing.
      // Each file's size as used (decoded) and as sent (gzip on the wire).
      bodies.push(
        Promise.all([r.body(), r.request().sizes()]).then(
          ([b, sizes]) => [new URL(r.url()).pathname, b.length, sizes.responseBodySize],
          () => null,
        ),
      );
    });
    await view.goto(`${BASE}${path}`, { waitUntil: "networkidle" });
    const files = (await Promise.all(bodies)).filter(Boolean);
    const bytes = files.reduce((sum, [, n]) => sum + n, 0);
    const transferred = files.reduce((sum, [, , n]) => sum + n, 0);
    weights[name] = { path, bytes, transferred, files };
    // The budget holds for the decoded size, stricter than what is sent.
    assert.ok(bytes < 150 * 1024, `${name} weighs ${bytes} bytes`);
    assert.ok(transferred < bytes, `${name} is sent compressed`);
    for (const [label, viewport] of [["desktop", DESKTOP], ["phone", PHONE]]) {
      await view.setViewportSize(viewport);
      await view.screenshot({ path: `${SHOTS}/${name}-${label}.png` });
    }
    await view.setViewportSize(DESKTOP);
    await view.screenshot({ path: `${SHOTS}/${name}-desktop-full.png`, fullPage: true });
    await fresh.close();
  }
  writeFileSync(`${SHOTS}/page-weight.json`, JSON.stringify(weights, null, 2));
});

test("charts follow a dark colour scheme", async () => {
  const dark = await browser.newContext({
    viewport: DESKTOP,
    colorScheme: "dark",
    storageState: await context.storageState(),
  });
  const view = await dark.newPage();
  await view.goto(`${BASE}/insights?period=${lastQuarter}`, { waitUntil: "networkidle" });
  const fills = await view.$$eval(".chart svg rect.bg", (rects) =>
    rects.map((r) => getComputedStyle(r).fill),
  );
  assert.ok(fills.length > 0, "charts on the page");
  for (const fill of fills) assert.notEqual(fill, "rgb(255, 255, 255)", "a white chart on a dark page");
  const ink = await view.$eval(".chart svg text.ink", (t) => getComputedStyle(t).fill);
  assert.notEqual(ink, "rgb(68, 68, 68)", "dark grey labels on a dark page");
  await view.screenshot({ path: `${SHOTS}/insights-dark.png`, fullPage: true });
  await dark.close();
});

test("no page broke the Content-Security-Policy or threw", () => {
  assert.deepEqual(problems, []);
});
