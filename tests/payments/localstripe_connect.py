"""localstripe, plus the few parts of Stripe the tests need that it lacks; run with the
python of .venv-localstripe (the tests start it, see `fixtures.localstripe`).

What is added, each as Stripe does it:
- Connect: a request's `Stripe-Account` header is kept on the PaymentIntents and refunds it
  makes, and their webhook events carry that `account`; `application_fee_amount` and
  `description` on PaymentIntents and `refund_application_fee` on refunds are accepted and
  echoed back.
- Stripe.js `confirmCardPayment(clientSecret, {payment_method: {card: element}})` with a new
  card: localstripe's only authenticates an intent that already has its card. Here the card
  goes to `POST /v1/payment_intents/<id>/confirm` with the intent's client secret and the
  publishable key, then 3-D Secure is asked for when the card needs it.
"""

import contextvars
import re

from aiohttp import web
from localstripe import resources, server
from localstripe.errors import UserError

CONFIRM_PATH = re.compile(r"^/v1/payment_intents/\w+/confirm$")
stripe_account = contextvars.ContextVar("stripe_account", default=None)


@web.middleware
async def remember_stripe_account(request, handler):
    token = stripe_account.set(request.headers.get("Stripe-Account"))
    try:
        return await handler(request)
    finally:
        stripe_account.reset(token)


@web.middleware
async def publishable_key_confirms_intents(request, handler):
    """Stripe.js confirms a PaymentIntent with the publishable key and its client secret."""
    if request.method == "POST" and CONFIRM_PATH.match(request.path):
        data = await server.get_post_data(request, remove_auth=False)
        key, secret = (data or {}).get("key"), (data or {}).get("client_secret")
        if isinstance(key, str) and key.startswith("pk_") and isinstance(secret, str):
            return await handler(request)
    return await server.auth_middleware(request, handler)


def _keep(init, **extras):
    """Wrap a resource's __init__ to accept `extras` (name → converter) and the account."""

    def wrapped(self, *args, **kwargs):
        values = {name: kwargs.pop(name, None) for name in extras}
        init(self, *args, **kwargs)
        for name, convert in extras.items():
            setattr(self, name, convert(values[name]) if values[name] is not None else None)
        self._stripe_account = stripe_account.get()

    return wrapped


resources.PaymentIntent.__init__ = _keep(
    resources.PaymentIntent.__init__,
    application_fee_amount=resources.try_convert_to_int,
    description=str,
)
resources.Refund.__init__ = _keep(
    resources.Refund.__init__, refund_application_fee=resources.try_convert_to_bool
)

_event_init = resources.Event.__init__


def _event_with_account(self, type, data):
    _event_init(self, type, data)
    account = getattr(data, "_stripe_account", None)
    if account is None and getattr(data, "payment_intent", None):
        intent = resources.PaymentIntent._api_retrieve(data.payment_intent)
        account = intent._stripe_account
    if account:
        self.account = account


resources.Event.__init__ = _event_with_account

_confirm = resources.PaymentIntent._api_confirm.__func__


def _confirm_with_card(cls, id, payment_method=None, payment_method_data=None, client_secret=None, **kwargs):
    kwargs.pop("use_stripe_sdk", None)
    intent = cls._api_retrieve(id)
    if client_secret is not None and client_secret != intent.client_secret:
        raise UserError(401, "Unauthorized")
    if payment_method is not None or payment_method_data is not None:
        if payment_method is not None:
            card = resources.PaymentMethod._api_retrieve(payment_method)
        else:
            card = resources.PaymentMethod(**payment_method_data)
        intent.payment_method = card.id
        intent.latest_charge = None  # a new attempt after a declined one
        intent._authentication_failed = False
    return _confirm(cls, id, **kwargs)


resources.PaymentIntent._api_confirm = classmethod(_confirm_with_card)

CONFIRM_CARD_PAYMENT = """    confirmCardPayment: async (clientSecret, data) => {
      console.log('localstripe: Stripe().confirmCardPayment()');
      try {
        const intentId = clientSecret.match(/^(pi_\\w+)_secret_/)[1];
        const card = data && data.payment_method && data.payment_method.card;
        if (card instanceof Element) {
          const confirmed = await fetch(
            `${LOCALSTRIPE_BASE_API}/v1/payment_intents/${intentId}/confirm`, {
              method: 'POST',
              body: JSON.stringify({
                key: apiKey,
                client_secret: clientSecret,
                payment_method_data: {
                  type: 'card',
                  card: card.value.card,
                  billing_details: {address: {postal_code: card.value.postal_code}},
                },
              }),
            });
          const intent = await confirmed.json().catch(() => ({}));
          if (confirmed.status !== 200 || intent.error) {
            return {error: intent.error};
          } else if (intent.status !== 'requires_action') {
            return {paymentIntent: intent};
          }
        }
        const success = await openModal(
"""


async def localstripe_js(request):
    """localstripe's Stripe.js with confirmCardPayment taking a new card."""
    with open(resources.__file__.replace("resources.py", "localstripe-v3.js")) as js:
        text = js.read()
    start = text.index("    confirmCardPayment: async (clientSecret, data) => {")
    end = text.index("        const success = await openModal(", start) + len(
        "        const success = await openModal(\n"
    )
    return web.Response(
        text=text[:start] + CONFIRM_CARD_PAYMENT + text[end:], content_type="application/javascript"
    )


def main():
    server.app.middlewares[server.app.middlewares.index(server.auth_middleware)] = (
        publishable_key_confirms_intents
    )
    server.app.middlewares.append(remember_stripe_account)
    handlers = {
        ("GET", "/js.stripe.com/v3/"): localstripe_js,
        ("POST", "/v1/payment_intents/{id}/confirm"): server.api_extra(
            resources.PaymentIntent._api_confirm, "/v1/payment_intents/{id}/confirm"
        ),
    }
    for route in server.app.router.routes():
        handler = handlers.get((route.method, route.resource.canonical))
        if handler is not None:
            route._handler = handler
    server.start()


if __name__ == "__main__":
    main()
