// Server render time of web pages, measured against a running server (see
// docs/bench/web.md): logs in, warms up, requests each page N times one after
// another, and prints the client-observed latency (p50, p95, mean) and the
// server's own mean from its Prometheus histogram of the page's route.
//
// Usage: node render-bench.mjs URL [N]   (demo accounts, `hindsight serve --demo`)

const base = process.argv[2] ?? "http://127.0.0.1:8080";
const n = Number(process.argv[3] ?? 300);
const pages = [
  ["/postmortems/{key}", "/postmortems/PM-2"],
  ["/postmortems/{key}", "/postmortems/PM-1"],
  ["/postmortems", "/postmortems"],
  ["/", "/"],
  ["/actions", "/actions"],
  ["/postmortems/{key}/edit", "/postmortems/PM-2/edit"],
];

const login = await fetch(`${base}/api/v1/session`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ name: "lena.fischer", password: "hindsight-demo" }),
});
const cookie = login.headers.get("set-cookie")?.split(";")[0];
if (!cookie) {
  throw new Error(`login failed: ${login.status}`);
}

async function histogram(route) {
  const text = await (await fetch(`${base}/metrics`)).text();
  const pick = (suffix) =>
    text
      .split("\n")
      .filter((l) => l.startsWith(`hindsight_http_request_duration_seconds_${suffix}{`))
      .filter((l) => l.includes(`route="${route}"`) && l.includes('method="GET"') && l.includes('status="200"'))
      .reduce((sum, l) => sum + Number(l.split(" ").pop()), 0);
  return { sum: pick("sum"), count: pick("count") };
}

for (const [route, path] of pages) {
  for (let i = 0; i < 20; i++) {
    await (await fetch(`${base}${path}`, { headers: { cookie } })).arrayBuffer();
  }
  const before = await histogram(route);
  const times = [];
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = await fetch(`${base}${path}`, { headers: { cookie } });
    bytes = (await r.arrayBuffer()).byteLength;
    times.push(performance.now() - t0);
    if (r.status !== 200) {
      throw new Error(`${path} answered ${r.status}`);
    }
  }
  const after = await histogram(route);
  times.sort((a, b) => a - b);
  const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(2);
  const mean = (times.reduce((a, b) => a + b, 0) / times.length).toFixed(2);
  const server = ((after.sum - before.sum) / Math.max(1, after.count - before.count)) * 1000;
  console.log(
    `${path.padEnd(26)} ${String(bytes).padStart(7)} B  client p50 ${q(0.5)} ms  p95 ${q(0.95)} ms  mean ${mean} ms  server mean ${server.toFixed(2)} ms`,
  );
}
