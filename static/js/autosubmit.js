// A control marked data-autosubmit sends its form when its value changes (the language
// menu); without JavaScript its form keeps a submit button.
(function () {
  "use strict";
  document.querySelectorAll("[data-autosubmit]").forEach(function (control) {
    control.addEventListener("change", function () { control.form.submit(); });
  });
})();
