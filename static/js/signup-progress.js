// Signup progress: asks the status endpoint every few seconds and reloads the page once
// the site is ready or failed (the page's meta refresh does the same without JavaScript).
(function () {
  "use strict";
  var box = document.getElementById("signup-status");
  if (!box || !box.dataset.statusUrl || box.dataset.finished === "true" || !window.fetch) return;
  var label = document.getElementById("signup-status-label");
  var refresh = document.querySelector("meta[http-equiv=refresh]");
  if (refresh) refresh.parentNode.removeChild(refresh); // polling takes over
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (data) {
        if (data.finished) { window.location.reload(); return; }
        if (label && label.textContent !== data.label) label.textContent = data.label;
        window.setTimeout(poll, 1500);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
