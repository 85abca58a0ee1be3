// The control panel's menu (templates/base.html): on a phone it folds behind its Menu button;
// its groups are <details> disclosures, one open at a time, closed by Escape (the focus goes
// back to the group's name) or by a click elsewhere. Without JavaScript the menu stays
// unfolded and each group still opens and closes on its own.
(function () {
  "use strict";
  var nav = document.querySelector("[data-menu]");
  if (!nav) { return; }
  var toggle = nav.querySelector("[data-menu-toggle]");
  var menu = document.getElementById(toggle.getAttribute("aria-controls"));
  var groups = Array.prototype.slice.call(nav.querySelectorAll("details[data-menu-group]"));

  function fold(open) {
    toggle.setAttribute("aria-expanded", String(open));
    menu.classList.toggle("open", open);
  }

  nav.classList.add("menu-js");
  toggle.hidden = false;
  toggle.addEventListener("click", function () {
    fold(toggle.getAttribute("aria-expanded") !== "true");
  });
  groups.forEach(function (group) {
    group.addEventListener("toggle", function () {
      if (!group.open) { return; }
      groups.forEach(function (other) {
        if (other !== group) { other.open = false; }
      });
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var open = groups.filter(function (group) { return group.open; });
    open.forEach(function (group) {
      var focused = group.contains(document.activeElement);
      group.open = false;
      if (focused) { group.querySelector("summary").focus(); }
    });
    if (!open.length && menu.classList.contains("open") && nav.contains(document.activeElement)) {
      fold(false);
      toggle.focus();
    }
  });
  document.addEventListener("click", function (event) {
    groups.forEach(function (group) {
      if (group.open && !group.contains(event.target)) { group.open = false; }
    });
  });
})();
