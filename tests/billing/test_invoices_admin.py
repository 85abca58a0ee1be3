"""The platform admin's invoices: every client's, filtered and totalled; corrections with a
reason; manual invoices; void; marked paid; credit notes."""

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django_tenants.utils import schema_context

from apps.billing import services
from apps.billing.models import Invoice, InvoiceLine
from apps.billing.services.collection import invoice_mark_paid
from apps.billing.services.corrections import credit_note_create
from apps.billing.services.run import account_invoice_for_period
from apps.core.models import AuditLogEntry
from tests.billing.accounts import account_open_on as _account
from tests.factories import UserFactory, totp_for

PLATFORM = "localhost"


@pytest.fixture
def staff(client, organizations):
    with schema_context("public"):
        admin = UserFactory(email="staff@platform.example", is_staff=True)
        totp_for(admin)
    client.force_login(admin)
    return client


@pytest.fixture
def invoices(organizations, django_capture_on_commit_callbacks):
    """An open invoice of 39.00 (due 2026-04-24) and a paid one."""
    alpha = organizations["alpha"]
    with django_capture_on_commit_callbacks(execute=True):
        unpaid = account_invoice_for_period(
            account_id=_account(alpha, signed_up=date(2026, 3, 10), slug="unpaid").pk, on=date(2026, 4, 10)
        )
        paid = account_invoice_for_period(
            account_id=_account(alpha, signed_up=date(2026, 3, 12), organizer_id=2, slug="paid").pk,
            on=date(2026, 4, 12),
        )
    invoice_mark_paid(invoice_id=paid.pk, actor=services.SYSTEM)
    mail.outbox.clear()
    return unpaid, paid


def test_only_platform_admins_see_the_invoices(client, invoices):
    with schema_context("public"):
        client.force_login(UserFactory(email="nobody@platform.example"))
    assert client.get("/platform/invoices/", HTTP_HOST=PLATFORM).status_code == 403


def test_the_list_filters_and_totals(staff, invoices):
    unpaid, paid = invoices

    everything = staff.get("/platform/invoices/", HTTP_HOST=PLATFORM).content.decode()
    unpaid_only = staff.get("/platform/invoices/?status=unpaid", HTTP_HOST=PLATFORM).content.decode()
    overdue = staff.get("/platform/invoices/?status=overdue", HTTP_HOST=PLATFORM).content.decode()
    by_number = staff.get(f"/platform/invoices/?search={paid.number}", HTTP_HOST=PLATFORM).content.decode()

    assert unpaid.number in everything
    assert paid.number in everything
    assert "€78.00" in everything  # both, 39.00 each
    assert unpaid.number in unpaid_only
    assert paid.number not in unpaid_only
    assert unpaid.number in overdue  # due 2026-04-24, long past
    assert paid.number in by_number
    assert unpaid.number not in by_number


def test_changing_an_unpaid_invoice_needs_a_reason_and_is_audited(staff, invoices):
    unpaid, _paid = invoices
    url = f"/platform/invoices/{unpaid.pk}/"

    refused = staff.post(url, {"action": "adjust", "adjust-total": "30.00"}, HTTP_HOST=PLATFORM)
    done = staff.post(
        url,
        {
            "action": "adjust",
            "adjust-total": "30.00",
            "adjust-due_date": "2026-05-31",
            "adjust-reason": "Goodwill",
        },
        HTTP_HOST=PLATFORM,
    )

    assert refused.status_code == 400
    assert done.status_code == 302
    unpaid.refresh_from_db()
    assert (unpaid.total, unpaid.due_date) == (Decimal("30.00"), date(2026, 5, 31))
    assert sum(unpaid.lines.values_list("amount", flat=True)) == Decimal("30.00")
    assert unpaid.lines.filter(kind=InvoiceLine.Kind.ADJUSTMENT, amount=Decimal("-9.00")).exists()
    entry = AuditLogEntry.objects.get(action="invoice.adjusted")
    assert entry.data["reason"] == "Goodwill"
    assert entry.data["before"]["total"] == "39.000"


def test_a_paid_invoice_is_credited_not_changed(staff, invoices):
    _unpaid, paid = invoices

    changed = staff.post(
        f"/platform/invoices/{paid.pk}/",
        {"action": "adjust", "adjust-total": "1", "adjust-reason": "x"},
        HTTP_HOST=PLATFORM,
    )
    credited = staff.post(
        f"/platform/invoices/{paid.pk}/",
        {"action": "credit", "credit-amount": "10.00", "credit-reason": "Setup waived"},
        HTTP_HOST=PLATFORM,
    )

    assert changed.status_code == 400
    assert credited.status_code == 302
    note = Invoice.objects.get(kind=Invoice.Kind.CREDIT_NOTE)
    assert (note.total, note.status, note.credited_invoice) == (Decimal("-10.00"), Invoice.Status.OPEN, paid)
    assert note.number.startswith("INV-")


def test_crediting_an_unpaid_invoice_settles_it(invoices):
    unpaid, _paid = invoices

    credit_note_create(invoice_id=unpaid.pk, amount=Decimal("39.00"), actor=services.SYSTEM, reason="Trial")

    unpaid.refresh_from_db()
    assert unpaid.status == Invoice.Status.PAID
    with pytest.raises(Exception, match="at most"):
        credit_note_create(
            invoice_id=unpaid.pk, amount=Decimal("1.00"), actor=services.SYSTEM, reason="Again"
        )


def test_void_and_mark_paid(staff, invoices, django_capture_on_commit_callbacks):
    unpaid, paid = invoices

    marked = staff.post(
        f"/platform/invoices/{unpaid.pk}/paid/", {"paid-reason": "Transfer 12 May"}, HTTP_HOST=PLATFORM
    )
    voided = staff.post(
        f"/platform/invoices/{paid.pk}/", {"action": "void", "void-reason": "Oops"}, HTTP_HOST=PLATFORM
    )

    unpaid.refresh_from_db()
    assert marked.status_code == 302
    assert unpaid.status == Invoice.Status.PAID
    assert voided.status_code == 400  # a paid invoice is credited, never voided
    assert "use a credit note" in voided.content.decode()


def test_a_manual_invoice_is_numbered_and_emailed(staff, invoices, django_capture_on_commit_callbacks):
    unpaid, _paid = invoices
    with django_capture_on_commit_callbacks(execute=True):
        answer = staff.post(
            "/platform/invoices/new/",
            {
                "account": unpaid.account_id,
                "description": "Training day",
                "amount": "450.00",
                "due_date": "2026-12-31",
            },
            HTTP_HOST=PLATFORM,
        )

    invoice = Invoice.objects.get(kind=Invoice.Kind.MANUAL)
    assert answer["Location"] == f"/platform/invoices/{invoice.pk}/"
    assert (invoice.total, invoice.status, invoice.due_date) == (
        Decimal("450.00"),
        Invoice.Status.OPEN,
        date(2026, 12, 31),
    )
    assert [m.subject for m in mail.outbox] == [f"Invoice {invoice.number} from Tessera"]
    assert staff.get(f"/platform/invoices/{invoice.pk}.pdf", HTTP_HOST=PLATFORM).content.startswith(b"%PDF")
