"""Add-ons (organization schema): products sold with tickets or orders — parking, a locker,
a T-shirt, a meal — with their own price, tax and stock, and the add-on lines of orders.

An add-on is sold per ticket (each ticket of the chosen ticket types may carry up to
`max_quantity` of it) or per order. Its stock is a counter row (AddOnStock) moved only by
apps.sales.addon_stock's conditional UPDATEs, exactly like the tickets' capacity: held while
in a cart or an unpaid order, sold when paid, given back on expiry, cancellation or refund.
"""

from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

AMOUNT: dict[str, Any] = {"max_digits": 12, "decimal_places": 3}


class AddOn(models.Model):
    """A product an organizer sells with the tickets of one event, or of all its events."""

    class Per(models.TextChoices):
        TICKET = "ticket", _("Each ticket")
        ORDER = "order", _("The whole order")

    organizer = models.ForeignKey("organizers.Organizer", on_delete=models.CASCADE, related_name="add_ons")
    event = models.ForeignKey(
        "events.Event",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="add_ons",
        verbose_name=_("event"),
        help_text=_("Empty: offered with every event of the organizer."),
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.CharField(_("description"), max_length=500, blank=True)
    price = models.DecimalField(
        _("price"), validators=[MinValueValidator(0)], help_text=_("In the organizer's currency."), **AMOUNT
    )
    stock = models.PositiveIntegerField(
        _("stock"), null=True, blank=True, help_text=_("How many can be sold in all; empty for no limit.")
    )
    per = models.CharField(_("offered for"), max_length=8, choices=Per.choices, default=Per.TICKET)
    ticket_types = models.ManyToManyField(
        "events.TicketType",
        blank=True,
        related_name="add_ons",
        verbose_name=_("ticket types"),
        help_text=_("Per ticket: the ticket types it is offered with; none chosen: every one."),
    )
    max_quantity = models.PositiveSmallIntegerField(
        _("maximum"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("The most one ticket (or one order) may carry."),
    )
    # A rule deleted leaves its add-ons untaxed from then on, as it does its ticket types.
    tax_rule = models.ForeignKey(
        "sales.TaxRule",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="add_ons",
        verbose_name=_("tax"),
    )
    on_sale = models.BooleanField(_("on sale"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("add-on")
        verbose_name_plural = _("add-ons")
        ordering = ["organizer", "name", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="sales_addon_price_not_negative"),
            models.CheckConstraint(
                condition=Q(max_quantity__gte=1) & Q(max_quantity__lte=100), name="sales_addon_max_quantity"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AddOnStock(models.Model):
    """Units of one add-on held (carts, unpaid orders) and sold; its stock, when set, bounds
    held + sold."""

    add_on = models.OneToOneField(AddOn, on_delete=models.CASCADE, primary_key=True, related_name="counter")
    held = models.PositiveIntegerField(default=0)
    sold = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("add-on stock")
        verbose_name_plural = _("add-on stocks")
        constraints = [
            models.CheckConstraint(
                condition=Q(held__gte=0) & Q(sold__gte=0), name="sales_addonstock_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.add_on_id}: {self.held} held, {self.sold} sold"


class OrderAddOn(models.Model):
    """Units of an add-on in an order, for one of its tickets or for the whole order, priced
    and taxed as sold (a snapshot, like a ticket's)."""

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        CANCELLED = "cancelled", _("Cancelled")
        REFUNDED = "refunded", _("Refunded")

    id = models.BigAutoField(primary_key=True)
    order = models.ForeignKey("sales.Order", on_delete=models.CASCADE, related_name="add_ons")
    ticket = models.ForeignKey(
        "sales.Ticket",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="add_ons",
        help_text=_("Empty: for the whole order."),
    )
    add_on = models.ForeignKey(AddOn, on_delete=models.PROTECT, related_name="sold_lines")
    name = models.CharField(_("name"), max_length=200)
    quantity = models.PositiveSmallIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price"), help_text=_("Tax included."), **AMOUNT)
    price = models.DecimalField(_("price"), help_text=_("Of all the units, tax included."), **AMOUNT)
    tax_name = models.CharField(_("tax"), max_length=100, blank=True)
    tax_rate = models.DecimalField(_("tax rate (%)"), max_digits=5, decimal_places=2, default=0)
    tax = models.DecimalField(_("tax amount"), default=0, **AMOUNT)
    tax_included = models.BooleanField(_("tax included in the listed price"), default=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.VALID)
    voided_at = models.DateTimeField(_("refunded or cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("order add-on")
        verbose_name_plural = _("order add-ons")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="sales_orderaddon_quantity"),
            models.CheckConstraint(
                condition=Q(tax__gte=0) & Q(tax__lte=F("price")), name="sales_orderaddon_tax_within_price"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.name}"

    @property
    def net_price(self) -> Any:
        return self.price - self.tax
