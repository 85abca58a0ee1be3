"""Reads of buyers' invoices: those one may see in the control panel (the orders one sees,
apps.sales.selectors decides), and whether an organizer can issue any."""

from django.db.models import QuerySet

from apps.operators.permissions import Someone
from apps.organizers.models import Organizer
from apps.sales.models import Invoice, Order
from apps.sales.selectors import orders_visible_to


def invoices_visible_to(user: Someone) -> QuerySet[Invoice]:
    """The invoices of the orders one sees (configurers of their organizer, sellers of their
    channel, the organization's admins), newest first."""
    return (
        Invoice.objects.filter(order__in=orders_visible_to(user))
        .select_related("organizer", "order")
        .order_by("-issued_at", "-pk")
    )


def invoice_of(order: Order) -> Invoice | None:
    return Invoice.objects.filter(order=order).first()


def issues_invoices(organizer: Organizer) -> bool:
    """The organizer has the legal details an invoice needs (its legal name and address)."""
    return bool(organizer.legal_name.strip() and organizer.address.strip())
