"""Who a user is in the current schema: operator, organization admin, platform admin, the
support identity. Facts about the user alone; what they may do to which object is asked of
apps.operators.permissions, which builds on these."""

from typing import TypeAlias, TypeGuard

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.models import AnonymousUser
from django_tenants.utils import get_public_schema_name, schema_context

from apps.accounts.models import User
from apps.core.schemas import current_schema

# Whoever asks: a request's user (logged in or anonymous), or nobody (a page without one).
Someone: TypeAlias = User | AnonymousUser | None


def _in_organization_schema() -> bool:
    public: str = get_public_schema_name()  # django-tenants is untyped
    return current_schema() != public


def is_operator(user: Someone) -> TypeGuard[User]:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and getattr(user, "is_operator", False)
        and _in_organization_schema()
    )


def is_organization_admin(user: Someone) -> TypeGuard[User]:
    return is_operator(user) and user.is_admin


def is_platform_admin(user: Someone) -> TypeGuard[User]:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and not _in_organization_schema()
    )


def can_enter_template_site(user: Someone) -> bool:
    """A template site (kept to be cloned) is entered by platform admins only, as its support
    identity in a support session; nobody else signs up, logs in or calls its API there."""
    return bool(is_organization_admin(user) and user.is_support)


def platform_admin_emails() -> list[str]:
    """Who is told of what needs a platform admin: the active staff of the public schema."""
    with schema_context(get_public_schema_name()):
        return list(
            User.objects.filter(is_staff=True, is_active=True)
            .order_by("email")
            .values_list("email", flat=True)
        )


def has_totp(user: Someone) -> bool:
    """Has a TOTP authenticator (allauth MFA) in the current schema: allauth's login then
    asks for its code."""
    return bool(user is not None and is_mfa_enabled(user, [Authenticator.Type.TOTP]))
