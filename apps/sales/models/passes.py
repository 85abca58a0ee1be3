"""Season passes (organization schema): a pass type valid for a period over some of its
organizer's events, sold as a ticket type; each pass bought is bound to its holder and used
either to enter on every covered date or to book a ticket for a chosen date.

Uses are counted on the pass with one conditional UPDATE (apps.sales.services.passes), so
no interleaving passes `max_uses`; a date is booked once per pass (a partial unique index).
"""

import secrets

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from apps.core.schemas import current_schema


class PassType(models.Model):
    """What is sold: its ticket type (priced, stocked and paid like any ticket), the days it
    is valid on (in each event's zone), the events it covers and how it is used."""

    class Mode(models.TextChoices):
        ENTRY = "entry", _("Enter on every covered date")
        BOOKING = "booking", _("Book a ticket for a chosen date")

    organizer = models.ForeignKey("organizers.Organizer", on_delete=models.CASCADE, related_name="pass_types")
    name = models.CharField(_("name"), max_length=200)
    ticket_type = models.OneToOneField(
        "events.TicketType",
        on_delete=models.PROTECT,
        related_name="pass_type",
        verbose_name=_("sold as"),
        help_text=_("The ticket type buyers buy the pass as: its price, stock and sale period."),
    )
    mode = models.CharField(_("use"), max_length=16, choices=Mode.choices, default=Mode.ENTRY)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), help_text=_("The last day it is valid, included."))
    events = models.ManyToManyField(
        "events.Event", related_name="pass_types", verbose_name=_("events covered"), blank=False
    )
    booking_price = models.DecimalField(
        _("price of a booking"),
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("Booking mode: what each ticket booked with the pass costs (0: free)."),
        max_digits=12,
        decimal_places=3,
    )
    max_uses = models.PositiveIntegerField(
        _("maximum uses"),
        null=True,
        blank=True,
        help_text=_("Entries or bookings per pass; empty for no limit."),
    )
    # Renewal: holders of `renewal_of` may buy this pass type from `holders_from`, everyone
    # else from its ticket type's sale start.
    renewal_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="renewals",
        verbose_name=_("renewal of"),
        help_text=_("Holders of that pass type may buy this one first."),
    )
    holders_from = models.DateTimeField(
        _("holders may buy from"),
        null=True,
        blank=True,
        help_text=_("Before the ticket type's sale start, only holders of the renewed pass type may buy it."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pass type")
        verbose_name_plural = _("pass types")
        ordering = ["organizer", "-valid_from", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("valid_from")), name="sales_passtype_period"
            ),
            models.CheckConstraint(
                condition=Q(booking_price__gte=0), name="sales_passtype_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def event_ids(self) -> list[int]:
        """The events covered (from a prefetch when there is one)."""
        return [event.pk for event in self.events.all()]


def pass_photo_path(season_pass: "Pass", filename: str) -> str:
    """<schema>/passes/<random>/<name>: an organization's photos under its own folder, each
    in a folder no one can guess (they are served only through permission-checked views)."""
    extension = filename.rsplit(".", 1)[-1].lower()[:5]
    return f"{current_schema()}/passes/{secrets.token_hex(12)}/photo.{extension}"


class Pass(models.Model):
    """One pass bought: the ticket it was bought as (its code is the pass's code at the gate),
    its holder and the uses counted so far."""

    pass_type = models.ForeignKey(PassType, on_delete=models.PROTECT, related_name="passes")
    ticket = models.OneToOneField("sales.Ticket", on_delete=models.CASCADE, related_name="season_pass")
    holder_name = models.CharField(_("holder"), max_length=200)
    photo = models.FileField(_("photo"), upload_to=pass_photo_path, blank=True)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="passes"
    )
    uses = models.PositiveIntegerField(_("uses"), default=0)
    # The ticket of next season's pass type bought early as this pass's renewal: once per pass
    # (a conditional UPDATE sets it; an expired or cancelled renewal order clears it).
    renewed_with = models.OneToOneField(
        "sales.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="renews"
    )
    # The holder's own access code to buy the renewal's ticket type (a Voucher of one use,
    # made by pass_renewal_codes_make), when the organizer sells the renewal hidden.
    renewal_voucher = models.ForeignKey(
        "sales.Voucher", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("issued"), auto_now_add=True)

    class Meta:
        verbose_name = _("pass")
        verbose_name_plural = _("passes")
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(uses__gte=0), name="sales_pass_uses_positive")]

    def __str__(self) -> str:
        return f"{self.pass_type.name}: {self.holder_name}"

    @property
    def code(self) -> str:
        return self.ticket.code

    @property
    def uses_left(self) -> int | None:
        limit = self.pass_type.max_uses
        return None if limit is None else max(0, limit - self.uses)


class PassBooking(models.Model):
    """A date booked with a pass: the ticket made for it (through the normal order, so the
    date's capacity counts it). Released when that ticket's order is cancelled or expires."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        RELEASED = "released", _("Released")

    season_pass = models.ForeignKey(Pass, on_delete=models.CASCADE, related_name="bookings")
    event_date = models.ForeignKey("events.EventDate", on_delete=models.PROTECT, related_name="pass_bookings")
    ticket = models.OneToOneField(
        "sales.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="pass_booking"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.BOOKED)
    created_at = models.DateTimeField(_("booked"), auto_now_add=True)

    class Meta:
        verbose_name = _("pass booking")
        verbose_name_plural = _("pass bookings")
        ordering = ["event_date__start", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["season_pass", "event_date"],
                condition=Q(status="booked"),
                name="sales_pass_books_a_date_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.season_pass_id} @ {self.event_date_id}"
