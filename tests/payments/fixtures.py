"""Stripe fixtures shared by the payments and sales tests."""

import pytest
import responses
from django_tenants.utils import schema_context

from apps.payments.models import ConnectedAccount, PlatformStripeAccount
from tests.payments import stripe_fake
from tests.sales.helpers import shop_build
from tests.tenants import ALPHA

ACCOUNT = "acct_1TesseraFunpark"


@pytest.fixture
def stripe_api():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def stripe_platform(organizations):
    with schema_context("public"):
        PlatformStripeAccount.objects.update_or_create(
            pk=1,
            defaults={
                "stripe_secret_key": stripe_fake.SECRET_KEY,
                "stripe_webhook_secret": stripe_fake.WEBHOOK_SECRET,
            },
        )


@pytest.fixture
def shop(stripe_platform, alpha):
    """alpha's shop, its organizer connected to Stripe and able to take payments."""
    with schema_context(ALPHA.schema_name):
        shop = shop_build(capacity=2)
    with schema_context("public"):
        ConnectedAccount.objects.create(
            stripe_account_id=ACCOUNT,
            schema_name=alpha.schema_name,
            organizer_id=shop.organizer.pk,
            charges_enabled=True,
        )
    return shop


@pytest.fixture(scope="session")
def localstripe():
    """Stripe's fake server (localstripe, from .venv-localstripe, which scripts/test makes,
    with the Connect parts of `localstripe_connect`), on a free port, with its own Stripe.js;
    yields its base URL."""
    import socket
    import subprocess
    import time
    from pathlib import Path

    here = Path(__file__).resolve()
    python = here.parents[2] / ".venv-localstripe" / "bin" / "python"
    if not python.exists():
        pytest.fail(f"{python} is missing: run the test command (scripts/test), which installs localstripe.")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [str(python), str(here.with_name("localstripe_connect.py")), "--port", str(port), "--from-scratch"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("localstripe did not start")
            time.sleep(0.2)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


PUBLISHABLE_KEY = "pk_test_tesseraplatform"


@pytest.fixture
def platform_on_localstripe(settings, localstripe):
    """The platform's Stripe keys and webhook secret, its API and Stripe.js on localstripe."""
    with schema_context("public"):
        PlatformStripeAccount.objects.update_or_create(
            pk=1,
            defaults={
                "stripe_secret_key": stripe_fake.SECRET_KEY,
                "stripe_publishable_key": PUBLISHABLE_KEY,
                "stripe_webhook_secret": stripe_fake.WEBHOOK_SECRET,
            },
        )
    settings.STRIPE_API_BASE = localstripe
    settings.STRIPE_JS_URL = f"{localstripe}/js.stripe.com/v3/"
    return localstripe


@pytest.fixture
def localstripe_webhooks(platform_on_localstripe, live_server):
    """localstripe sends its signed events to the platform's endpoint on the live server
    (and, after the test, nowhere: the next test's server may get this one's port)."""
    import requests

    def register(url: str) -> None:
        response = requests.post(
            f"{platform_on_localstripe}/_config/webhooks/tessera",
            data={"url": url, "secret": stripe_fake.WEBHOOK_SECRET},
            timeout=5,
        )
        response.raise_for_status()

    port = live_server.url.rsplit(":", 1)[1]
    register(f"http://localhost:{port}/payments/stripe/webhook/")
    yield
    register("http://127.0.0.1:9/")


def localstripe_confirm(base_url: str, *, client_secret: str, card: str) -> dict:
    """What Stripe.js does with a card typed in the browser: confirm the PaymentIntent or
    SetupIntent of `client_secret` with the publishable key; returns localstripe's answer."""
    import requests

    path = "payment_intents" if client_secret.startswith("pi_") else "setup_intents"
    intent_id = client_secret.split("_secret_")[0]
    response = requests.post(
        f"{base_url}/v1/{path}/{intent_id}/confirm",
        json={
            "key": PUBLISHABLE_KEY,
            "client_secret": client_secret,
            "payment_method_data": {
                "type": "card",
                "card": {"number": card, "exp_month": "12", "exp_year": "34", "cvc": "123"},
            },
        },
        timeout=10,
    )
    return response.json()
