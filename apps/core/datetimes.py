"""The range of dates and times the project takes in and shows.

Python's datetime stops at years 1 and 9999: a value near either end overflows once shown
in a time zone (9999-12-31T23:00Z in UTC+1), so pages that show it fail. Inputs are held to
EARLIEST ≤ value < LATEST — far inside, whatever the zone — by the validators below, which
model fields, forms and serializers share; BoundedDateTimeField also reads a stored value
outside the range (written before the bound, or by SQL) as the nearest bound, so every page
still renders and the value can be corrected there.
"""

import logging
from datetime import UTC, date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
_LAST_MOMENT = LATEST - timedelta(microseconds=1)

OUT_OF_RANGE = _("Enter a date from %(earliest)s to %(latest)s.")


def _refuse() -> None:
    raise ValidationError(
        OUT_OF_RANGE,
        code="date_out_of_range",
        params={
            "earliest": EARLIEST.date().isoformat(),
            "latest": (LATEST.date() - timedelta(days=1)).isoformat(),
        },
    )


def datetime_in_range(value: datetime | None) -> None:
    """Validator: an aware datetime from EARLIEST to before LATEST (or None)."""
    if value is not None and not EARLIEST <= value < LATEST:
        _refuse()


def date_in_range(value: date | None) -> None:
    """Validator: a day from EARLIEST's to LATEST's eve (or None); datetimes are checked whole."""
    if isinstance(value, datetime):
        datetime_in_range(value)
    elif value is not None and not EARLIEST.date() <= value < LATEST.date():
        _refuse()


class BoundedDateTimeField(models.DateTimeField):
    """A DateTimeField that takes only the range above and reads a value stored outside it
    as the nearest bound (logged), so that no stored value can break a page."""

    default_validators = [datetime_in_range]

    def from_db_value(self, value, expression, connection):
        if value is None or EARLIEST <= value < LATEST:
            return value
        logger.warning("%s holds %s, outside the range of dates: read as its bound", self, value)
        return EARLIEST if value < EARLIEST else _LAST_MOMENT
