from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from localflavor.generic.models import IBANField

from apps.core.branding import DEFAULT_ACCENT, DEFAULT_PRIMARY, Brand, hex_color
from apps.core.timezones import validate_time_zone, zone_for_country
from apps.organizers.validators import validate_currency, validate_vat_number


class Organizer(models.Model):
    """Who organizes events: sells in exactly one currency through its distributions."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=63, unique=True)
    legal_name = models.CharField(
        _("legal name"), max_length=200, help_text=_("The official, registered name.")
    )
    bank_account = IBANField(_("bank account (IBAN)"), blank=True)
    address = models.TextField(
        _("registered address"),
        blank=True,
        help_text=_("Street, postcode and city, as printed on the invoices it issues to buyers."),
    )
    vat_number = models.CharField(
        _("VAT number"),
        max_length=32,
        blank=True,
        validators=[validate_vat_number],
        help_text=_("With its country prefix, e.g. NL004495445B01."),
    )
    country = CountryField(_("country"))
    time_zone = models.CharField(
        _("time zone"),
        max_length=63,
        validators=[validate_time_zone],
        help_text=_("Dates and times of its events are shown and typed in this zone."),
    )
    currency = models.CharField(
        _("currency"),
        max_length=3,
        validators=[validate_currency],
        help_text=_("ISO 4217 code. An organizer sells in exactly one currency."),
    )
    currency_locked = models.BooleanField(
        _("currency locked"),
        default=False,
        editable=False,
        help_text=_("Set by the first sale: reports stay in one currency."),
    )
    primary_color = models.CharField(
        _("primary colour"), max_length=7, default=DEFAULT_PRIMARY, validators=[hex_color]
    )
    accent_color = models.CharField(
        _("accent colour"), max_length=7, default=DEFAULT_ACCENT, validators=[hex_color]
    )
    logo = models.FileField(_("logo"), upload_to="organizers/logos/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organizer")
        verbose_name_plural = _("organizers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def zone_name(self) -> str:
        """Its time zone; its country's main one if none was stored (a row written without)."""
        return self.time_zone or zone_for_country(str(self.country))

    @property
    def brand(self) -> Brand:
        return Brand(
            name=self.name,
            primary_color=self.primary_color,
            accent_color=self.accent_color,
            logo_url=self.logo.url if self.logo else "",
        )


class Distribution(models.Model):
    """A sale channel of one organizer."""

    class Kind(models.TextChoices):
        ONLINE_SHOP = "online_shop", _("Online shop")
        BOX_OFFICE = "box_office", _("Box office")
        OTHER = "other", _("Other")

    organizer = models.ForeignKey(Organizer, on_delete=models.CASCADE, related_name="distributions")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("distribution")
        verbose_name_plural = _("distributions")
        ordering = ["organizer", "pk"]

    def __str__(self) -> str:
        return f"{self.organizer.name} – {self.name}"

    # Every organizer keeps at least this many sale channels.
    MINIMUM_PER_ORGANIZER = 2
