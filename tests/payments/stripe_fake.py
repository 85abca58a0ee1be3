"""Stripe at the HTTP boundary (the SDK's requests are intercepted with `responses`), with
payloads shaped like Stripe's, and webhook payloads signed as Stripe signs them."""

import hashlib
import hmac
import itertools
import json
import time
from urllib.parse import parse_qs

API = "https://api.stripe.com"
SECRET_KEY = "sk_test_tesseraplatform"
WEBHOOK_SECRET = "whsec_tesseratest"
_ids = itertools.count(1)


def form(request) -> dict:
    """The form body the SDK sent, as {key: value} (Stripe's nested keys kept flat)."""
    return {key: values[0] for key, values in parse_qs(request.body).items()}


def payment_intent(*, amount: int, currency: str = "eur", status: str = "requires_payment_method", **extra):
    number = next(_ids)
    return {
        "id": f"pi_test{number:06}",
        "object": "payment_intent",
        "amount": amount,
        "amount_received": amount if status == "succeeded" else 0,
        "currency": currency,
        "status": status,
        "client_secret": f"pi_test{number:06}_secret_abc",
        "livemode": False,
        "metadata": {},
        **extra,
    }


def event(kind: str, data: dict, *, account: str = "", event_id: str = "") -> dict:
    return {
        "id": event_id or f"evt_test{next(_ids):06}",
        "object": "event",
        "type": kind,
        "account": account or None,
        "api_version": "2025-09-30.clover",
        "created": int(time.time()),
        "livemode": False,
        "data": {"object": data},
    }


def signed(payload: dict, secret: str = WEBHOOK_SECRET) -> tuple[bytes, str]:
    body = json.dumps(payload).encode()
    timestamp = int(time.time())
    signature = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return body, f"t={timestamp},v1={signature}"
