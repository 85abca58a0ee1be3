"""An invoice issued while the broker is down is e-mailed once by the sweep when it is back:
its row (sent_at empty) is what is owed, not a message in Redis."""

from datetime import date

import pytest
from django.core import mail
from django.db.models import F

from apps.billing.models import Invoice
from apps.billing.services.run import account_invoice_for_period
from apps.billing.tasks import send_pending_invoices
from apps.core.emails import PENDING_AFTER
from tests.billing.accounts import account_open_on as _account
from tests.broker import broker  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db(transaction=True)  # real commits: on_commit runs at once


def test_an_invoice_issued_with_the_broker_down_is_mailed_once_by_the_sweep(
    fresh_organization,
    broker,  # noqa: F811
):
    organization = fresh_organization(name="Pi", slug="pi-org")
    account = _account(organization, signed_up=date(2026, 3, 10))

    with broker.down():
        invoice = account_invoice_for_period(account_id=account.pk, on=date(2026, 4, 10))

    assert invoice.number
    assert Invoice.objects.get(pk=invoice.pk).sent_at is None
    assert send_pending_invoices.delay(schema_name="public").result == 0  # too early
    Invoice.objects.filter(pk=invoice.pk).update(issued_at=F("issued_at") - PENDING_AFTER)
    send_pending_invoices.delay(schema_name="public")
    send_pending_invoices.delay(schema_name="public")

    assert len(mail.outbox) == 1
    assert mail.outbox[0].attachments[0][0] == f"{invoice.number}.pdf"
    assert Invoice.objects.get(pk=invoice.pk).sent_at is not None


def test_saving_a_card_with_the_broker_down_keeps_the_card(
    fresh_organization,
    broker,  # noqa: F811
    platform_on_localstripe,
):
    from tests.billing.test_charging_localstripe import _save_card

    organization = fresh_organization(name="Rho", slug="rho-org")
    account = _account(organization, signed_up=date(2026, 3, 10))
    account_invoice_for_period(account_id=account.pk, on=date(2026, 4, 10))  # owed

    with broker.down():
        saved = _save_card(account, platform_on_localstripe, "4242424242424242")

    assert saved.card_label.endswith("4242")
    assert Invoice.objects.get(account=account).status == Invoice.Status.OPEN  # charged by the daily run
