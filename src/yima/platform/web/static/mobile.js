// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // "Back" buttons ship hidden and appear only when we came from a page (not straight from a scan).
  if (history.length > 1 && document.referrer) {
    document.querySelectorAll("[data-back]").forEach(function (el) {
      el.hidden = false;
      el.addEventListener("click", function () { history.back(); });
    });
  }

  // One submission per form: a second tap while the first is on its way is ignored.
  // (Forms whose own script handled the submit, by preventing it, are left alone.)
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented) {
      return;
    }
    if (form.getAttribute("aria-busy") === "true") {
      event.preventDefault();
    } else {
      form.setAttribute("aria-busy", "true");
    }
  });

  // Returning through the back/forward cache: forms are usable again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      document.querySelectorAll("form[aria-busy]").forEach(function (form) {
        form.removeAttribute("aria-busy");
      });
    }
  });
})();
