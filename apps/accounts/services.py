"""Writes on users: creation and one-time login links across hosts."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from allauth.account.models import EmailAddress
from django.core import signing
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context
from knox.crypto import create_token_string
from knox.settings import CONSTANTS as knox_constants
from knox.settings import knox_settings

from apps.accounts.authentication import api_token_digest
from apps.accounts.models import ApiToken, ApprovalRequest, FacebookApp, SupportSession, User
from apps.accounts.roles import platform_admin_emails
from apps.accounts.support import support_address_check
from apps.core.audit import Actor, audit_log
from apps.core.emails import email_send
from apps.core.links import url_on
from apps.core.schemas import current_schema
from apps.core.singletons import singleton_update
from apps.core.tokens import token_sign, token_unsign
from apps.tenancy.selectors import platform_base_domain

_LOGIN_TOKEN = "accounts.login-token"  # noqa: S105 - a token's purpose, not a secret
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
    is_support: bool = False,
    email_verified: bool = False,
) -> User:
    """Create a user in the current schema; a verified address can log in straight away.
    The support identity's address is for the support identity only (AddressReserved)."""
    if not is_support:
        support_address_check(email)
    user: User = User.objects.create_user(
        email=email,
        password=password,
        full_name=full_name,
        is_operator=is_operator or is_admin,
        is_admin=is_admin,
        is_staff=is_staff,
        is_superuser=is_superuser,
        is_support=is_support,
    )
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=email_verified)
    return user


# --- one-time login links across hosts ------------------------------------------------


def login_token_create(*, user: User) -> str:
    """A short-lived, single-use token that logs `user` in on a host of its own schema. It
    names the user's last login, which using it moves: the database decides single use."""
    last_login = user.last_login.isoformat() if user.last_login else ""
    return token_sign({"u": user.pk, "l": last_login}, purpose=_LOGIN_TOKEN)


def login_token_consume(*, token: str) -> User | None:
    try:
        payload = token_unsign(token, purpose=_LOGIN_TOKEN, max_age=LOGIN_TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    last_login = payload.get("l")
    if last_login is None:
        return None
    users = User.objects.filter(pk=payload.get("u"), is_active=True)
    if last_login:
        users = users.filter(last_login=datetime.fromisoformat(last_login))
    else:
        users = users.filter(last_login__isnull=True)
    # Single use: the first consumer moves last_login in one conditional UPDATE; a second
    # use (or one after any other login) matches no row.
    if users.update(last_login=timezone.now()) != 1:
        return None
    return User.objects.get(pk=payload["u"])


def approval_request_open(
    *, kind: str, operator: User, subject_id: int, subject_name: str, host: str = ""
) -> "ApprovalRequest":
    """Record (once) that `operator` asks the platform for a one-time approval, and tell the
    platform admins. Called inside the organization's schema; the row goes to the public one."""
    organization_schema = current_schema()
    organization_name = getattr(getattr(connection, "tenant", None), "name", organization_schema)
    with schema_context(get_public_schema_name()):
        approval, created = ApprovalRequest.objects.get_or_create(
            kind=kind,
            organization_schema=organization_schema,
            operator_id=operator.pk,
            status=ApprovalRequest.Status.PENDING,
            defaults={
                "organization_name": organization_name,
                "operator_email": operator.email,
                "subject_id": subject_id,
                "subject_name": subject_name[:255],
                "subject_host": host,
            },
        )
        if created:
            admins = platform_admin_emails()
            if admins:
                link = url_on(platform_base_domain(), f"/platform/approvals/{approval.pk}/")
                email_send(
                    to=admins,
                    subject=_("Approval needed: %(kind)s by %(email)s")
                    % {"kind": approval.get_kind_display(), "email": operator.email},
                    body=render_to_string(
                        "accounts/email/approval_requested.txt", {"approval": approval, "link": link}
                    ),
                )
    return approval


# --- API tokens -------------------------------------------------------------------------


@transaction.atomic
def api_token_create(*, user: User, actor: Actor) -> tuple[ApiToken, str]:
    """A new API token for `user` in this schema: (its row, its secret). The secret is shown
    once and never stored: the row holds its digest (api_token_digest) and its expiry."""
    secret = create_token_string()
    ttl = knox_settings.TOKEN_TTL
    token = ApiToken(
        digest=api_token_digest(secret),
        token_key=secret[: knox_constants.TOKEN_KEY_LENGTH],
        user=user,
        expiry=timezone.now() + ttl if ttl else None,
    )
    token.save(force_insert=True)
    audit_log(actor=actor, action="api_token.created", target=user, token=token.token_key)
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: Actor) -> None:
    """Revoke a token: it is deleted, so the next request with it is refused."""
    audit_log(actor=actor, action="api_token.revoked", target=token.user, token=token.token_key)
    token.delete()


# --- support sessions (opened by apps.platform) ---------------------------------------


SUPPORT_SESSION_KEY = "_tessera_support_session"


def support_session_end(*, support_session: SupportSession, actor: Actor, why: str = "ended") -> bool:
    """End a support session now (the button) or record that its time ran out ("expired"),
    once, audited in this schema under the support identity. Returns whether it ended now."""

    with transaction.atomic():
        ended = SupportSession.objects.filter(pk=support_session.pk, ended_at=None).update(
            ended_at=timezone.now()
        )
        if ended:
            audit_log(actor=actor, action=f"support.session_{why}", target=support_session)
    return bool(ended)


def facebook_app_update(*, changes: Mapping[str, Any]) -> FacebookApp:
    """Write the given values of the platform's Facebook app (id and secret go together),
    validated, in the caller's transaction; read afresh on each request. The caller audits."""
    return singleton_update(FacebookApp, changes=changes)
