"""The one widening of the Content-Security-Policy: pages that load Stripe.js."""

from functools import wraps
from urllib.parse import urlsplit

from csp.decorators import csp_update
from django.conf import settings

STRIPE_JS_ORIGIN = "https://js.stripe.com"
# What Stripe.js needs for the card element and 3D Secure (Stripe's security guide), no more.
STRIPE_JS_SOURCES = {
    "script-src": [STRIPE_JS_ORIGIN, "https://*.js.stripe.com"],
    "frame-src": [STRIPE_JS_ORIGIN, "https://*.js.stripe.com", "https://hooks.stripe.com"],
    "connect-src": ["https://api.stripe.com"],
}


def stripe_js_sources() -> dict[str, list[str]]:
    """Stripe's hosts; or, where STRIPE_JS_URL names a stand-in (localstripe in the tests),
    that origin alone, which serves the script and answers its calls."""
    parts = urlsplit(settings.STRIPE_JS_URL)
    origin = f"{parts.scheme}://{parts.netloc}"
    if origin == STRIPE_JS_ORIGIN:
        return STRIPE_JS_SOURCES
    return {directive: [origin] for directive in STRIPE_JS_SOURCES}


def loads_stripe_js(view):
    """Allows the view's page Stripe.js (read when the page is served: tests move STRIPE_JS_URL)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return csp_update(stripe_js_sources())(view)(request, *args, **kwargs)

    return wrapped
