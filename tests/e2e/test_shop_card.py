"""A customer pays for tickets by card on funpark.localhost: Stripe.js and the SDK both talk to
the fake Stripe server (localstripe), the PaymentIntent lives on the organizer's connected
account with the platform's fee, localstripe's signed webhook reaches the platform's endpoint,
and the customer opens the PDF tickets."""

import re
import time
from decimal import Decimal
from pathlib import Path

import pytest
import stripe
from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from apps.billing.services.accounts import billing_account_open
from apps.events import services as events
from apps.organizers.services import organizer_create
from apps.payments.models import ConnectedAccount, Payment, WebhookEvent
from apps.sales.models import DateStock, Order
from apps.tenancy.models import Domain
from tests.payments import stripe_fake
from tests.plans.factories import plan_build

pytestmark = pytest.mark.e2e
ACCOUNT = "acct_1FunparkLyon"


@pytest.fixture
def funpark(fresh_organization, localstripe_webhooks):
    organization = fresh_organization(name="Fun park", slug="funpark")
    with schema_context(organization.schema_name):
        organizer = organizer_create(name="Fun park", slug="funpark", currency="EUR", country="FR")
        shop = organizer.distributions.get(kind="online_shop")
        location = events.location_create(
            organizer=organizer, name="Fun park", address="1 allée des Manèges", city="Lyon", country="FR"
        )
        event = events.event_create(
            organizer=organizer, location=location, name="Night rides", distributions=[shop]
        )
        start = timezone.now() + timezone.timedelta(days=20)
        day = events.event_date_create(
            event=event, start=start, end=start + timezone.timedelta(hours=4), capacity=50
        )
        events.ticket_type_create(event=event, event_date=day, name="Ride pass", price=Decimal("25.00"))
        events.event_publish(event=event)
    Domain.objects.filter(domain="funpark.localhost").update(organizer_slug="funpark")
    ConnectedAccount.objects.create(
        stripe_account_id=ACCOUNT,
        schema_name=organization.schema_name,
        organizer_id=organizer.pk,
        charges_enabled=True,
    )
    billing_account_open(  # the plan's fee: 0.49 per ticket + 1.50 %
        organization=organization,
        organizer_id=organizer.pk,
        organizer_name=organizer.name,
        organizer_slug=organizer.slug,
        country="FR",
        plan=plan_build(slug="starter"),
        contact_email="billing@funpark.example",
    )
    return organization, day


def fill_card(page, number: str) -> None:
    page.get_by_placeholder("number").fill(number)
    page.get_by_placeholder("exp_month").fill("12")
    page.get_by_placeholder("exp_year").fill("34")
    page.get_by_placeholder("cvc").fill("123")
    page.get_by_placeholder("postal_code").fill("69001")


def test_a_customer_pays_by_card_and_opens_the_pdf(page, live_server, funpark, localstripe, artifacts):
    organization, day = funpark
    port = live_server.url.rsplit(":", 1)[1]
    page.goto(f"http://funpark.localhost:{port}/")
    page.get_by_role("link", name="Night rides").click()
    page.get_by_label("Number of “Ride pass” tickets").fill("2")
    page.get_by_role("button", name="Reserve these tickets").click()
    page.get_by_label("E-mail address").fill("jeanne@example.com")
    page.get_by_label("Name").fill("Jeanne Martin")
    page.get_by_role("button", name="Continue to payment").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Payment")
    expect(page.get_by_text("€50.00 to Fun park.")).to_be_visible()
    fill_card(page, "4000000000000341")  # localstripe declines charges on this card
    page.get_by_role("button", name="Pay").click()
    expect(page.get_by_role("alert")).to_contain_text(re.compile("declined", re.I))
    page.screenshot(path=str(artifacts / "shop-card-declined.png"), full_page=True)
    with schema_context(organization.schema_name):
        assert Order.objects.get().status == Order.Status.PENDING

    fill_card(page, "4242424242424242")
    page.get_by_role("button", name="Pay").click()
    expect(page).to_have_url(re.compile(r"/orders/[A-Z0-9]+/[\w-]+/$"), timeout=20_000)
    expect(page.locator("figure svg")).to_have_count(2)
    page.screenshot(path=str(artifacts / "shop-card-paid.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the tickets (PDF)").click()
    pdf = Path(download.value.path()).read_bytes()
    assert len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf)) == 2

    with schema_context(organization.schema_name):
        order = Order.objects.get()
        payment = Payment.objects.get()
        assert (order.status, order.total) == (Order.Status.PAID, Decimal("50.00"))
        assert DateStock.objects.get(event_date=day).sold == 2
        # 2 × 0.49 + 1.50 % of 50.00
        assert (payment.status, payment.application_fee) == (Payment.Status.SUCCEEDED, Decimal("1.73"))
    intent = stripe.StripeClient(
        stripe_fake.SECRET_KEY, base_addresses={"api": localstripe}
    ).v1.payment_intents.retrieve(payment.intent_id)
    assert (intent["status"], intent["amount"], intent["application_fee_amount"]) == ("succeeded", 5000, 173)

    # localstripe's signed payment_intent.succeeded names the connected account: it is routed
    # to funpark's schema and finds the order already paid by the return page, or pays it.
    deadline = time.monotonic() + 15
    succeeded = WebhookEvent.objects.filter(type="payment_intent.succeeded", account=ACCOUNT)
    while not succeeded.filter(processed_at__isnull=False).exists():
        assert time.monotonic() < deadline, "localstripe's webhook did not arrive"
        time.sleep(0.2)
    event = WebhookEvent.objects.get(type="payment_intent.succeeded", account=ACCOUNT)
    assert event.schema_name == organization.schema_name
    assert event.outcome in ("succeeded", "already succeeded")
    assert [m.to for m in mail.outbox if "Your tickets" in m.subject] == [["jeanne@example.com"]]
