// Shows the minutes and seconds left on a reservation; the server stays the judge.
(function () {
  var box = document.querySelector(".countdown");
  if (!box) return;
  var left = box.querySelector(".countdown-left");
  var expires = new Date(box.dataset.expires).getTime();
  var lastAnnounced = null;
  function tick() {
    var seconds = Math.max(0, Math.round((expires - Date.now()) / 1000));
    var minutes = Math.floor(seconds / 60);
    var text = minutes + ":" + String(seconds % 60).padStart(2, "0");
    if (minutes >= 60) {  // a waiting list's offer holds for hours: h:mm:ss
      text = Math.floor(minutes / 60) + ":" + String(minutes % 60).padStart(2, "0") + ":" + String(seconds % 60).padStart(2, "0");
    }
    // Announce once a minute, not every second, to screen readers.
    if (seconds % 60 === 0 || lastAnnounced === null) { left.textContent = text; lastAnnounced = seconds; }
    else { left.setAttribute("data-time", text); left.textContent = text; }
    if (seconds === 0) { window.location.reload(); return; }
    window.setTimeout(tick, 1000);
  }
  tick();
})();
