"""VAT on the platform's invoices to its clients: VAT numbers checked (format and check digits,
python-stdnum; there is no VIES lookup offline), and which VAT an invoice carries.

The platform supplies an electronic service. Under Directive 2006/112/EC:
- a client in the seller's own country pays the seller's VAT rate;
- a business in another EU country, with a valid VAT number, owes the VAT itself (reverse
  charge, art. 196): the invoice charges 0 % and says so;
- a client elsewhere in the EU without a VAT number (a consumer) pays the seller's rate (OSS
  rates of the client's country are not modelled);
- a client outside the EU (outside the seller's country, for a seller outside the EU) is
  outside the scope of the seller's VAT (art. 44 and 59): 0 %, said too.
A platform without a VAT rate charges none and prints no mention.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from stdnum import get_cc_module
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError as NumberError

from apps.core.money import quantize

EU_COUNTRIES = frozenset(
    {
        "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
        "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
    }
)  # fmt: skip


class VatScheme(models.TextChoices):
    """Which VAT an issued invoice carries (its legal mention is read from it)."""

    NONE = "", _("No VAT charged")
    STANDARD = "standard", _("VAT at the seller's rate")
    REVERSE_CHARGE = "reverse_charge", _("Reverse charge")
    OUTSIDE_SCOPE = "outside_scope", _("Outside the scope of VAT")


MENTIONS = {
    VatScheme.REVERSE_CHARGE: _("Reverse charge — VAT due by the recipient, art. 196 Directive 2006/112/EC"),
    VatScheme.OUTSIDE_SCOPE: _(
        "VAT not applicable: the service is supplied outside the seller's country of VAT "
        "(art. 44 and 59 Directive 2006/112/EC)"
    ),
}


def vat_mention(scheme: str) -> str:
    """The legal mention an invoice of that scheme prints ("" for none)."""
    mention = MENTIONS.get(VatScheme(scheme)) if scheme in VatScheme.values else None
    return "" if mention is None else str(mention)


@dataclass(frozen=True)
class VatTreatment:
    scheme: VatScheme
    rate: Decimal  # percent


def vat_treatment(
    *, seller_country: str, seller_rate: Decimal, client_country: str, client_vat_number: str
) -> VatTreatment:
    """The VAT of an invoice from a seller (its country and rate) to a client (its country and
    VAT number, already checked): see the module's rules."""
    if not seller_rate:
        return VatTreatment(VatScheme.NONE, Decimal(0))
    if not client_country or client_country == seller_country:
        return VatTreatment(VatScheme.STANDARD, seller_rate)
    if seller_country in EU_COUNTRIES and client_country in EU_COUNTRIES:
        if client_vat_number:
            return VatTreatment(VatScheme.REVERSE_CHARGE, Decimal(0))
        return VatTreatment(VatScheme.STANDARD, seller_rate)
    return VatTreatment(VatScheme.OUTSIDE_SCOPE, Decimal(0))


def _vat_prefix(country: str) -> str:
    return "EL" if country == "GR" else country  # Greece's VAT numbers start with EL


def vat_number_clean(number: str, country: str) -> str:
    """The VAT number in its compact form (with its country prefix in the EU), or a
    ValidationError saying what is wrong: a number of another country, or one whose format
    or check digits are wrong."""
    number = "".join(number.split()).upper()
    if not number:
        return ""
    if not country or country not in countries:
        raise ValidationError(_("Choose the country before the VAT number."), code="vat_country")
    if country in EU_COUNTRIES:
        prefix = _vat_prefix(country)
        if number[:2].isalpha():
            if number[:2] != prefix:
                raise ValidationError(
                    _("This VAT number is not of %(country)s: it should start with %(prefix)s.")
                    % {"country": countries.name(country), "prefix": prefix},
                    code="vat_other_country",
                )
        else:
            number = prefix + number
        try:
            return str(eu_vat.validate(number))
        except NumberError as exc:
            raise ValidationError(
                _("This is not a valid VAT number of %(country)s.") % {"country": countries.name(country)},
                code="vat_invalid",
            ) from exc
    module = get_cc_module(country.lower(), "vat")
    if module is not None:
        try:
            valid = str(module.validate(number))
        except NumberError as exc:
            raise ValidationError(
                _("This is not a valid VAT number of %(country)s.") % {"country": countries.name(country)},
                code="vat_invalid",
            ) from exc
        return valid if valid[:2] == country else f"{country}{valid}"
    if not (4 <= len(number) <= 20 and number.replace("-", "").isalnum()):
        raise ValidationError(_("Enter the VAT number with letters and digits only."), code="vat_invalid")
    return number


def vat_on(net: Decimal, rate: Decimal, currency: str) -> Decimal:
    """The VAT on an amount excluding VAT, to the currency's minor unit."""
    return quantize(net * rate / 100, currency)


def vat_split(gross: Decimal, rate: Decimal, currency: str) -> tuple[Decimal, Decimal]:
    """An amount including VAT as (excluding VAT, VAT), adding up to it exactly."""
    net = quantize(gross * 100 / (100 + rate), currency)
    return net, gross - net
