"""The platform's one-row settings tables, each in the app that owns what it holds (the
brand here, host settings in tenancy, the Stripe account in payments, social login in
accounts, the registration mode in platform).

Their row lives in the public schema. An app installed in both kinds of schema also gets
an empty twin of the table in every organization's schema: so these are read and written
in the public schema only, through `stored()` and `singleton_update`, never with a bare
`objects` query from an organization's host.
"""

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from django.db import models, transaction
from django_tenants.utils import get_public_schema_name, schema_context


class PublicSingleton(models.Model):
    """A settings table of one row (pk 1) in the public schema."""

    class Meta:
        abstract = True

    @classmethod
    def stored(cls) -> Self:
        """The stored row, or the defaults (unsaved) while there is none: a read writes nothing."""
        with schema_context(get_public_schema_name()):
            return cls._default_manager.filter(pk=1).first() or cls(pk=1)


Row = TypeVar("Row", bound=PublicSingleton)


def singleton_update(model: type[Row], *, changes: Mapping[str, Any]) -> Row:
    """Write the given fields of a settings row (made if missing, locked), validated as a
    whole, in the public schema and the caller's transaction. Values are as a form's
    cleaned_data holds them (a file field takes an upload, or False to clear it)."""
    with schema_context(get_public_schema_name()), transaction.atomic():
        model._default_manager.get_or_create(pk=1)
        row: Row = model._default_manager.select_for_update().get(pk=1)
        fields = {field.name: field for field in model._meta.fields}
        for name, value in changes.items():
            fields[name].save_form_data(row, value)
        row.full_clean()
        row.save()
    return row


def mask_secret(value: str) -> str:
    """`sk_test_…4242`: the key's kind and its last four characters, never the rest."""
    if not value:
        return ""
    prefix = value[: value.rfind("_") + 1] if "_" in value else ""
    return f"{prefix}…{value[-4:]}"
