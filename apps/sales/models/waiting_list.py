"""The waiting list of a sold-out ticket type (organization schema): who waits, for how many,
and the offer each got once seats were free (apps.sales.services.waiting_list)."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class WaitingListEntry(models.Model):
    """A buyer waiting for `quantity` tickets of `ticket_type` on `event_date`.

    An offer is a held cart (an Order, pending, holding its seats in the stock counters)
    whose time runs out at `offer_expires_at`: the order's own expiry gives the seats back
    and passes them to the next in line."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("Offered")
        CONVERTED = "converted", _("Bought")
        EXPIRED = "expired", _("Offer unused")
        REMOVED = "removed", _("Removed")

    # Still in line or holding an offer: one such entry per ticket type and e-mail address.
    ACTIVE = (Status.WAITING, Status.OFFERED)

    id = models.BigAutoField(primary_key=True)
    event_date = models.ForeignKey(
        "events.EventDate", on_delete=models.CASCADE, related_name="waiting_list_entries"
    )
    ticket_type = models.ForeignKey(
        "events.TicketType", on_delete=models.CASCADE, related_name="waiting_list_entries"
    )
    email = models.EmailField(_("e-mail address"))
    quantity = models.PositiveSmallIntegerField(_("tickets"))
    language = models.CharField(max_length=10, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.WAITING)
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)
    offered_at = models.DateTimeField(_("offered"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer expires"), null=True, blank=True)
    # The held cart of the offer; paid, it is the order the entry turned into.
    order = models.ForeignKey(
        "sales.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="waiting_list_entries"
    )

    class Meta:
        verbose_name = _("waiting list entry")
        verbose_name_plural = _("waiting list entries")
        ordering = ["created_at", "id"]
        indexes = [
            # The line of a date, in order (serving, the control panel's list).
            models.Index(fields=["event_date", "status", "created_at", "id"], name="sales_waiting_line"),
        ]
        constraints = [
            models.UniqueConstraint(
                "ticket_type",
                Lower("email"),
                condition=Q(status__in=["waiting", "offered"]),
                name="sales_waiting_once_per_email",
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="sales_waiting_quantity_positive"),
            models.CheckConstraint(
                condition=~Q(status="offered") | Q(order__isnull=False, offer_expires_at__isnull=False),
                name="sales_waiting_offer_has_cart",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} × {self.quantity}"
