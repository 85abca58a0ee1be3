"""A client's admin saves the card the platform charges, through Stripe.js and a SetupIntent
on the fake Stripe server (localstripe): the SDK's calls and the browser's both reach it."""

import re

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from apps.accounts.services import user_create
from apps.billing.models import BillingAccount
from apps.billing.services.accounts import billing_account_open
from apps.organizers.services import organizer_create
from apps.payments.models import PlatformStripeAccount
from tests.plans.factories import plan_build

pytestmark = pytest.mark.e2e
PASSWORD = "a long pass phrase"


@pytest.fixture
def kappa(fresh_organization, settings, localstripe):
    organization = fresh_organization(name="Kappa parks", slug="kappa")
    with schema_context(organization.schema_name):
        park = organizer_create(name="Kappa park", slug="kappa-park", currency="EUR", country="NL")
        user_create(
            email="boss@kappa.example",
            password=PASSWORD,
            is_operator=True,
            is_admin=True,
            email_verified=True,
        )
    account = billing_account_open(
        organization=organization,
        organizer_id=park.pk,
        organizer_name=park.name,
        organizer_slug=park.slug,
        country="NL",
        plan=plan_build(slug="starter"),
        contact_email="billing@kappa.example",
    )
    PlatformStripeAccount.objects.update_or_create(
        pk=1,
        defaults={
            "stripe_secret_key": "sk_test_kappaplatform",
            "stripe_publishable_key": "pk_test_kappaplatform",
        },
    )
    settings.STRIPE_API_BASE = localstripe
    settings.STRIPE_JS_URL = f"{localstripe}/js.stripe.com/v3/"
    return account


def test_a_clients_admin_saves_the_card_the_platform_charges(page, live_server, kappa, artifacts):
    port = live_server.url.rsplit(":", 1)[1]
    page.goto(f"http://kappa.localhost:{port}/control/billing/")
    page.get_by_label(re.compile("Email", re.I)).fill("boss@kappa.example")
    page.get_by_label(re.compile("Password", re.I)).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign In", re.I)).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Billing")
    page.get_by_role("button", name="Add a card").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Card on file")
    page.get_by_placeholder("number").fill("4242424242424242")
    page.get_by_placeholder("exp_month").fill("12")
    page.get_by_placeholder("exp_year").fill("34")
    page.get_by_placeholder("cvc").fill("123")
    page.get_by_placeholder("postal_code").fill("1011")
    page.get_by_role("button", name="Save the card").click()

    expect(page.get_by_text("is your card on file.")).to_be_visible(timeout=20_000)
    page.screenshot(path=str(artifacts / "card-on-file.png"), full_page=True)
    kappa.refresh_from_db()
    assert kappa.stripe_customer_id.startswith("cus_")
    assert kappa.payment_method_id.startswith("pm_")
    assert kappa.card_label.endswith("4242")
    assert BillingAccount.objects.get(pk=kappa.pk).card_label in page.content()
