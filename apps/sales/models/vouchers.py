"""Vouchers (organization schema): codes an organizer gives out for a discount, and access
codes that show hidden ticket types (`unlocks_hidden`), possibly with no discount at all.

A voucher is used once per ticket sold with it. `used` counts the tickets that hold a use
(in carts, unpaid and paid orders); it moves only through apps.sales.services.vouchers, by a
conditional UPDATE that PostgreSQL re-checks under the row lock, so no interleaving of
buyers takes more than `max_uses`. An expired, cancelled or refunded ticket gives its use
back."""

from typing import Any

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

AMOUNT: dict[str, Any] = {"max_digits": 12, "decimal_places": 3}


class Voucher(models.Model):
    class PriceMode(models.TextChoices):
        NONE = "none", _("No discount")
        SUBTRACT = "subtract", _("Amount off")
        PERCENT = "percent", _("Percent off")
        SET = "set", _("Set price")

    organizer = models.ForeignKey("organizers.Organizer", on_delete=models.CASCADE, related_name="vouchers")
    code = models.CharField(
        _("code"), max_length=64, help_text=_("What the buyer types; upper and lower case are the same.")
    )
    price_mode = models.CharField(
        _("discount"), max_length=16, choices=PriceMode.choices, default=PriceMode.SUBTRACT
    )
    value = models.DecimalField(
        _("value"),
        default=0,
        help_text=_("The amount off, the percent off or the price set, by the kind of discount."),
        **AMOUNT,
    )
    event = models.ForeignKey(
        "events.Event",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="vouchers",
        verbose_name=_("event"),
        help_text=_("Empty: every event of the organizer."),
    )
    ticket_types: "models.ManyToManyField[Any, Any]" = models.ManyToManyField(
        "events.TicketType",
        through="VoucherTicketType",
        blank=True,
        related_name="vouchers",
        verbose_name=_("ticket types"),
        help_text=_("None chosen: every ticket type."),
    )
    event_dates: "models.ManyToManyField[Any, Any]" = models.ManyToManyField(
        "events.EventDate",
        through="VoucherEventDate",
        blank=True,
        related_name="vouchers",
        verbose_name=_("dates"),
        help_text=_("None chosen: every date (passes only then)."),
    )
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    max_uses = models.PositiveIntegerField(
        _("maximum uses"), null=True, blank=True, default=1, help_text=_("Tickets in all; empty: no limit.")
    )
    max_uses_per_buyer = models.PositiveIntegerField(
        _("maximum uses per buyer"),
        null=True,
        blank=True,
        help_text=_("Tickets per account or e-mail address; empty: no limit."),
    )
    used = models.PositiveIntegerField(_("uses"), default=0, editable=False)
    unlocks_hidden = models.BooleanField(
        _("shows hidden ticket types"),
        default=False,
        help_text=_("An access code: the hidden ticket types it covers can be bought with it."),
    )
    tag = models.CharField(
        _("tag"), max_length=64, blank=True, help_text=_("To find codes made together, e.g. a batch.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(Lower("code"), "organizer", name="sales_voucher_code_once"),
            models.CheckConstraint(
                condition=Q(max_uses__isnull=True) | Q(used__lte=F("max_uses")),
                name="sales_voucher_used_within_max",
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="sales_voucher_value_not_negative"),
            models.CheckConstraint(
                condition=~Q(price_mode="percent") | Q(value__lte=100),
                name="sales_voucher_percent_at_most_100",
            ),
        ]
        indexes = [models.Index(fields=["organizer", "tag"])]

    def __str__(self) -> str:
        return self.code

    @property
    def uses_left(self) -> int | None:
        return None if self.max_uses is None else max(self.max_uses - self.used, 0)


# A voucher's ticket types and dates protect them: deleting one would silently widen the
# voucher to every ticket type or date (none chosen means all), so it is refused with the
# voucher named (apps.events.services explains the dependants). The tables are those Django
# made for the plain many-to-many fields first.
class VoucherTicketType(models.Model):
    voucher = models.ForeignKey(Voucher, on_delete=models.CASCADE)
    ticket_type = models.ForeignKey(
        "events.TicketType", on_delete=models.PROTECT, db_column="tickettype_id", related_name="+"
    )

    class Meta:
        db_table = "sales_voucher_ticket_types"
        verbose_name = _("ticket type of a voucher")
        verbose_name_plural = _("ticket types of vouchers")
        constraints = [
            models.UniqueConstraint(fields=["voucher", "ticket_type"], name="sales_voucher_ticket_type_once")
        ]

    def __str__(self) -> str:
        return str(_("the voucher %(code)s") % {"code": self.voucher.code})


class VoucherEventDate(models.Model):
    voucher = models.ForeignKey(Voucher, on_delete=models.CASCADE)
    event_date = models.ForeignKey(
        "events.EventDate", on_delete=models.PROTECT, db_column="eventdate_id", related_name="+"
    )

    class Meta:
        db_table = "sales_voucher_event_dates"
        verbose_name = _("date of a voucher")
        verbose_name_plural = _("dates of vouchers")
        constraints = [
            models.UniqueConstraint(fields=["voucher", "event_date"], name="sales_voucher_event_date_once")
        ]

    def __str__(self) -> str:
        return str(_("the voucher %(code)s") % {"code": self.voucher.code})
