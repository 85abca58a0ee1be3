import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import get_public_schema_name

from apps.core.currencies import is_currency
from apps.plans.currencies import is_billable

# What PostgreSQL accepts unquoted and we create: lowercase letters, digits, underscores.
SCHEMA_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}\Z")


def validate_billable_currency(value: str) -> None:
    if not is_currency(value):
        raise ValidationError(_("“%(code)s” is not an ISO 4217 currency in use."), params={"code": value})
    if not is_billable(value):
        raise ValidationError(_("Our payment processor cannot charge in %(code)s."), params={"code": value})


def validate_template_schema(value: str) -> None:
    if not SCHEMA_NAME.match(value) or value.startswith("pg_"):
        raise ValidationError(
            _(
                "Use a schema name: up to 63 lowercase letters, digits and underscores, starting with a letter."
            )
        )
    if value == get_public_schema_name():
        raise ValidationError(_("The platform's own schema cannot be a template."))
