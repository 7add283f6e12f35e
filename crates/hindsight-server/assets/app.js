// Hindsight's progressive enhancement. Pages work without it: it shows times
// in the reader's time zone (UTC stays in the hover title), keeps the lint
// panel of the editor in view, and asks before leaving unsaved edits.
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
  });
  document.addEventListener("htmx:afterSwap", function (e) {
    enhance(e.target);
  });
})();
