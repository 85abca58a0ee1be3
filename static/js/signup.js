// Signup form: choosing a country re-prices the plan cards in place (the "Update prices"
// button does the same without JavaScript) and proposes the country's currency.
(function () {
  "use strict";
  var form = document.getElementById("signup-form");
  if (!form || !window.fetch) return;
  var country = form.querySelector("select[name=country]");
  var currency = form.querySelector("select[name=currency]");
  var box = document.getElementById("signup-plans-box");
  if (!country || !box) return;
  var currencyChosen = false;
  if (currency) {
    currency.addEventListener("change", function () { currencyChosen = true; });
  }
  country.addEventListener("change", function () {
    var params = new URLSearchParams({ part: "plans", country: country.value });
    var checked = form.querySelector("input[name=plan]:checked");
    if (checked) params.set("plan", checked.value);
    fetch(form.dataset.plansUrl + "?" + params.toString(), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        box.innerHTML = html;
        var cards = document.getElementById("signup-plans");
        if (currency && !currencyChosen && country.value && cards && cards.dataset.currency) {
          currency.value = cards.dataset.currency;
        }
      })
      .catch(function () { /* the "Update prices" button still works */ });
  });
})();
