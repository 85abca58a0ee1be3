"""Which schema this connection is in, typed: django-tenants sets `schema_name` on its own
database wrapper, which Django's stubs do not know."""

from django.db import connection


def current_schema() -> str:
    """The schema the default connection is in now (an organization's, or the public one)."""
    schema_name: str = connection.schema_name  # type: ignore[attr-defined]  # django-tenants' wrapper
    return schema_name
