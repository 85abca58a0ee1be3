// Saves a card with Stripe.js (SetupIntent on the platform's account), then goes back to
// the billing page, which asks Stripe which card was saved.
(function () {
  var form = document.getElementById("card-form");
  if (!form || typeof Stripe === "undefined") return;
  var stripe = Stripe(form.dataset.publishableKey);
  var card = stripe.elements().create("card");
  card.mount("#card-element");
  var error = document.getElementById("card-error");
  var button = document.getElementById("card-button");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    error.textContent = "";
    stripe.confirmCardSetup(form.dataset.clientSecret, { payment_method: { card: card } }).then(function (result) {
      if (result.error) {
        error.textContent = result.error.message;
        button.disabled = false;
      } else {
        window.location.assign(form.dataset.returnUrl + "?setup_intent=" + encodeURIComponent(result.setupIntent.id));
      }
    });
  });
})();
