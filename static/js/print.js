// Print buttons (the attendees' check-in list): a [data-print] button opens the browser's
// print dialog; static/css/print.css lays the page out for paper.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
