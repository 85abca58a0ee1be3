"""Stripe fixtures shared by the payments and sales tests."""

import pytest
import responses
from django_tenants.utils import schema_context

from apps.payments.models import ConnectedAccount
from apps.platform.models import PlatformSettings
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
        PlatformSettings.load()
        PlatformSettings.objects.filter(pk=1).update(
            stripe_secret_key=stripe_fake.SECRET_KEY, stripe_webhook_secret=stripe_fake.WEBHOOK_SECRET
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
    """Stripe's fake server (localstripe, from .venv-localstripe, which scripts/test makes),
    on a free port, with its own Stripe.js; yields its base URL."""
    import socket
    import subprocess
    import time
    from pathlib import Path

    executable = Path(__file__).resolve().parents[2] / ".venv-localstripe" / "bin" / "localstripe"
    if not executable.exists():
        pytest.fail(f"{executable} is missing: run the test command (scripts/test), which installs it.")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [str(executable), "--port", str(port), "--from-scratch"],
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
