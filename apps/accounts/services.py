"""Writes on users: creation and one-time login links across hosts."""

from allauth.account.models import EmailAddress
from django.core import signing
from django.core.cache import cache
from django.db import connection, transaction

from apps.accounts.models import User

_LOGIN_TOKEN_SALT = "tessera.accounts.login-token"  # noqa: S105 - a signing salt, not a secret
LOGIN_TOKEN_MAX_AGE = 120  # seconds


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None,
    full_name: str = "",
    is_operator: bool = False,
    is_admin: bool = False,
    is_staff: bool = False,
    is_superuser: bool = False,
    email_verified: bool = False,
) -> User:
    """Create a user in the current schema; a verified address can log in straight away."""
    user = User.objects.create_user(
        email=email,
        password=password,
        full_name=full_name,
        is_operator=is_operator or is_admin,
        is_admin=is_admin,
        is_staff=is_staff,
        is_superuser=is_superuser,
    )
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=email_verified)
    return user


# --- one-time login links across hosts ------------------------------------------------


def login_token_create(*, user: User) -> str:
    """A short-lived, single-use token that logs `user` in on a host of its own schema."""
    return signing.dumps({"u": user.pk, "s": connection.schema_name}, salt=_LOGIN_TOKEN_SALT)


def login_token_consume(*, token: str) -> User | None:
    try:
        payload = signing.loads(token, salt=_LOGIN_TOKEN_SALT, max_age=LOGIN_TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    if payload.get("s") != connection.schema_name:
        return None
    # Single use: the first consumer claims it (cache keys carry the schema).
    if not cache.add(f"login-token-used:{token[-43:]}", 1, timeout=LOGIN_TOKEN_MAX_AGE * 2):
        return None
    return User.objects.filter(pk=payload.get("u"), is_active=True).first()
