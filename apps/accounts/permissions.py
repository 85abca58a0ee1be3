"""The one place that answers "may this user do that here?".

Issue-by-issue this grows into can(actor, action, obj); views, the API and templates ask it.
"""

from django.db import connection
from django_tenants.utils import get_public_schema_name


def can_open_control_panel(user) -> bool:
    """Operators of this organization (never a public-schema user; their tables differ)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_operator
        and connection.schema_name != get_public_schema_name()
    )


def can_open_platform_admin(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and connection.schema_name == get_public_schema_name()
    )
