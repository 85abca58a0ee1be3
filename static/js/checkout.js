// Confirms the card payment with Stripe.js on the organizer's connected account, then
// goes to the return page, which checks the payment with Stripe before showing the order.
(function () {
  var form = document.getElementById("payment-form");
  if (!form || typeof Stripe === "undefined") return;
  var options = form.dataset.account ? { stripeAccount: form.dataset.account } : {};
  var stripe = Stripe(form.dataset.publishableKey, options);
  var card = stripe.elements().create("card");
  card.mount("#card-element");
  var error = document.getElementById("payment-error");
  var button = document.getElementById("pay-button");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    error.textContent = "";
    stripe.confirmCardPayment(form.dataset.clientSecret, { payment_method: { card: card } }).then(function (result) {
      if (result.error) {
        error.textContent = result.error.message;
        button.disabled = false;
      } else {
        window.location.assign(form.dataset.returnUrl);
      }
    });
  });
})();
