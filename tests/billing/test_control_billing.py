"""A client's billing page: its invoices and PDFs, balance, next invoice and card on file,
for its organization admins only; and the banner when it is past due or suspended."""

from datetime import date

import pytest
import responses
from django.test import Client
from django_tenants.utils import schema_context

from apps.billing.models import BillingAccount, Invoice
from apps.billing.services.accounts import billing_account_update
from apps.billing.services.adjustments import billing_adjustment_create
from apps.billing.services.run import account_invoice_for_period
from apps.plans.services import addon_price_create
from tests.billing.accounts import account_open_on as _account
from tests.factories import OperatorFactory, UserFactory
from tests.payments import stripe_fake
from tests.tenants import ALPHA, BETA


@pytest.fixture
def invoiced(organizations, django_capture_on_commit_callbacks):
    account = _account(organizations["alpha"], signed_up=date(2026, 3, 10))
    with django_capture_on_commit_callbacks(execute=True):
        invoice = account_invoice_for_period(account_id=account.pk, on=date(2026, 4, 10))
    return account, invoice


def _as(user_factory, schema=ALPHA, **fields):
    with schema_context(schema.schema_name):
        user = user_factory(**fields)
        client = Client(HTTP_HOST=schema.host)
        client.force_login(user)
    return client


def test_an_admin_sees_invoices_balance_and_the_next_invoice(invoiced):
    account, invoice = invoiced
    admin = _as(OperatorFactory, email="boss@alpha.example", is_admin=True)

    page = admin.get("/control/billing/")
    pdf = admin.get(f"/control/billing/invoices/{invoice.pk}.pdf")

    body = page.content.decode()
    assert page.status_code == 200
    assert invoice.number in body
    assert "€39.00" in body  # the balance: the open invoice
    assert "Next invoice" in body
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_only_the_organizations_admins_see_billing(invoiced):
    account, invoice = invoiced
    operator = _as(OperatorFactory, email="staff@alpha.example")
    customer = _as(UserFactory, email="buyer@alpha.example")
    twin_admin = _as(OperatorFactory, schema=BETA, email="boss@beta.example", is_admin=True)

    assert operator.get("/control/billing/").status_code == 403
    assert customer.get("/control/billing/").status_code == 403
    assert twin_admin.get(f"/control/billing/invoices/{invoice.pk}.pdf").status_code == 404
    assert "INV-" not in twin_admin.get("/control/billing/").content.decode()


def test_a_card_is_saved_with_a_setup_intent_and_what_is_owed_charged(
    invoiced, stripe_platform, stripe_api, django_capture_on_commit_callbacks
):
    account, invoice = invoiced
    admin = _as(OperatorFactory, email="boss@alpha.example", is_admin=True)
    stripe_api.add(
        responses.POST, f"{stripe_fake.API}/v1/customers", json={"id": "cus_New1", "object": "customer"}
    )
    stripe_api.add(
        responses.POST,
        f"{stripe_fake.API}/v1/setup_intents",
        json={
            "id": "seti_1",
            "object": "setup_intent",
            "client_secret": "seti_1_secret_x",
            "status": "requires_payment_method",
        },
    )
    stripe_api.add(
        responses.GET,
        f"{stripe_fake.API}/v1/setup_intents/seti_1",
        json={
            "id": "seti_1",
            "object": "setup_intent",
            "customer": "cus_New1",
            "status": "succeeded",
            "payment_method": "pm_New1",
        },
    )
    stripe_api.add(
        responses.GET,
        f"{stripe_fake.API}/v1/payment_methods/pm_New1",
        json={"id": "pm_New1", "object": "payment_method", "card": {"brand": "visa", "last4": "4242"}},
    )
    stripe_api.add(
        responses.POST,
        f"{stripe_fake.API}/v1/payment_intents",
        json=stripe_fake.payment_intent(amount=3900, status="succeeded"),
    )

    form = admin.post(f"/control/billing/accounts/{account.pk}/card/")
    with django_capture_on_commit_callbacks(execute=True):
        done = admin.get(
            f"/control/billing/accounts/{account.pk}/card/done/?setup_intent=seti_1", follow=True
        )

    assert "seti_1_secret_x" in form.content.decode()
    assert "Visa •••• 4242 is your card on file." in done.content.decode()
    account.refresh_from_db()
    invoice.refresh_from_db()
    assert (account.stripe_customer_id, account.payment_method_id) == ("cus_New1", "pm_New1")
    assert invoice.status == Invoice.Status.PAID


@pytest.mark.parametrize(
    ("status", "words"),
    [("past_due", "A payment of your platform invoice failed"), ("suspended", "Your account is suspended")],
)
def test_the_control_panel_warns_a_client_past_due_or_suspended(invoiced, status, words):
    account, _invoice = invoiced
    BillingAccount.objects.filter(pk=account.pk).update(status=status)
    operator = _as(OperatorFactory, email="staff@alpha.example")

    assert words in operator.get("/control/").content.decode()


def test_the_next_invoice_estimate_counts_addons_and_pending_adjustments(invoiced):
    from decimal import Decimal

    from apps.core.audit import Actor

    account, _invoice = invoiced
    addon_price_create(feature="custom_domain", currency="EUR", monthly_fee=Decimal("15.00"))
    billing_account_update(account_id=account.pk, changes={"addons": ["custom_domain"]}, actor=Actor(None))
    billing_adjustment_create(
        account_id=account.pk, description="Training day", amount=Decimal("25.00"), actor=Actor(None)
    )
    admin = _as(OperatorFactory, email="boss@alpha.example", is_admin=True)

    body = admin.get("/control/billing/").content.decode()

    assert "about €69.00 with this period" in body  # 29.00 monthly + 15.00 add-on + 25.00 charge
