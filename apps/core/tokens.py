"""Signed tokens that are valid in the schema they were made in, and nowhere else.

Every schema numbers its rows from 1 and every schema shares SECRET_KEY, so a token that
signs only a primary key ("invitation 7", "user 3") would be as good in any organization
as in its own. Every token the project signs goes through here: the schema is part of the
salt, so the same payload signed in another schema is another signature. allauth's own
links follow the same rule: e-mail confirmations use stored random keys (a row of the
schema's own table, ACCOUNT_EMAIL_CONFIRMATION_HMAC = False) and password resets
apps.accounts.tokens.SchemaPasswordResetTokenGenerator, whose salt comes from schema_salt().
"""

from datetime import timedelta
from typing import Any

from django.core import signing

from apps.core.schemas import current_schema


def schema_salt(purpose: str) -> str:
    """The signing salt of `purpose` in the current schema."""
    return f"tessera.{purpose}:{current_schema()}"


def token_sign(payload: Any, *, purpose: str) -> str:
    """`payload` (JSON-serialisable) signed with a timestamp, for this schema only."""
    return signing.dumps(payload, salt=schema_salt(purpose))


def token_unsign(token: str, *, purpose: str, max_age: int | timedelta | None = None) -> Any:
    """The payload of a token made by token_sign() for `purpose` in this schema. Raises
    signing.SignatureExpired when older than `max_age` (seconds, or a timedelta), signing.BadSignature when
    forged, altered, made for another purpose or in another schema."""
    return signing.loads(token, salt=schema_salt(purpose), max_age=max_age)
