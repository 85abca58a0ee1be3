"""Clients of the platform and what they are billed (public schema): accounts, their monthly
sales, invoices and one-off adjustments. The plans they are on are apps.plans'."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries import countries
from django_countries.fields import CountryField

from apps.billing.vat import VatScheme, vat_mention, vat_number_clean
from apps.core.singletons import PublicSingleton
from apps.plans.models import AMOUNT, Plan, decimals_errors
from apps.plans.validators import validate_billable_currency

VAT_RATE = {
    "max_digits": 5,
    "decimal_places": 2,
    "validators": [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
}


class InvoiceIssuer(PublicSingleton):
    """Who the platform's invoices are from: the platform owner's legal details and VAT (one row,
    public schema; a part of the platform's settings page). Each invoice copies them when issued."""

    legal_name = models.CharField(
        _("legal name"), max_length=200, blank=True, help_text=_("The company that issues the invoices.")
    )
    legal_address = models.TextField(_("address"), blank=True)
    legal_country = CountryField(_("country"), blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    vat_rate = models.DecimalField(
        _("VAT rate (%)"),
        default=Decimal(0),
        help_text=_(
            "Your country's standard rate, charged to clients in your country and to consumers "
            "elsewhere in the EU; 0 if you charge no VAT."
        ),
        **VAT_RATE,
    )

    class Meta:
        verbose_name = _("invoice issuer")
        verbose_name_plural = _("invoice issuer")

    def __str__(self) -> str:
        return self.legal_name or str(_("Invoice issuer"))

    def clean(self) -> None:
        errors: dict[str, list[ValidationError]] = {}
        try:
            self.vat_number = vat_number_clean(self.vat_number, str(self.legal_country))
        except ValidationError as exc:
            errors["vat_number"] = exc.error_list
        if self.vat_rate and not self.legal_country:
            errors["legal_country"] = [ValidationError(_("Charging VAT needs your country."))]
        if errors:
            raise ValidationError(errors)


class BillingAccount(models.Model):
    """A client of the platform: one organizer of one organization, billed on its plan.

    The public side of a tenant row (DESIGN §1): it names the organizer by (organization,
    organizer id) plus a snapshot of its name and slug, kept current by the services that
    change them. Every override, when set, wins over the plan.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAST_DUE = "past_due", _("Past due")
        SUSPENDED = "suspended", _("Suspended")
        CANCELLED = "cancelled", _("Cancelled")

    organization = models.ForeignKey(
        "tenancy.Organization",
        on_delete=models.PROTECT,
        related_name="billing_accounts",
        verbose_name=_("organization"),
    )
    organizer_id = models.PositiveIntegerField(_("organizer id"))
    organizer_name = models.CharField(_("organizer"), max_length=200)
    organizer_slug = models.SlugField(_("organizer address"), max_length=63)
    country = models.CharField(_("country"), max_length=2, blank=True)
    plan = models.ForeignKey(
        Plan,
        on_delete=models.PROTECT,
        related_name="accounts",
        verbose_name=pgettext_lazy("subscription", "plan"),
    )
    currency = models.CharField(
        _("billing currency"),
        max_length=3,
        validators=[validate_billable_currency],
        help_text=_("The currency the platform bills this client in."),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    signed_up_at = models.DateTimeField(_("signed up"))
    billing_anchor_day = models.PositiveSmallIntegerField(
        _("billing day"),
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text=_("Day of the month invoices are made; clamped to the month's last day."),
    )
    contact_email = models.EmailField(_("billing e-mail address"), blank=True)
    # Who the invoices are addressed to (copied onto each invoice when it is issued).
    legal_name = models.CharField(
        _("legal name"), max_length=200, blank=True, help_text=_("Empty: the organizer's name.")
    )
    legal_address = models.TextField(_("billing address"), blank=True)
    vat_number = models.CharField(
        _("VAT number"),
        max_length=20,
        blank=True,
        help_text=_("A business in another EU country with a valid VAT number is invoiced without VAT."),
    )
    notes = models.TextField(_("internal notes"), blank=True)
    # Overrides of the plan's price (in the account's currency); empty = the plan's.
    monthly_fee_override = models.DecimalField(_("monthly fee"), null=True, blank=True, **AMOUNT)
    setup_fee_override = models.DecimalField(_("setup fee"), null=True, blank=True, **AMOUNT)
    fixed_fee_override = models.DecimalField(_("fixed fee per ticket"), null=True, blank=True, **AMOUNT)
    percent_fee_override = models.DecimalField(
        _("percent fee"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    # Overrides of the plan's features; empty = the plan's.
    event_replication_override = models.BooleanField(_("event replication"), null=True, blank=True)
    box_office_override = models.BooleanField(_("box office"), null=True, blank=True)
    custom_domain_override = models.BooleanField(_("custom domain"), null=True, blank=True)
    max_operators_override = models.PositiveIntegerField(
        _("maximum operators"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    # The card on file: a Stripe Customer and its default PaymentMethod on the platform's account.
    stripe_customer_id = models.CharField(max_length=64, blank=True, editable=False)
    payment_method_id = models.CharField(max_length=64, blank=True, editable=False)
    card_label = models.CharField(_("card on file"), max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    PRICE_OVERRIDES = ("monthly_fee", "setup_fee", "fixed_fee", "percent_fee")
    FEATURE_OVERRIDES = ("event_replication", "box_office", "custom_domain", "max_operators")

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["organizer_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "organizer_id"], name="billing_account_one_per_organizer"
            )
        ]
        indexes = [models.Index(fields=["signed_up_at"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        return self.organizer_name

    def overridden_fields(self) -> list[str]:
        """The fees and features set for this client alone (names without "_override")."""
        return [
            name
            for name in (*self.PRICE_OVERRIDES, *self.FEATURE_OVERRIDES)
            if getattr(self, f"{name}_override") is not None
        ]

    def overridden_labels(self) -> list[str]:
        return [
            str(self._meta.get_field(f"{name}_override").verbose_name) for name in self.overridden_fields()
        ]

    def clean(self) -> None:
        overrides = [f"{field}_override" for field in ("monthly_fee", "setup_fee", "fixed_fee")]
        errors = decimals_errors({field: getattr(self, field) for field in overrides}, self.currency)
        if self.country and self.country not in countries:
            errors["country"] = [ValidationError(_("Choose a country from the list."))]
        else:
            try:
                self.vat_number = vat_number_clean(self.vat_number, self.country)
            except ValidationError as exc:
                errors["vat_number"] = exc.error_list
        if errors:
            raise ValidationError(errors)


class SalesMonth(models.Model):
    """A client's paid ticket sales in one calendar month (public, kept current by the
    sales services): the clients list and snapshot read it instead of every schema."""

    account = models.ForeignKey(
        BillingAccount, on_delete=models.CASCADE, related_name="sales_months", verbose_name=_("client")
    )
    month = models.DateField(_("month"), help_text=_("The month's first day."))
    orders = models.PositiveIntegerField(_("orders"), default=0)
    tickets = models.PositiveIntegerField(_("tickets"), default=0)
    gross = models.DecimalField(_("sales"), max_digits=14, decimal_places=3, default=Decimal(0))
    currency = models.CharField(_("currency"), max_length=3)

    class Meta:
        verbose_name = _("monthly sales")
        verbose_name_plural = _("monthly sales")
        ordering = ["account", "month"]
        constraints = [
            models.UniqueConstraint(fields=["account", "month"], name="billing_salesmonth_one_per_month")
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.month:%Y-%m}"


class Invoice(models.Model):
    """An invoice of the platform to a client. Its balance is what is still owed.

    The monthly run makes one automatic invoice per account and billing period (a unique
    constraint, not hope). An issued invoice is frozen: numbered gaplessly, its lines fixed;
    corrections go through credit notes.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        PAID = "paid", _("Paid")
        VOID = "void", _("Void")

    # What its card payments say they pay for (apps.core.hooks.payment_succeeded).
    PAYMENT_PURPOSE = "invoice"
    # Not a stored status: an open invoice past its due date (see `state`).
    OVERDUE = "overdue"
    OVERDUE_LABEL = _("Overdue")

    class Kind(models.TextChoices):
        AUTOMATIC = "automatic", _("Monthly")
        MANUAL = "manual", _("Manual")
        CREDIT_NOTE = "credit_note", _("Credit note")

    account = models.ForeignKey(
        BillingAccount, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("client")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.MANUAL)
    number = models.CharField(_("number"), max_length=32, unique=True, null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    currency = models.CharField(_("currency"), max_length=3)
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=3, default=Decimal(0))
    amount_paid = models.DecimalField(_("paid"), max_digits=14, decimal_places=3, default=Decimal(0))
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True, help_text=_("Exclusive."))
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)
    due_date = models.DateField(_("due"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("e-mailed"), null=True, blank=True, editable=False)
    charge_attempts = models.PositiveSmallIntegerField(_("charge attempts"), default=0, editable=False)
    next_charge_on = models.DateField(_("next charge"), null=True, blank=True, editable=False)
    last_charge_error = models.CharField(_("last charge result"), max_length=300, blank=True, editable=False)
    credited_invoice = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="credit_notes"
    )
    # What the invoice says, copied when it is issued (later edits of the seller's settings or the
    # client's details leave an issued invoice as it was): the seller, the client, the VAT.
    seller_name = models.CharField(_("seller"), max_length=200, blank=True, editable=False)
    seller_address = models.TextField(_("seller's address"), blank=True, editable=False)
    seller_country = models.CharField(_("seller's country"), max_length=2, blank=True, editable=False)
    seller_vat_number = models.CharField(_("seller's VAT number"), max_length=20, blank=True, editable=False)
    client_name = models.CharField(_("billed to"), max_length=200, blank=True, editable=False)
    client_address = models.TextField(_("client's address"), blank=True, editable=False)
    client_country = models.CharField(_("client's country"), max_length=2, blank=True, editable=False)
    client_vat_number = models.CharField(_("client's VAT number"), max_length=20, blank=True, editable=False)
    subtotal = models.DecimalField(
        _("total excluding VAT"), max_digits=14, decimal_places=3, default=Decimal(0), editable=False
    )
    vat_scheme = models.CharField(
        _("VAT"), max_length=16, choices=VatScheme.choices, blank=True, default="", editable=False
    )
    vat_rate = models.DecimalField(_("VAT rate (%)"), default=Decimal(0), editable=False, **VAT_RATE)
    vat_amount = models.DecimalField(
        _("VAT"), max_digits=14, decimal_places=3, default=Decimal(0), editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "period_start"],
                condition=models.Q(kind="automatic"),
                name="billing_invoice_one_per_account_and_period",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="automatic")
                | models.Q(period_start__isnull=False, period_end__isnull=False),
                name="billing_invoice_automatic_has_period",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_date"]),
            # The sweep of lost invoice e-mails (selectors.invoices_awaiting_email).
            models.Index(
                fields=["issued_at"], condition=models.Q(sent_at=None), name="billing_invoice_unsent"
            ),
        ]

    def __str__(self) -> str:
        return self.number or str(_("Draft invoice"))

    @property
    def balance(self) -> Decimal:
        return self.total - self.amount_paid

    @property
    def vat_mention(self) -> str:
        """The legal mention of its VAT (reverse charge, outside the scope), "" for none."""
        return vat_mention(self.vat_scheme)

    @property
    def seller_country_name(self) -> str:
        return str(countries.name(self.seller_country)) if self.seller_country else ""

    @property
    def client_country_name(self) -> str:
        return str(countries.name(self.client_country)) if self.client_country else ""

    def is_overdue(self, today: date | None = None) -> bool:
        """Open and past its due date: still owed after the day it was due."""
        return (
            self.status == self.Status.OPEN
            and self.due_date is not None
            and self.due_date < (today or timezone.localdate())
        )

    @property
    def overdue(self) -> bool:
        return self.is_overdue()

    @property
    def state(self) -> str:
        """The status as the client reads it: "overdue" for an open invoice past its due date."""
        return self.OVERDUE if self.is_overdue() else self.status

    @property
    def state_label(self) -> str:
        return str(self.OVERDUE_LABEL) if self.is_overdue() else str(self.get_status_display())


class InvoiceLine(models.Model):
    class Kind(models.TextChoices):
        MONTHLY_FEE = "monthly_fee", _("Monthly fee")
        SETUP_FEE = "setup_fee", _("Setup fee")
        TRANSACTION_FEES = "transaction_fees", _("Transaction fees")
        COLLECTED_FEES = "collected_fees", _("Fees already collected on payments")
        REFUND_CREDIT = "refund_credit", _("Credit for refunded tickets")
        ADDON = "addon", _("Add-on")
        ADJUSTMENT = "adjustment", _("Adjustment")
        OTHER = "other", _("Other")

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2, default=Decimal(1))
    unit_amount = models.DecimalField(_("unit amount"), max_digits=14, decimal_places=4)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=3)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["invoice", "sort_order", "pk"]

    def __str__(self) -> str:
        return self.description


class InvoiceSequence(models.Model):
    """The last invoice number given in a year: numbers are taken inside the issuing
    transaction, so a rolled-back invoice gives its number back (no gaps)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("invoice number sequence")
        verbose_name_plural = _("invoice number sequences")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class BillingAdjustment(models.Model):
    """A one-off charge (positive) or credit (negative) a platform admin adds to a client's next
    monthly invoice. Pending while `invoice` is empty; the billing run bills it once, in the
    transaction that makes the invoice, and links it to its invoice line."""

    account = models.ForeignKey(
        BillingAccount, on_delete=models.CASCADE, related_name="adjustments", verbose_name=_("client")
    )
    description = models.CharField(_("description"), max_length=300)
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=3, help_text=_("Positive: a charge; negative: a credit.")
    )
    currency = models.CharField(_("currency"), max_length=3)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.CharField(_("added by"), max_length=254, blank=True)
    invoice = models.ForeignKey(
        Invoice,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="adjustments",
        verbose_name=_("invoice"),
    )
    invoice_line = models.OneToOneField(
        InvoiceLine, null=True, blank=True, on_delete=models.PROTECT, related_name="billed_adjustment"
    )

    class Meta:
        verbose_name = _("adjustment for the next invoice")
        verbose_name_plural = _("adjustments for the next invoice")
        ordering = ["account", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(invoice__isnull=True, invoice_line__isnull=True)
                | models.Q(invoice__isnull=False, invoice_line__isnull=False),
                name="billing_adjustment_billed_with_its_line",
            ),
            models.CheckConstraint(condition=~models.Q(amount=0), name="billing_adjustment_not_zero"),
        ]
        indexes = [
            models.Index(
                fields=["account"],
                condition=models.Q(invoice__isnull=True),
                name="billing_adjustment_pending",
            )
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def is_pending(self) -> bool:
        return self.invoice_id is None
