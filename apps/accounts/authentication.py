"""API token authentication with the token's user read from the cache.

Tokens and users live per schema; the cached entry is keyed by the schema and a digest of
the token, and belongs to the schema's "accounts" generation (apps.core.cache), which every
save or delete of a user or a token drops (apps.accounts.receivers): a deactivated user,
a deleted or replaced token, a changed role stop working at once.
"""

from django.db import connection
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from apps.core.cache import cached_one, entry_key, generation_bump, secret_part

ACCOUNTS = "accounts"  # the generation of cached users and tokens, per schema


def accounts_changed() -> None:
    """Drop this schema's cached tokens and users: receivers call it on saves and deletes,
    writes that send no signal (QuerySet.update()) call it themselves."""
    generation_bump(schema_name=connection.schema_name, name=ACCOUNTS)


class CachedTokenAuthentication(TokenAuthentication):
    """DRF's token authentication (same header, same answers) without a query per request."""

    def authenticate_credentials(self, key):
        model = self.get_model()
        schema_name = connection.schema_name
        token = cached_one(
            schema_name=schema_name,
            name=ACCOUNTS,
            key=entry_key(schema_name, ACCOUNTS, "token", secret_part(key)),
            load=lambda: model.objects.select_related("user").filter(key=key).first(),
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return (token.user, token)
