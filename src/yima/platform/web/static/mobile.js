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

  // A page that would like the phone's position ([data-locate]: where to post it, with the
  // element's data-locate-* values) asks once; a refusal changes nothing.
  var locate = document.querySelector("[data-locate]");
  if (locate && navigator.geolocation && window.fetch) {
    locate.hidden = false;
    navigator.geolocation.getCurrentPosition(function (position) {
      var body = { lat: position.coords.latitude, lon: position.coords.longitude, accuracy_m: position.coords.accuracy };
      Object.keys(locate.dataset).forEach(function (key) {
        if (key.indexOf("locate") === 0 && key.length > 6) {
          var name = key.charAt(6).toLowerCase() + key.slice(7);
          body[name] = /^\d+$/.test(locate.dataset[key]) && name === "scan" ? Number(locate.dataset[key]) : locate.dataset[key];
        }
      });
      fetch(locate.dataset.locate, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
        credentials: "same-origin"
      }).then(function () { locate.hidden = true; });
    }, function () { locate.hidden = true; }, { enableHighAccuracy: false, timeout: 10000, maximumAge: 60000 });
  }
})();
