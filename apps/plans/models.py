"""The plan catalogue (public schema): plans, their prices per currency, the add-on prices of
features, and the exchange rates prices convert with.

Tables were billing's (billing_plan, …) until the catalogue became its own app: the
constraint names keep their billing_ prefix (renaming them would change nothing).
"""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.core.money import fits_currency
from apps.core.singletons import PublicSingleton
from apps.organizers.validators import validate_currency
from apps.plans.currencies import is_billable
from apps.plans.validators import validate_billable_currency, validate_template_schema

# Room for the largest currency exponent in use (3: KWD, BHD, …).
AMOUNT: dict[str, Any] = {
    "max_digits": 12,
    "decimal_places": 3,
    "validators": [MinValueValidator(Decimal(0))],
}


def decimals_errors(amounts: dict, currency: str) -> dict:
    """{field: message} for the amounts ({field: amount}) with more decimals than `currency`
    has; a currency that cannot be billed is left to its own field's error."""
    if not is_billable(currency):
        return {}
    return {
        field: _("%(currency)s amounts cannot have that many decimals.") % {"currency": currency}
        for field, amount in amounts.items()
        if amount is not None and not fits_currency(amount, currency)
    }


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
        errors = decimals_errors({field: getattr(self, field) for field in self.AMOUNT_FIELDS}, self.currency)
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


class Feature(models.TextChoices):
    """The plan features a client can have as a paid add-on (the on/off ones)."""

    EVENT_REPLICATION = "event_replication", _("Event replication")
    BOX_OFFICE = "box_office", _("Box office")
    CUSTOM_DOMAIN = "custom_domain", _("Custom domain")


class AddonPrice(models.Model):
    """The monthly price of a feature as an add-on, in one currency: what a client pays when a
    platform admin turns the feature on for it while its plan lacks it. A currency without a
    price is converted from the default currency's, like plan prices; a feature without any
    price is a free add-on."""

    feature = models.CharField(_("feature"), max_length=32, choices=Feature.choices)
    currency = models.CharField(
        _("currency"), max_length=3, validators=[validate_billable_currency], help_text=_("ISO 4217 code.")
    )
    monthly_fee = models.DecimalField(_("monthly fee"), **AMOUNT)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("add-on price")
        verbose_name_plural = _("add-on prices")
        ordering = ["feature", "currency"]
        constraints = [
            models.UniqueConstraint(
                fields=["feature", "currency"],
                name="billing_addonprice_one_per_currency",
                violation_error_message=_("This add-on already has a price in that currency."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_feature_display()} – {self.currency}"

    def clean(self) -> None:
        errors = decimals_errors({"monthly_fee": self.monthly_fee}, self.currency)
        if errors:
            raise ValidationError(errors)


class PricingSettings(PublicSingleton):
    """How plans are priced (one row, public schema): the currency they are priced in first
    and converted from. Edited on the platform's settings page."""

    default_currency = models.CharField(
        _("default currency"), max_length=3, default="EUR", validators=[validate_currency]
    )

    class Meta:
        verbose_name = _("pricing settings")
        verbose_name_plural = _("pricing settings")

    def __str__(self) -> str:
        return self.default_currency
