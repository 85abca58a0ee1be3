"""What is sold (organization schema): stock counters, carts, orders and their tickets.

Capacity is enforced by the stock counters: every sale or hold moves a counter with one
conditional UPDATE that PostgreSQL re-checks under the row lock, so no interleaving of
requests or workers can take more than capacity (apps.sales.inventory).
"""

import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Lower, NullIf
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from apps.core.currencies import currency_exponent
from apps.core.money import fits_currency
from apps.organizers.selectors import organization_currencies
from apps.sales.models.addons import AddOn, AddOnStock, OrderAddOn
from apps.sales.models.exports import Export, _exports_storage, export_file_path
from apps.sales.models.passes import Pass, PassBooking, PassType, pass_photo_path
from apps.sales.models.questions import Answer, AnswerDeadline, Question, QuestionOption
from apps.sales.models.vouchers import Voucher, VoucherEventDate, VoucherTicketType
from apps.sales.models.waiting_list import WaitingListEntry

# Export lives in its own module; named here too, as migrations and callers spell it.
__all__ = [
    "AddOn",
    "AddOnStock",
    "Answer",
    "AnswerDeadline",
    "Export",
    "OrderAddOn",
    "Pass",
    "PassBooking",
    "PassType",
    "Question",
    "QuestionOption",
    "Voucher",
    "VoucherEventDate",
    "VoucherTicketType",
    "WaitingListEntry",
    "_exports_storage",
    "export_file_path",
    "pass_photo_path",
]

# Unambiguous upper-case letters and digits (no 0/O, 1/I/L) for codes people read out.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def order_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


def order_secret() -> str:
    return secrets.token_urlsafe(24)


def ticket_code() -> str:
    """Unguessable: 128 bits, what the QR code carries and the gate scans."""
    return secrets.token_urlsafe(16)


AMOUNT: dict[str, Any] = {"max_digits": 12, "decimal_places": 3}


class DateStock(models.Model):
    """Tickets held (in carts and unpaid orders) and sold for one event date; the date's
    effective capacity (its own, else its location's) bounds held + sold."""

    event_date = models.OneToOneField(
        "events.EventDate", on_delete=models.CASCADE, primary_key=True, related_name="stock"
    )
    held = models.PositiveIntegerField(default=0)
    sold = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("date stock")
        verbose_name_plural = _("date stocks")
        constraints = [
            models.CheckConstraint(condition=Q(held__gte=0) & Q(sold__gte=0), name="sales_datestock_positive")
        ]

    def __str__(self) -> str:
        return f"{self.event_date_id}: {self.held} held, {self.sold} sold"


class TicketTypeStock(models.Model):
    """Tickets of one type held and sold; the type's own limit, when set, bounds held + sold."""

    ticket_type = models.OneToOneField(
        "events.TicketType", on_delete=models.CASCADE, primary_key=True, related_name="stock"
    )
    held = models.PositiveIntegerField(default=0)
    sold = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("ticket type stock")
        verbose_name_plural = _("ticket type stocks")
        constraints = [
            models.CheckConstraint(
                condition=Q(held__gte=0) & Q(sold__gte=0), name="sales_tickettypestock_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_type_id}: {self.held} held, {self.sold} sold"


class Order(models.Model):
    """A purchase of one organizer's tickets through one distribution, in its currency.

    A pending order holds its tickets' capacity until `expires_at`; paying turns the hold
    into a sale. Cancelled and expired orders hold nothing.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting payment")
        PAID = "paid", _("Paid")
        EXPIRED = "expired", _("Expired")
        CANCELLED = "cancelled", _("Cancelled")
        REFUNDED = "refunded", _("Refunded")

    class PaymentMethod(models.TextChoices):
        STRIPE = "stripe", _("Card (online)")
        CASH = "cash", _("Cash")
        CARD_TERMINAL = "card_terminal", _("Card terminal")
        FREE = "free", _("Free")

    # Paid at the counter: the order is paid as soon as it is made.
    COUNTER_METHODS = (PaymentMethod.CASH, PaymentMethod.CARD_TERMINAL)
    # What its card payments say they pay for (apps.core.hooks.payment_succeeded).
    PAYMENT_PURPOSE = "order"

    id = models.BigAutoField(primary_key=True)
    code = models.CharField(_("order code"), max_length=16, unique=True, default=order_code)
    secret = models.CharField(max_length=64, default=order_secret, editable=False)
    organizer = models.ForeignKey("organizers.Organizer", on_delete=models.PROTECT, related_name="orders")
    distribution = models.ForeignKey(
        "organizers.Distribution", on_delete=models.PROTECT, related_name="orders"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    payment_method = models.CharField(_("payment method"), max_length=16, choices=PaymentMethod.choices)
    email = models.EmailField(_("e-mail address"), blank=True, help_text=_("Empty while a cart."))
    buyer_name = models.CharField(_("name"), max_length=200, blank=True)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    sold_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("sold by"),
    )
    currency = models.CharField(_("currency"), max_length=3)
    subtotal = models.DecimalField(_("tickets"), **AMOUNT)
    fee_total = models.DecimalField(_("fees"), default=0, **AMOUNT)
    total = models.DecimalField(_("total"), **AMOUNT)
    tax_total = models.DecimalField(
        _("tax"), default=0, help_text=_("The tax contained in the tickets' prices."), **AMOUNT
    )
    discount_total = models.DecimalField(
        _("discount"), default=0, help_text=_("What vouchers took off the tickets' prices."), **AMOUNT
    )
    holds_capacity = models.BooleanField(default=True, editable=False)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(_("tickets e-mailed"), null=True, blank=True, editable=False)
    language = models.CharField(max_length=10, blank=True)
    # Who holds a shop cart's seats (apps.sales.holds): the browser session's random holder
    # token and the client's network; empty for orders made at the box office or the API.
    hold_session = models.CharField(max_length=32, blank=True, editable=False)
    hold_network = models.GenericIPAddressField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["organizer", "status", "created_at"]),
            models.Index(
                fields=["expires_at"], condition=Q(status="pending"), name="sales_order_pending_expiry"
            ),
            models.Index(
                fields=["hold_session", "expires_at"],
                condition=Q(status="pending") & ~Q(hold_session=""),
                name="sales_order_held_by_session",
            ),
            models.Index(
                fields=["hold_network", "expires_at"],
                condition=Q(status="pending", hold_network__isnull=False),
                name="sales_order_held_by_network",
            ),
            # The sweep of lost tickets e-mails (selectors.orders_awaiting_confirmation).
            models.Index(
                fields=["paid_at"],
                condition=Q(status="paid", confirmation_sent_at=None),
                name="sales_order_unconfirmed",
            ),
            # The control panel's list of orders (selectors.orders.orders_listed), carts aside:
            # by date placed, by total, by buyer (its sort key), and a channel's by date.
            models.Index(fields=["created_at", "id"], condition=~Q(email=""), name="sales_order_listed"),
            models.Index(fields=["total", "id"], condition=~Q(email=""), name="sales_order_listed_by_total"),
            models.Index(
                Lower(Coalesce(NullIf("buyer_name", Value("")), "email")),
                F("id"),
                condition=~Q(email=""),
                name="sales_order_listed_by_buyer",
            ),
            models.Index(
                fields=["distribution", "created_at"],
                condition=~Q(email=""),
                name="sales_order_listed_by_channel",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(total=F("subtotal") + F("fee_total")), name="sales_order_total_adds_up"
            ),
            models.CheckConstraint(
                condition=~Q(status="pending") | Q(expires_at__isnull=False),
                name="sales_order_pending_expires",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class OrderRequest(models.Model):
    """An API order request sent with an Idempotency-Key: a retry of it (same caller, same
    key) gets this order back instead of selling again."""

    caller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text=_("SHA-256 of the request body."))
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("order request")
        verbose_name_plural = _("order requests")
        constraints = [models.UniqueConstraint(fields=["caller", "key"], name="sales_order_request_once")]

    def __str__(self) -> str:
        return self.key


class Ticket(models.Model):
    """One admission: of a ticket type, for one date (a pass: every date of its event)."""

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        CANCELLED = "cancelled", _("Cancelled")
        REFUNDED = "refunded", _("Refunded")

    id = models.BigAutoField(primary_key=True)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="tickets")
    ticket_type = models.ForeignKey("events.TicketType", on_delete=models.PROTECT, related_name="tickets")
    event_date = models.ForeignKey(
        "events.EventDate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        help_text=_("Empty for a pass."),
    )
    code = models.CharField(_("ticket code"), max_length=32, unique=True, default=ticket_code)
    price = models.DecimalField(_("price"), **AMOUNT)
    fee = models.DecimalField(
        _("fee"), default=0, help_text=_("Paid by the buyer on top of the price."), **AMOUNT
    )
    absorbed_fee = models.DecimalField(
        _("absorbed fee"), default=0, help_text=_("Taken from the organizer's share of the price."), **AMOUNT
    )
    # The tax of its price, as priced (a snapshot: a later change of the rules changes no ticket
    # sold). `price` is always what the buyer pays for the ticket, tax included; `tax` is the
    # part of it that is tax. `tax_included`: the listed price included the tax (else the tax
    # was added on top of it).
    tax_name = models.CharField(_("tax"), max_length=100, blank=True)
    tax_rate = models.DecimalField(_("tax rate (%)"), max_digits=5, decimal_places=2, default=0)
    tax = models.DecimalField(_("tax amount"), default=0, **AMOUNT)
    tax_included = models.BooleanField(_("tax included in the listed price"), default=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.VALID)
    voided_at = models.DateTimeField(_("refunded or cancelled"), null=True, blank=True)
    # The voucher it was sold with (it holds one of its uses while valid), and how much less
    # than the listed price, tax included, `price` is for it.
    voucher = models.ForeignKey(
        Voucher, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    discount = models.DecimalField(_("discount"), default=0, **AMOUNT)
    attendee_name = models.CharField(_("attendee"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(tax__gte=0) & Q(tax__lte=F("price")), name="sales_ticket_tax_within_price"
            )
        ]

    def __str__(self) -> str:
        return f"{self.order.code}-{self.pk}"

    @property
    def net_price(self) -> Any:
        """The price without its tax."""
        return self.price - self.tax


class CheckIn(models.Model):
    """A ticket admitted at the gate for one date (a pass: once per date of its event)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="check_ins")
    event_date = models.ForeignKey("events.EventDate", on_delete=models.CASCADE, related_name="check_ins")
    checked_in_at = models.DateTimeField(_("admitted at"), auto_now_add=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "event_date"], name="sales_checkin_once_per_date")
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} @ {self.event_date_id}"


class FeeRule(models.Model):
    """A service fee per ticket: for the whole organization (no organizer, no event), one
    organizer, or one event; the most specific applies. Paid by the buyer on top of the
    price, or absorbed by the organizer (taken out of what it receives)."""

    class PaidBy(models.TextChoices):
        BUYER = "buyer", _("The buyer, on top of the price")
        ORGANIZER = "organizer", _("The organizer (included in the price)")

    organizer = models.ForeignKey(
        "organizers.Organizer", null=True, blank=True, on_delete=models.CASCADE, related_name="fee_rules"
    )
    event = models.ForeignKey(
        "events.Event", null=True, blank=True, on_delete=models.CASCADE, related_name="fee_rules"
    )
    name = models.CharField(_("name"), max_length=100, default=_("Service fee"))
    fixed = models.DecimalField(_("fixed per ticket"), default=0, validators=[MinValueValidator(0)], **AMOUNT)
    percent = models.DecimalField(
        _("percent of the price"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    paid_by = models.CharField(_("paid by"), max_length=16, choices=PaidBy.choices, default=PaidBy.BUYER)

    class Meta:
        verbose_name = _("fee rule")
        verbose_name_plural = _("fee rules")
        constraints = [
            models.UniqueConstraint(
                fields=["event"], condition=Q(event__isnull=False), name="sales_feerule_one_per_event"
            ),
            models.UniqueConstraint(
                fields=["organizer"],
                condition=Q(organizer__isnull=False, event__isnull=True),
                name="sales_feerule_one_per_organizer",
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(organizer__isnull=True, event__isnull=True),
                name="sales_feerule_one_for_the_organization",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def fixed_currencies(self) -> list[str]:
        """The currencies the fixed part is charged in: its organizer's, or for the whole
        organization every organizer's."""
        return [self.organizer.currency] if self.organizer_id else organization_currencies()

    @staticmethod
    def fixed_errors(fixed, currencies: list[str]) -> list[str]:
        """What is wrong with `fixed` in `currencies`: one message per currency it has too
        many decimals for."""
        return [
            _("%(currency)s amounts have at most %(count)d decimals.")
            % {"currency": currency, "count": currency_exponent(currency)}
            for currency in currencies
            if fixed is not None and not fits_currency(fixed, currency)
        ]

    def clean(self) -> None:
        errors = self.fixed_errors(self.fixed, self.fixed_currencies())
        if errors:
            raise ValidationError({"fixed": errors})


class TaxRule(models.Model):
    """A tax an organizer charges on the ticket types it is assigned to: a rate, included in
    the listed price or added on top of it, in one country or (no country) wherever the
    ticket type has no rule of its own for the country.

    The country is the one where the event takes place (its location's): admission to an
    event is taxed there (EU VAT directive, art. 53), whoever buys."""

    organizer = models.ForeignKey("organizers.Organizer", on_delete=models.CASCADE, related_name="tax_rules")
    name = models.CharField(_("name"), max_length=100, help_text=_("As printed on receipts, e.g. VAT."))
    rate = models.DecimalField(
        _("rate (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    price_includes_tax = models.BooleanField(
        _("included in the price"),
        default=True,
        help_text=_("Checked: the ticket type's price includes the tax. Unchecked: the tax is added to it."),
    )
    country = CountryField(
        _("country"),
        blank=True,
        help_text=_("Where the event takes place; empty: any country without a rule of its own."),
    )
    ticket_types = models.ManyToManyField(
        "events.TicketType",
        through="TaxedTicketType",
        blank=True,
        related_name="tax_rules",
        verbose_name=_("ticket types"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tax rule")
        verbose_name_plural = _("tax rules")
        ordering = ["organizer", "name", "country", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rate__gte=0) & Q(rate__lte=100), name="sales_taxrule_rate_percent"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.rate} %"


class TaxedTicketType(models.Model):
    """A ticket type under a tax rule; its country is the rule's (copied, so that one ticket
    type has at most one rule per country, checked by the database)."""

    rule = models.ForeignKey(TaxRule, on_delete=models.CASCADE, related_name="assignments")
    ticket_type = models.ForeignKey("events.TicketType", on_delete=models.CASCADE, related_name="+")
    country = models.CharField(max_length=2, blank=True)

    class Meta:
        verbose_name = _("taxed ticket type")
        verbose_name_plural = _("taxed ticket types")
        constraints = [
            models.UniqueConstraint(
                fields=["ticket_type", "country"], name="sales_one_tax_rule_per_ticket_type_and_country"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_type_id}: {self.rule_id}"


class InvoiceCounter(models.Model):
    """The last invoice number an organizer issued: each invoice takes the next under this
    row's lock (SELECT … FOR UPDATE) in the transaction that writes it, so numbers have no
    gap and no repeat."""

    organizer = models.OneToOneField(
        "organizers.Organizer", on_delete=models.CASCADE, primary_key=True, related_name="invoice_counter"
    )
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("invoice counter")
        verbose_name_plural = _("invoice counters")

    def __str__(self) -> str:
        return f"{self.organizer_id}: {self.last}"


class Invoice(models.Model):
    """An invoice of one order from its organizer to the buyer who asked for it: who sells
    and who buys (legal names, addresses, VAT numbers) and the amounts as they were when it
    was issued, so it never changes afterwards."""

    organizer = models.ForeignKey("organizers.Organizer", on_delete=models.PROTECT, related_name="invoices")
    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="invoice")
    sequence = models.PositiveIntegerField(_("sequence"))
    number = models.CharField(_("invoice number"), max_length=80)
    issued_at = models.DateTimeField(_("issued"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    language = models.CharField(max_length=10, blank=True)
    seller_name = models.CharField(_("seller"), max_length=200)
    seller_address = models.TextField(_("seller's address"), blank=True)
    seller_country = CountryField(_("seller's country"))
    seller_vat_number = models.CharField(_("seller's VAT number"), max_length=32, blank=True)
    buyer_company = models.CharField(_("company"), max_length=200, blank=True)
    buyer_name = models.CharField(_("name"), max_length=200, blank=True)
    buyer_address = models.TextField(_("address"))
    buyer_country = CountryField(_("country"))
    buyer_vat_number = models.CharField(_("VAT number"), max_length=32, blank=True)
    buyer_email = models.EmailField(_("e-mail address"), blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    net_total = models.DecimalField(_("net"), **AMOUNT)
    tax_total = models.DecimalField(_("tax"), **AMOUNT)
    total = models.DecimalField(_("total"), **AMOUNT)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["organizer", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["organizer", "sequence"], name="sales_invoice_number_once"),
            models.CheckConstraint(
                condition=Q(total=F("net_total") + F("tax_total")), name="sales_invoice_total_adds_up"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class InvoiceLine(models.Model):
    """A line of an invoice: tickets of one type and date at one price, or the service fees."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    description = models.CharField(_("description"), max_length=400)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price"), help_text=_("Tax included."), **AMOUNT)
    tax_name = models.CharField(_("tax"), max_length=100, blank=True)
    tax_rate = models.DecimalField(_("tax rate (%)"), max_digits=5, decimal_places=2, default=0)
    net = models.DecimalField(_("net"), **AMOUNT)
    tax = models.DecimalField(_("tax"), **AMOUNT)
    gross = models.DecimalField(_("with tax"), **AMOUNT)

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["invoice", "position"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "position"], name="sales_invoice_line_position"),
            models.CheckConstraint(condition=Q(gross=F("net") + F("tax")), name="sales_invoice_line_adds_up"),
        ]

    def __str__(self) -> str:
        return self.description
