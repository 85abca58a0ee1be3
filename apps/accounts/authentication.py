"""API token authentication, with the token's user read from the cache.

Tokens are django-rest-knox's (apps.accounts.models.ApiToken): the database holds a digest
of the secret and of the schema it was made in, never the secret. Tokens and users live per
schema; the cached entry is keyed by the schema and that digest, and belongs to the schema's
"accounts" generation (apps.core.cache), which every save or delete of a user or a token
drops (apps.accounts.receivers): a deactivated user, a revoked token, a changed role stop
working at once. Expiry is checked on every request, cached or not.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.crypto import hash_token
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from apps.accounts.models import ApiToken, User
from apps.core.cache import cached_one, entry_key, generation_bump
from apps.core.schemas import current_schema

ACCOUNTS = "accounts"  # the generation of cached users and tokens, per schema


def accounts_changed() -> None:
    """Drop this schema's cached tokens and users: receivers call it on saves and deletes,
    writes that send no signal (QuerySet.update()) call it themselves."""
    generation_bump(schema_name=current_schema(), name=ACCOUNTS)


def api_token_digest(secret: str, *, schema_name: str | None = None) -> str:
    """What is stored of a token: knox's digest of the secret bound to its schema."""
    digest: str = hash_token(f"{schema_name or current_schema()}:{secret}")  # knox is untyped
    return digest


class CachedTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <secret>` (DRF's header and answers) for knox's hashed tokens,
    without a query per request."""

    def authenticate_credentials(self, key: str) -> tuple[User, ApiToken]:

        schema_name = current_schema()
        digest = api_token_digest(key, schema_name=schema_name)
        token: ApiToken | None = cached_one(
            schema_name=schema_name,
            name=ACCOUNTS,
            key=entry_key(schema_name, ACCOUNTS, "token", digest),
            load=lambda: ApiToken.objects.select_related("user").filter(digest=digest).first(),
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token.expiry is not None and token.expiry <= timezone.now():
            raise exceptions.AuthenticationFailed(_("This token has expired: ask for a new one."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return (token.user, token)
