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
