"""Support sessions: a platform admin enters a client's control panel under a named support
identity, for a stated reason and a limited time, seen by the client's admins."""

from datetime import timedelta
from typing import cast
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context

from apps.accounts.models import SupportSession, User
from apps.accounts.services import login_token_create, user_create
from apps.accounts.support import support_email
from apps.core.audit import Actor, audit_log
from apps.core.links import url_on
from apps.platform.exceptions import SupportError
from apps.tenancy.models import Organization


def _support_identity(*, admin: User, organization: Organization) -> User:
    """The platform admin's own support identity in the current (organization) schema, made
    on first use: support+<admin id>@<platform domain> (reserved, apps.accounts.support), named
    after them, admin power, flagged `is_support`, no usable password."""
    local, _at, domain = support_email().partition("@")
    email = f"{local}+{admin.pk}@{domain}"
    name = getattr(admin, "full_name", "") or admin.email
    identity = User.objects.filter(email__iexact=email).first()
    if identity is None:
        return user_create(
            email=email,
            password=None,  # unusable: a support identity only ever logs in by link
            full_name=name,
            is_admin=True,
            is_support=True,
            email_verified=True,
        )
    if not identity.is_support:
        raise SupportError(
            _("%(email)s is already an account of %(organization)s: no support identity can use it.")
            % {"email": email, "organization": organization.name}
        )
    if not (identity.is_operator and identity.is_admin and identity.is_active) or identity.full_name != name:
        identity.is_operator = identity.is_admin = identity.is_active = True
        identity.full_name = name
        identity.save(update_fields=["is_operator", "is_admin", "is_active", "full_name"])
    return identity


@transaction.atomic
def support_session_open(
    *, organization: Organization, actor: Actor, reason: str, next_path: str = ""
) -> str:
    """Let a platform admin into a live organization's control panel with admin power, for
    `reason`, for settings.SUPPORT_SESSION_MINUTES at most.

    They act under their own named support identity there (one per admin and organization),
    through a single-use, short-lived login link bound to that organization's schema; the
    session is a SupportSession row of that schema, which its admins see. Audited on both
    sides; returns the link, which lands on `next_path` when it is a control-panel address.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why you open this site: the reason is shown to its admins.")})
    if organization.schema_name == get_public_schema_name() or not organization.is_ready:
        raise SupportError(_("%(organization)s is not live.") % {"organization": organization.name})
    domain = organization.get_primary_domain()
    if domain is None:
        raise SupportError(_("%(organization)s has no host.") % {"organization": organization.name})
    host = f"{domain.domain}:{settings.PLATFORM_PORT}" if settings.PLATFORM_PORT else domain.domain
    admin = cast(User, actor.user)  # a platform admin (the view asks it)
    minutes = settings.SUPPORT_SESSION_MINUTES
    audit_log(actor=actor, action="support.opened", target=organization, support_host=host, reason=reason)
    with schema_context(organization.schema_name):
        identity = _support_identity(admin=admin, organization=organization)
        now = timezone.now()
        support = SupportSession.objects.create(
            identity=identity,
            platform_admin_email=admin.email,
            platform_admin_name=getattr(admin, "full_name", ""),
            reason=reason,
            opened_at=now,
            expires_at=now + timedelta(minutes=minutes),
        )
        # The platform admin is recorded by e-mail only (no foreign key across schemas).
        audit_log(
            actor=actor,
            action="support.session_opened",
            target=support,
            support_host=host,
            identity=identity.email,
            reason=reason,
            minutes=minutes,
        )
        token = login_token_create(user=identity)
    url = url_on(domain.domain, f"/control/login/{token}/")
    if next_path.startswith("/control/"):
        url += "?" + urlencode({"next": next_path})
    return url
