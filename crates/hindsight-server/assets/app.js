// Hindsight's progressive enhancement. Pages work without it: it shows times
// in the reader's time zone (UTC stays in the hover title), keeps the lint
// panel of the editor in view, asks before leaving unsaved edits, and keeps
// what is typed in the editor in this browser until it is saved.
(function () {
  "use strict";

  var fmt = new Intl.DateTimeFormat(undefined, {
    year: "numeric", month: "short", day: "numeric",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short"
  });

  // <time datetime="...Z" data-local> gets the local time as its text.
  function localTimes(root) {
    var nodes = (root || document).querySelectorAll("time[data-local]");
    for (var i = 0; i < nodes.length; i++) {
      var t = nodes[i];
      var d = new Date(t.getAttribute("datetime"));
      if (!isNaN(d.getTime())) {
        t.textContent = fmt.format(d);
        t.removeAttribute("data-local");
      }
    }
  }

  // Markdown preview buttons: show the preview panel the htmx request fills.
  function previews(root) {
    var buttons = (root || document).querySelectorAll("[data-preview-for]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
    }
  }

  // Warn before leaving an editor with unsaved changes.
  function guardEdits() {
    var form = document.querySelector("form[data-guard]");
    if (!form) { return; }
    var dirty = false;
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (e) {
      if (dirty) { e.preventDefault(); e.returnValue = ""; }
    });
  }

  // The editor's fields, by name (not the form's own tokens).
  function fieldValues(form) {
    var out = {};
    var fields = form.querySelectorAll("input[name], textarea[name], select[name]");
    for (var i = 0; i < fields.length; i++) {
      var f = fields[i];
      if (f.type === "hidden" || f.type === "submit" || f.type === "button") { continue; }
      if ((f.type === "checkbox" || f.type === "radio") && !f.checked) { continue; }
      out[f.name] = f.value;
    }
    return out;
  }

  function sameValues(a, b) {
    var names = Object.keys(a).concat(Object.keys(b));
    for (var i = 0; i < names.length; i++) {
      if ((a[names[i]] || "") !== (b[names[i]] || "")) { return false; }
    }
    return true;
  }

  // What is typed in the editor stays in this browser until a save succeeds,
  // so a save that never reached the server (the session ended, the
  // connection dropped) loses nothing: the editor offers it back.
  function keepDrafts() {
    var storage;
    try { storage = window.localStorage; } catch (e) { return; }
    if (!storage) { return; }
    var saved = /[?&]done=saved(&|$)/.test(location.search);
    if (saved) { storage.removeItem("hindsight:draft:" + location.pathname + "/edit"); }
    var form = document.querySelector("form[data-draft]");
    if (!form) { return; }
    var key = "hindsight:draft:" + form.getAttribute("action");
    var draft = null;
    try { draft = JSON.parse(storage.getItem(key)); } catch (e) { draft = null; }
    if (draft && draft.fields && !sameValues(draft.fields, fieldValues(form))) {
      offerDraft(form, key, draft);
    } else if (draft) {
      storage.removeItem(key);
    }
    var timer = null;
    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        try {
          storage.setItem(key, JSON.stringify({ at: new Date().toISOString(), fields: fieldValues(form) }));
        } catch (e) { /* storage full or refused: the guard still warns */ }
      }, 300);
    });
  }

  function offerDraft(form, key, draft) {
    var box = document.createElement("div");
    box.className = "alert";
    box.id = "draft-notice";
    box.setAttribute("role", "status");
    var text = document.createElement("p");
    var when = new Date(draft.at);
    text.textContent = "Text typed here" + (isNaN(when.getTime()) ? "" : " on " + fmt.format(when)) +
      " was not saved. It is kept in this browser.";
    var restore = document.createElement("button");
    restore.type = "button";
    restore.className = "btn primary";
    restore.id = "draft-restore";
    restore.textContent = "Restore it";
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "btn ghost";
    discard.id = "draft-discard";
    discard.textContent = "Discard it";
    restore.addEventListener("click", function () {
      var names = Object.keys(draft.fields);
      for (var i = 0; i < names.length; i++) {
        var fields = form.querySelectorAll('[name="' + CSS.escape(names[i]) + '"]');
        for (var j = 0; j < fields.length; j++) {
          var f = fields[j];
          if (f.type === "checkbox" || f.type === "radio") { f.checked = f.value === draft.fields[names[i]]; }
          else { f.value = draft.fields[names[i]]; }
        }
      }
      box.remove();
      // Live lint and the unsaved-changes guard follow.
      form.dispatchEvent(new Event("input", { bubbles: true }));
    });
    discard.addEventListener("click", function () {
      window.localStorage.removeItem(key);
      box.remove();
    });
    box.appendChild(text);
    box.appendChild(restore);
    box.appendChild(document.createTextNode(" "));
    box.appendChild(discard);
    form.parentNode.insertBefore(box, form);
  }

  // Copy buttons (new API token).
  function copyButtons(root) {
    var buttons = (root || document).querySelectorAll("[data-copy]");
    for (var i = 0; i < buttons.length; i++) {
      var b = buttons[i];
      b.hidden = false;
      b.addEventListener("click", function (e) {
        var target = document.getElementById(e.currentTarget.getAttribute("data-copy"));
        if (target && navigator.clipboard) {
          navigator.clipboard.writeText(target.textContent.trim());
          e.currentTarget.textContent = "Copied";
        }
      });
    }
  }

  function enhance(root) {
    localTimes(root);
    previews(root);
    copyButtons(root);
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhance(document);
    guardEdits();
    keepDrafts();
  });
  document.addEventListener("htmx:afterSwap", function (e) {
    enhance(e.target);
  });
})();
