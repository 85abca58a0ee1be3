"""The one place that answers "may this user do that here?".

Views, the REST API and templates all ask `can(user, action, obj)` or use the querysets
below; nothing else decides access.

- configuration permission: operator ↔ organizer (configure it, assign people to it and to
  its distributions, invite for it);
- sale permission: operator ↔ distribution (sell in that channel);
- organization admin (`is_admin`): every permission in the organization;
- platform admin: staff user of the public schema, on the platform host only; the platform
  pages and the platform's Django admin also want a TOTP authenticator (`has_totp`).
"""

from enum import StrEnum

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.db import connection
from django.db.models import QuerySet
from django_tenants.utils import get_public_schema_name, schema_context

from apps.accounts.models import User
from apps.organizers.models import Distribution, Organizer
from apps.tenancy.models import Organization


class Action(StrEnum):
    OPEN_CONTROL_PANEL = "open_control_panel"
    OPEN_PLATFORM_ADMIN = "open_platform_admin"
    VIEW = "view"  # an organizer or distribution
    CONFIGURE = "configure"  # an organizer, or anything that belongs to one
    SELL = "sell"  # a distribution
    CREATE_ORGANIZER = "create_organizer"
    ASSIGN = "assign"  # link someone to an organizer or distribution
    INVITE = "invite"  # for an organizer or distribution
    MANAGE_INVITATION = "manage_invitation"
    MANAGE_CUSTOM_DOMAINS = "manage_custom_domains"  # an organizer's own domains
    # Service fee rules. No object: open the fees page (configures some organizer); a rule,
    # organizer or event: configure its organizer; a rule of the whole organization (no
    # organizer): organization admins only.
    CONFIGURE_FEES = "configure_fees"


def _in_organization_schema() -> bool:
    return connection.schema_name != get_public_schema_name()


def is_operator(user) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and getattr(user, "is_operator", False)
        and _in_organization_schema()
    )


def is_organization_admin(user) -> bool:
    return is_operator(user) and user.is_admin


def is_platform_admin(user) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and not _in_organization_schema()
    )


def platform_admin_emails() -> list[str]:
    """Who is told of what needs a platform admin: the active staff of the public schema."""
    with schema_context(get_public_schema_name()):
        return list(
            User.objects.filter(is_staff=True, is_active=True)
            .order_by("email")
            .values_list("email", flat=True)
        )


def has_totp(user) -> bool:
    """Has a TOTP authenticator (allauth MFA) in the current schema: allauth's login then
    asks for its code."""
    return bool(user is not None and is_mfa_enabled(user, [Authenticator.Type.TOTP]))


def organizers_configurable_by(user) -> QuerySet[Organizer]:
    if not is_operator(user):
        return Organizer.objects.none()
    if user.is_admin:
        return Organizer.objects.all()
    return Organizer.objects.filter(configuration_permissions__operator=user)


def distributions_sellable_by(user) -> QuerySet[Distribution]:
    if not is_operator(user):
        return Distribution.objects.none()
    if user.is_admin:
        return Distribution.objects.all()
    return Distribution.objects.filter(sale_permissions__operator=user)


def organizers_visible_to(user) -> QuerySet[Organizer]:
    """Organizers one configures, or sells for through one of their distributions."""
    if not is_operator(user):
        return Organizer.objects.none()
    if user.is_admin:
        return Organizer.objects.all()
    return Organizer.objects.filter(
        pk__in=organizers_configurable_by(user)
        .values("pk")
        .union(distributions_sellable_by(user).values("organizer_id"))
    )


def distributions_visible_to(user) -> QuerySet[Distribution]:
    """Distributions one sells in, or that belong to an organizer one configures."""
    if not is_operator(user):
        return Distribution.objects.none()
    if user.is_admin:
        return Distribution.objects.all()
    return Distribution.objects.filter(
        pk__in=distributions_sellable_by(user)
        .values("pk")
        .union(Distribution.objects.filter(organizer__in=organizers_configurable_by(user)).values("pk"))
    )


def _organizer_of(obj) -> Organizer | None:
    """The organizer anything belongs to: itself, its .organizer, or its event's organizer."""
    if isinstance(obj, Organizer):
        return obj
    if hasattr(obj, "organizer"):
        return obj.organizer
    event = getattr(obj, "event", None)
    return getattr(event, "organizer", None)


def _plan_has_custom_domains(organizer: Organizer) -> bool:
    """The organizer's client account (plan with its overrides) includes custom domains."""
    # billing sits above accounts in the import graph: imported on use, never at load.
    from apps.billing.selectors import account_features, billing_account_of

    organization_id = getattr(connection.tenant, "pk", None) or (
        Organization.objects.filter(schema_name=connection.schema_name).values_list("pk", flat=True).first()
    )
    account = billing_account_of(organization_id=organization_id, organizer_id=organizer.pk)
    return account is not None and account_features(account).custom_domain


def can(user, action: Action | str, obj=None) -> bool:
    action = Action(action)
    if action is Action.OPEN_PLATFORM_ADMIN:
        return is_platform_admin(user)
    if not is_operator(user):
        return False
    if action is Action.OPEN_CONTROL_PANEL:
        return True
    if action is Action.MANAGE_CUSTOM_DOMAINS:  # the plan decides for admins too
        organizer = _organizer_of(obj)
        return (
            organizer is not None
            and organizers_configurable_by(user).filter(pk=organizer.pk).exists()
            and _plan_has_custom_domains(organizer)
        )
    if user.is_admin:
        return True
    if action in (Action.CREATE_ORGANIZER,):
        return False
    if action is Action.VIEW:
        if isinstance(obj, Distribution):
            return distributions_visible_to(user).filter(pk=obj.pk).exists()
        return organizers_visible_to(user).filter(pk=getattr(_organizer_of(obj), "pk", None)).exists()
    if action is Action.SELL:
        return isinstance(obj, Distribution) and distributions_sellable_by(user).filter(pk=obj.pk).exists()
    if action in (Action.CONFIGURE, Action.ASSIGN, Action.INVITE):
        organizer = _organizer_of(obj)
        return organizer is not None and organizers_configurable_by(user).filter(pk=organizer.pk).exists()
    if action is Action.MANAGE_INVITATION:
        return obj is not None and obj.invited_by_id == user.pk
    if action is Action.CONFIGURE_FEES:
        if obj is None:
            return organizers_configurable_by(user).exists()
        organizer = _organizer_of(obj)
        return organizer is not None and organizers_configurable_by(user).filter(pk=organizer.pk).exists()
    return False


# Short names for decorators and templates.
def can_open_control_panel(user) -> bool:
    return can(user, Action.OPEN_CONTROL_PANEL)


def can_open_platform_admin(user) -> bool:
    return can(user, Action.OPEN_PLATFORM_ADMIN)


def can_configure_fees(user) -> bool:
    return can(user, Action.CONFIGURE_FEES)
