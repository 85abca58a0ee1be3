"""Plans and their prices (public schema): what organizers pay the platform."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.billing.currencies import is_billable
from apps.billing.validators import validate_billable_currency, validate_template_schema
from apps.core.money import fits_currency

# Room for the largest currency exponent in use (3: KWD, BHD, …).
AMOUNT = {"max_digits": 12, "decimal_places": 3, "validators": [MinValueValidator(Decimal(0))]}


class Plan(models.Model):
    """A subscription plan: its features, and (through PlanPrice) its prices per currency."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_public = models.BooleanField(
        _("public"), default=True, help_text=_("Shown on the pricing page; others are assigned by hand.")
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    event_replication = models.BooleanField(_("event replication"), default=False)
    box_office = models.BooleanField(_("box office"), default=False)
    custom_domain = models.BooleanField(_("custom domain"), default=False)
    max_operators = models.PositiveIntegerField(
        _("maximum operators"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Empty for unlimited."),
    )
    template_schema = models.CharField(
        _("template site"),
        max_length=63,
        blank=True,
        validators=[validate_template_schema],
        help_text=_("Schema cloned for new clients of this plan; empty for the standard template."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("subscription", "plan")
        verbose_name_plural = _("plans")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class PlanPrice(models.Model):
    """A plan's fees in one currency."""

    plan = models.ForeignKey(
        Plan,
        on_delete=models.CASCADE,
        related_name="prices",
        verbose_name=pgettext_lazy("subscription", "plan"),
    )
    currency = models.CharField(
        _("currency"), max_length=3, validators=[validate_billable_currency], help_text=_("ISO 4217 code.")
    )
    monthly_fee = models.DecimalField(_("monthly fee"), **AMOUNT)
    setup_fee = models.DecimalField(_("setup fee"), default=Decimal(0), **AMOUNT)
    fixed_fee = models.DecimalField(
        _("fixed fee per ticket"), default=Decimal(0), help_text=_("Charged per ticket sold."), **AMOUNT
    )
    percent_fee = models.DecimalField(
        _("percent fee"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text=_("Percentage of each ticket's price, e.g. 1.50."),
    )

    AMOUNT_FIELDS = ("monthly_fee", "setup_fee", "fixed_fee")

    class Meta:
        verbose_name = _("plan price")
        verbose_name_plural = _("plan prices")
        ordering = ["plan", "currency"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "currency"],
                name="billing_planprice_one_per_currency",
                violation_error_message=_("This plan already has a price in that currency."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan} – {self.currency}"

    def clean(self) -> None:
        if not is_billable(self.currency):
            return  # the currency field says what is wrong
        errors = {
            field: _("%(currency)s amounts cannot have that many decimals.") % {"currency": self.currency}
            for field in self.AMOUNT_FIELDS
            if getattr(self, field) is not None and not fits_currency(getattr(self, field), self.currency)
        }
        if errors:
            raise ValidationError(errors)


class ExchangeRate(models.Model):
    """How many units of `currency` one unit of the platform's default currency buys."""

    currency = models.CharField(
        _("currency"), max_length=3, unique=True, validators=[validate_billable_currency]
    )
    rate = models.DecimalField(
        _("rate"),
        max_digits=18,
        decimal_places=6,
        validators=[MinValueValidator(Decimal("0.000001"))],
        help_text=_("Units of this currency per unit of the default currency."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["currency"]

    def __str__(self) -> str:
        return f"{self.currency} {self.rate}"
