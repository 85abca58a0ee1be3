from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import vatin
from stdnum.exceptions import ValidationError as NumberError

from apps.core.currencies import is_currency


def validate_currency(value: str) -> None:
    if not is_currency(value):
        raise ValidationError(_("“%(code)s” is not an ISO 4217 currency in use."), params={"code": value})


def validate_vat_number(value: str) -> None:
    """A VAT number with its country prefix, checked digit by digit (python-stdnum)."""
    try:
        vatin.validate(value)
    except NumberError as exc:
        raise ValidationError(
            _("This is not a valid VAT number (include the country prefix, e.g. NL004495445B01).")
        ) from exc
