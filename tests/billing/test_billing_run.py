"""The monthly billing run: exactly one invoice per account and period, whatever runs twice,
at once, or dies half-way; numbered without gaps; lines from the plan and the period's sales."""

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection, connections, transaction
from django_tenants.utils import schema_context

from apps.billing.models import BillingAccount, Invoice, InvoiceLine
from apps.billing.selectors.periods import accounts_due, anchor_date, billing_period_ending
from apps.billing.services.invoicing import invoice_number_next, invoice_send
from apps.billing.services.run import account_invoice_for_period, billing_run
from apps.payments.models import Payment
from apps.sales.models import Order
from apps.sales.services.orders import OrderLine, order_create
from apps.sales.services.payments import order_refund
from tests.billing.accounts import account_open_on as _account
from tests.sales.helpers import shop_build
from tests.tenants import ALPHA


def _number_taken_then_crash():
    with transaction.atomic():  # an issuing transaction that dies after taking a number
        invoice_number_next(2026)
        raise RuntimeError("crash")


def test_the_billing_day_is_clamped_to_short_months():
    assert anchor_date(2027, 2, 31) == date(2027, 2, 28)
    assert anchor_date(2028, 2, 30) == date(2028, 2, 29)
    assert anchor_date(2027, 4, 31) == date(2027, 4, 30)
    assert anchor_date(2027, 5, 31) == date(2027, 5, 31)


def test_periods_run_from_billing_day_to_billing_day(organizations):
    account = _account(organizations["alpha"], signed_up=date(2026, 1, 31))

    assert billing_period_ending(account, date(2026, 1, 31)) is None  # the signup day itself
    assert billing_period_ending(account, date(2026, 2, 27)) is None
    assert billing_period_ending(account, date(2026, 2, 28)) == (date(2026, 1, 31), date(2026, 2, 28))
    assert billing_period_ending(account, date(2026, 3, 31)) == (date(2026, 2, 28), date(2026, 3, 31))


def test_the_last_day_of_a_month_is_due_for_the_days_it_lacks(organizations):
    late = [
        _account(organizations["alpha"], signed_up=date(2026, 1, d), organizer_id=d, slug=f"c{d}")
        for d in (28, 30, 31)
    ]
    early = _account(organizations["alpha"], signed_up=date(2026, 1, 27), organizer_id=27, slug="c27")

    due = set(accounts_due(date(2026, 2, 28)))

    assert due == set(late)
    assert early not in due


def test_the_first_invoice_has_the_monthly_and_setup_fees_and_the_next_ones_no_setup_fee(organizations):
    account = _account(organizations["alpha"], signed_up=date(2026, 3, 10))

    first = account_invoice_for_period(account_id=account.pk, on=date(2026, 4, 10))
    second = account_invoice_for_period(account_id=account.pk, on=date(2026, 5, 10))

    assert [line.kind for line in first.lines.all()] == [
        InvoiceLine.Kind.MONTHLY_FEE,
        InvoiceLine.Kind.SETUP_FEE,
    ]
    assert (first.total, first.currency, first.status) == (Decimal("39.00"), "EUR", Invoice.Status.OPEN)
    assert (first.period_start, first.period_end, first.due_date) == (
        date(2026, 3, 10),
        date(2026, 4, 10),
        date(2026, 4, 24),
    )
    assert [line.kind for line in second.lines.all()] == [InvoiceLine.Kind.MONTHLY_FEE]
    assert second.total == Decimal("29.00")
    assert (first.number, second.number) == ("INV-2026-000001", "INV-2026-000002")


def test_overrides_win_over_the_plan(organizations):
    account = _account(organizations["alpha"], signed_up=date(2026, 3, 10))
    BillingAccount.objects.filter(pk=account.pk).update(
        monthly_fee_override=Decimal("5.00"), setup_fee_override=0
    )

    invoice = account_invoice_for_period(account_id=account.pk, on=date(2026, 4, 10))

    assert invoice.total == Decimal("5.00")


def test_a_second_call_finds_the_invoice_and_numbers_stay_gapless(organizations):
    account = _account(organizations["alpha"], signed_up=date(2026, 3, 10))
    first = account_invoice_for_period(account_id=account.pk, on=date(2026, 4, 10))

    again = account_invoice_for_period(account_id=account.pk, on=date(2026, 4, 10))
    with pytest.raises(RuntimeError):
        _number_taken_then_crash()
    other = _account(organizations["alpha"], signed_up=date(2026, 3, 11), organizer_id=2, slug="other")
    next_one = account_invoice_for_period(account_id=other.pk, on=date(2026, 4, 11))

    assert again.pk == first.pk
    assert Invoice.objects.filter(account=account).count() == 1
    assert next_one.number == "INV-2026-000002"


def test_transaction_fees_come_from_the_periods_sales_minus_what_stripe_took(alpha):
    with schema_context(ALPHA.schema_name):
        shop = shop_build(capacity=100)
    account = _account(alpha, signed_up=date(2026, 3, 10), organizer_id=shop.organizer.pk)
    in_period = dt.datetime(2026, 3, 20, 12, tzinfo=dt.UTC)
    before = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
    with schema_context(ALPHA.schema_name):
        orders = [
            order_create(
                distribution=shop.box_office,
                lines=[OrderLine(ticket_type=shop.day_ticket, quantity=quantity)],
                email="a@example.com",
                payment_method=Order.PaymentMethod.CASH,
            )
            for quantity in (3, 2, 1)
        ]
        Order.objects.filter(pk__in=[orders[0].pk, orders[1].pk]).update(paid_at=in_period)
        Order.objects.filter(pk=orders[2].pk).update(paid_at=before)  # an earlier period's sale…
        order_refund(order_id=orders[2].pk)  # …refunded now (in the period)
        orders[2].tickets.update(voided_at=in_period)
        Payment.objects.create(
            purpose="order",
            object_id=orders[1].pk,
            intent_id="pi_collected",
            stripe_account_id="acct_x",
            amount=Decimal("20.00"),
            currency="EUR",
            application_fee=Decimal("1.28"),
            status=Payment.Status.SUCCEEDED,
        )

    invoice = account_invoice_for_period(account_id=account.pk, on=date(2026, 4, 10))

    lines = {line.kind: line.amount for line in invoice.lines.all()}
    assert lines[InvoiceLine.Kind.TRANSACTION_FEES] == Decimal("3.20")  # 5 × 0.49 + 1.5 % of 50.00
    assert lines[InvoiceLine.Kind.COLLECTED_FEES] == Decimal("-1.28")
    assert lines[InvoiceLine.Kind.REFUND_CREDIT] == Decimal("-0.64")  # 0.49 + 1.5 % of 10.00
    assert invoice.total == Decimal("29.00") + Decimal("10.00") + Decimal("3.20") - Decimal("1.28") - Decimal(
        "0.64"
    )


def test_the_run_invoices_every_due_account_once_and_a_second_run_makes_none(
    organizations, django_capture_on_commit_callbacks
):
    due = [
        _account(organizations["alpha"], signed_up=date(2026, 3, 10), organizer_id=n, slug=f"due{n}")
        for n in (1, 2, 3)
    ]
    _account(organizations["alpha"], signed_up=date(2026, 3, 11), organizer_id=9, slug="later")

    with django_capture_on_commit_callbacks(execute=True):
        assert billing_run(on=date(2026, 4, 10)) == 3
    with django_capture_on_commit_callbacks(execute=True):
        billing_run(on=date(2026, 4, 10))

    assert Invoice.objects.count() == 3
    assert set(Invoice.objects.values_list("account", flat=True)) == {a.pk for a in due}
    assert sorted(m.to[0] for m in mail.outbox) == [f"billing@due{n}.example" for n in (1, 2, 3)]
    assert all(m.attachments[0][2] == "application/pdf" for m in mail.outbox)


def test_a_billing_day_missed_in_the_week_before_is_made_up_once(
    organizations, django_capture_on_commit_callbacks
):
    """Beat down on the 10th, a lost task or a missing exchange rate: the next runs make the
    invoice of that period, once; a billing day more than a week back is left to a person."""
    missed = _account(organizations["alpha"], signed_up=date(2026, 3, 10), organizer_id=1, slug="missed")
    billed = _account(organizations["alpha"], signed_up=date(2026, 3, 11), organizer_id=2, slug="billed")
    too_old = _account(organizations["alpha"], signed_up=date(2026, 3, 2), organizer_id=3, slug="old")
    account_invoice_for_period(account_id=billed.pk, on=date(2026, 4, 11))

    with django_capture_on_commit_callbacks(execute=True):
        assert billing_run(on=date(2026, 4, 12)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert billing_run(on=date(2026, 4, 13)) == 0

    invoices = Invoice.objects.order_by("account__organizer_id")
    assert [(i.account_id, i.period_start, i.period_end) for i in invoices] == [
        (missed.pk, date(2026, 3, 10), date(2026, 4, 10)),
        (billed.pk, date(2026, 3, 11), date(2026, 4, 11)),
    ]
    assert not Invoice.objects.filter(account=too_old).exists()


def test_an_invoice_is_emailed_once(organizations, django_capture_on_commit_callbacks):
    account = _account(organizations["alpha"], signed_up=date(2026, 3, 10))
    with django_capture_on_commit_callbacks(execute=True):
        invoice = account_invoice_for_period(account_id=account.pk, on=date(2026, 4, 10))

    assert invoice_send(invoice_id=invoice.pk) is False
    assert len(mail.outbox) == 1
    assert mail.outbox[0].attachments[0][0] == f"{invoice.number}.pdf"
    assert mail.outbox[0].attachments[0][1].startswith(b"%PDF")


def test_an_invoice_id_used_again_after_a_restore_is_still_emailed(
    organizations, django_capture_on_commit_callbacks
):
    """The e-mail of an invoice is bound to its row (sent_at), not to its id: a database
    restored (or recreated) behind a cache that remembers ids still mails every invoice."""

    def invoices_start_over():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no trigger events may be pending
            cursor.execute("TRUNCATE billing_invoice RESTART IDENTITY CASCADE")

    invoices_start_over()
    account = _account(organizations["alpha"], signed_up=date(2026, 3, 10))
    with django_capture_on_commit_callbacks(execute=True):
        first = account_invoice_for_period(account_id=account.pk, on=date(2026, 4, 10))
    invoices_start_over()

    with django_capture_on_commit_callbacks(execute=True):
        second = account_invoice_for_period(account_id=account.pk, on=date(2026, 4, 10))

    assert second.pk == first.pk
    assert len(mail.outbox) == 2
    assert mail.outbox[1].attachments[0][0] == f"{second.number}.pdf"


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_make_one_invoice_per_account(fresh_organization):
    organization = fresh_organization(name="Billing race", slug="billing-race")
    accounts = [
        _account(organization, signed_up=date(2026, 3, 10), organizer_id=n, slug=f"r{n}") for n in range(1, 4)
    ]
    barrier = threading.Barrier(8)

    def run(_worker):
        try:
            barrier.wait(timeout=30)
            return [
                account_invoice_for_period(account_id=account.pk, on=date(2026, 4, 10)).pk
                for account in accounts
            ]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(run, range(8)))

    assert len({tuple(r) for r in results}) == 1  # everyone got the same invoices
    assert Invoice.objects.count() == 3
    assert sorted(Invoice.objects.values_list("number", flat=True)) == [
        f"INV-2026-00000{n}" for n in (1, 2, 3)
    ]
