// Progress pages (a new client's site, a replication of many dates): the element with
// data-status-url is asked every few seconds; its [data-status-label], [data-status-progress]
// and <progress> follow the answer, and the page reloads once it is finished (the page's meta
// refresh does the same without JavaScript).
(function () {
  "use strict";
  var box = document.querySelector("[data-status-url]");
  if (!box || box.dataset.finished === "true" || !window.fetch) return;
  var label = box.querySelector("[data-status-label]");
  var progress = box.querySelector("[data-status-progress]");
  var bar = box.querySelector("progress");
  var refresh = document.querySelector("meta[http-equiv=refresh]");
  if (refresh) refresh.parentNode.removeChild(refresh); // polling takes over
  function show(element, text) {
    if (element && text !== undefined && element.textContent !== text) element.textContent = text;
  }
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (data) {
        if (data.finished) { window.location.reload(); return; }
        show(label, data.label);
        show(progress, data.progress);
        if (bar && data.percent !== undefined) bar.value = data.percent;
        window.setTimeout(poll, 1500);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
