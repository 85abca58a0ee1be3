// A wide table scrolls sideways in its .overflow-auto box on a small screen: that box then
// takes the keyboard focus (arrow keys scroll it) and is a region named after the table's
// caption, so it can be reached without a mouse (WCAG 2.1.1). A box that fits is left alone.
(function () {
  "use strict";
  function nameOf(box) {
    var caption = box.querySelector("caption");
    var heading = box.closest("section") && box.closest("section").querySelector("h2, h3");
    var source = caption || heading;
    return source ? source.textContent.trim() : "";
  }
  function mark(box) {
    if (box.scrollWidth > box.clientWidth + 1) {
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      var name = box.hasAttribute("aria-label") ? "" : nameOf(box);
      if (name) { box.setAttribute("aria-label", name); }
    } else if (box.getAttribute("tabindex") === "0") {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
    }
  }
  function markAll() { document.querySelectorAll(".overflow-auto").forEach(mark); }
  var pending = null;
  window.addEventListener("resize", function () {
    if (pending) { window.cancelAnimationFrame(pending); }
    pending = window.requestAnimationFrame(markAll);
  });
  markAll();
})();
