"""The one place that answers "may this user do that here?".

Views, the REST API and templates all ask `can(user, action, obj)` or use the querysets
below; nothing else decides access.

- configuration permission: operator ↔ organizer (configure it, assign people to it and to
  its distributions, invite for it);
- sale permission: operator ↔ distribution (sell in that channel);
- organization admin (`is_admin`): every permission in the organization;
- platform admin: staff user of the public schema, on the platform host only; the platform
  pages and the platform's Django admin also want a TOTP authenticator (`has_totp`);
- template sites: their support identity only (`can_enter_template_site`).

Plan features (the organizer's client account in apps.billing: its plan, each override
winning) decide for organization admins too: selling at the box office, replicating events,
custom domains, and the maximum number of operators (`operator_limit_exceeded`). An organizer
without a client account has none of the on/off features and no maximum of its own.
"""

from collections.abc import Iterable
from enum import StrEnum
from typing import TypeGuard, cast

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.roles import Someone as Someone  # the type of whoever asks
from apps.accounts.roles import (  # the permission module answers these too
    can_enter_template_site as can_enter_template_site,
)
from apps.accounts.roles import has_totp as has_totp
from apps.accounts.roles import is_operator as is_operator
from apps.accounts.roles import is_organization_admin as is_organization_admin
from apps.accounts.roles import is_platform_admin as is_platform_admin
from apps.accounts.roles import platform_admin_emails as platform_admin_emails
from apps.core import hooks
from apps.core.hooks import PlanFeatures
from apps.operators.models import Invitation
from apps.organizers.models import Distribution, Organizer
from apps.tenancy.models import Organization


def _operator(user: Someone) -> TypeGuard[User]:
    return is_operator(user)


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
    # A distribution: sell at the counter in it (box office page, POST /api/v1/orders/).
    SELL_AT_BOX_OFFICE = "sell_at_box_office"
    REPLICATE = "replicate"  # an event: create many dates (or copies) of it at once
    # Service fee rules. No object: open the fees page (configures some organizer); a rule,
    # organizer or event: configure its organizer; a rule of the whole organization (no
    # organizer): organization admins only.
    CONFIGURE_FEES = "configure_fees"
    # See who of the platform opened the site in support sessions, when, why, for how long.
    VIEW_SUPPORT_SESSIONS = "view_support_sessions"
    # An order (anything with `organizer_id` and `distribution_id`): see it and act on it
    # (resend its tickets, cancel, refund, change its attendees or buyer's e-mail, issue its
    # invoice). Organization admins: every order; who configures its organizer; who sells
    # in its distribution. The same rule as the list of orders one sees
    # (apps.sales.selectors.orders_visible_to).
    MANAGE_ORDER = "manage_order"
    # Season pass types and their passes (apps.sales.models.passes). No object: open the
    # passes pages (configures some organizer); a pass type or organizer: configure its
    # organizer.
    MANAGE_PASSES = "manage_passes"
    # An event date's waiting list: see it, remove entries, send offers by hand. Organization
    # admins and who configures the date's organizer.
    MANAGE_WAITING_LIST = "manage_waiting_list"
    # Vouchers and access codes. No object: open their pages (configures some organizer); a
    # voucher or an organizer: configure that organizer.
    MANAGE_VOUCHERS = "manage_vouchers"


def organizers_configurable_by(user: Someone) -> QuerySet[Organizer]:
    if not _operator(user):
        return Organizer.objects.none()
    if user.is_admin:
        return Organizer.objects.all()
    return Organizer.objects.filter(configuration_permissions__operator=user)


def distributions_sellable_by(user: Someone) -> QuerySet[Distribution]:
    if not _operator(user):
        return Distribution.objects.none()
    if user.is_admin:
        return Distribution.objects.all()
    return Distribution.objects.filter(sale_permissions__operator=user)


def distributions_at_box_office(user: Someone) -> list[Distribution]:
    """The distributions one sells in whose organizer's plan includes the box office, with
    their organizers, by organizer name."""
    sellable = list(
        distributions_sellable_by(user).select_related("organizer").order_by("organizer__name", "pk")
    )
    allowed = organizers_allowed({d.organizer_id for d in sellable}, BOX_OFFICE)
    return [d for d in sellable if d.organizer_id in allowed]


def organizers_visible_to(user: Someone) -> QuerySet[Organizer]:
    """Organizers one configures, or sells for through one of their distributions."""
    if not _operator(user):
        return Organizer.objects.none()
    if user.is_admin:
        return Organizer.objects.all()
    return Organizer.objects.filter(
        pk__in=organizers_configurable_by(user)
        .values("pk")
        .union(distributions_sellable_by(user).values("organizer_id"))
    )


def distributions_visible_to(user: Someone) -> QuerySet[Distribution]:
    """Distributions one sells in, or that belong to an organizer one configures."""
    if not _operator(user):
        return Distribution.objects.none()
    if user.is_admin:
        return Distribution.objects.all()
    return Distribution.objects.filter(
        pk__in=distributions_sellable_by(user)
        .values("pk")
        .union(Distribution.objects.filter(organizer__in=organizers_configurable_by(user)).values("pk"))
    )


def _organizer_of(obj: object) -> Organizer | None:
    """The organizer anything belongs to: itself, its .organizer, or its event's organizer."""
    if isinstance(obj, Organizer):
        return obj
    if hasattr(obj, "organizer"):
        organizer = obj.organizer
    else:
        organizer = getattr(getattr(obj, "event", None), "organizer", None)
    return organizer if isinstance(organizer, Organizer) else None


# --- plan features ---------------------------------------------------------------------

BOX_OFFICE, EVENT_REPLICATION, CUSTOM_DOMAIN = "box_office", "event_replication", "custom_domain"


def _organization_id() -> int | None:
    pk = getattr(getattr(connection, "tenant", None), "pk", None)
    if pk:
        return int(pk)
    schema_name = getattr(connection, "schema_name", None)
    found = Organization.objects.filter(schema_name=schema_name).values_list("pk", flat=True).first()
    return int(found) if found is not None else None


def _features_of(organizer_ids: Iterable[int]) -> dict[int, PlanFeatures]:
    """{organizer id: PlanFeatures} of those with a client account (billing answers, cached)."""
    # No organization (None) has no client account: billing finds none.
    organization_id = cast(int, _organization_id())
    return hooks.organizers_features(organization_id, list(organizer_ids))


def plan_allows(organizer_id: int, feature: str) -> bool:
    """The organizer's client account (plan with its overrides) includes this on/off feature."""
    features = _features_of([organizer_id]).get(organizer_id)
    return features is not None and bool(getattr(features, feature))


def organizers_allowed(organizer_ids: Iterable[int], feature: str) -> set[int]:
    """Those of the organizers whose plan includes the feature (one lookup for all)."""
    return {pk for pk, features in _features_of(set(organizer_ids)).items() if getattr(features, feature)}


def operators_of(organizer: Organizer) -> QuerySet[User]:
    """Who counts against the organizer's maximum: active operators who configure it or sell in
    one of its channels, and the organization's admins (they work on every organizer); never
    the platform's support identity."""
    return (
        User.objects.filter(is_operator=True, is_active=True, is_support=False)
        .filter(
            Q(is_admin=True)
            | Q(configuration_permissions__organizer=organizer)
            | Q(sale_permissions__distribution__organizer=organizer)
        )
        .distinct()
    )


def operator_limit_exceeded(
    organizer: Organizer, *, email: str, ignore_invitation: int | None = None
) -> int | None:
    """The plan's maximum of operators when giving `email` access to the organizer would go
    past it, else None. Open invitations hold a seat until they are accepted, withdrawn or
    expire; a person already counted takes no new one."""
    features = _features_of([organizer.pk]).get(organizer.pk)
    maximum = features.max_operators if features is not None else None
    if maximum is None:
        return None
    email = email.lower()
    people = {address.lower() for address in operators_of(organizer).values_list("email", flat=True)}
    invitations = Invitation.objects.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).filter(Q(organizers=organizer) | Q(distributions__organizer=organizer))
    if ignore_invitation is not None:
        invitations = invitations.exclude(pk=ignore_invitation)
    invited = invitations.values_list("email", flat=True)
    people |= {address.lower() for address in invited}
    if email in people:
        return None
    return maximum if len(people) + 1 > maximum else None


def can(user: Someone, action: Action | str, obj: object = None) -> bool:
    action = Action(action)
    if action is Action.OPEN_PLATFORM_ADMIN:
        return is_platform_admin(user)
    if not _operator(user):
        return False
    if action is Action.OPEN_CONTROL_PANEL:
        return True
    # The plan decides for admins too.
    if action is Action.MANAGE_CUSTOM_DOMAINS:
        organizer = _organizer_of(obj)
        return (
            organizer is not None
            and organizers_configurable_by(user).filter(pk=organizer.pk).exists()
            and plan_allows(organizer.pk, CUSTOM_DOMAIN)
        )
    if action is Action.SELL_AT_BOX_OFFICE:
        return (
            isinstance(obj, Distribution)
            and (user.is_admin or distributions_sellable_by(user).filter(pk=obj.pk).exists())
            and plan_allows(obj.organizer_id, BOX_OFFICE)
        )
    if action is Action.REPLICATE:
        organizer = _organizer_of(obj)
        return (
            organizer is not None
            and (user.is_admin or organizers_configurable_by(user).filter(pk=organizer.pk).exists())
            and plan_allows(organizer.pk, EVENT_REPLICATION)
        )
    if user.is_admin:
        return True
    if action in (Action.CREATE_ORGANIZER,):
        return False
    if action is Action.VIEW:
        if isinstance(obj, Distribution):
            return distributions_visible_to(user).filter(pk=obj.pk).exists()
        organizer = _organizer_of(obj)
        return organizer is not None and organizers_visible_to(user).filter(pk=organizer.pk).exists()
    if action is Action.SELL:
        return isinstance(obj, Distribution) and distributions_sellable_by(user).filter(pk=obj.pk).exists()
    if action in (Action.CONFIGURE, Action.ASSIGN, Action.INVITE):
        organizer = _organizer_of(obj)
        return organizer is not None and organizers_configurable_by(user).filter(pk=organizer.pk).exists()
    if action is Action.MANAGE_ORDER:
        return _manages_order(user, obj)
    if action is Action.MANAGE_WAITING_LIST:
        organizer = _organizer_of(obj)
        return organizer is not None and organizers_configurable_by(user).filter(pk=organizer.pk).exists()
    if action is Action.MANAGE_INVITATION:
        return obj is not None and getattr(obj, "invited_by_id", None) == user.pk
    if action in (Action.CONFIGURE_FEES, Action.MANAGE_PASSES, Action.MANAGE_VOUCHERS):
        if obj is None:
            return organizers_configurable_by(user).exists()
        organizer = _organizer_of(obj)
        return organizer is not None and organizers_configurable_by(user).filter(pk=organizer.pk).exists()
    return False


def _manages_order(user: User, order: object) -> bool:
    organizer_id = getattr(order, "organizer_id", None)
    distribution_id = getattr(order, "distribution_id", None)
    if organizer_id is None or distribution_id is None:
        return False
    return (
        organizers_configurable_by(user).filter(pk=organizer_id).exists()
        or distributions_sellable_by(user).filter(pk=distribution_id).exists()
    )


# Short names for decorators and templates.
def can_view_support_sessions(user: Someone) -> bool:
    return can(user, Action.VIEW_SUPPORT_SESSIONS)


def can_open_control_panel(user: Someone) -> bool:
    return can(user, Action.OPEN_CONTROL_PANEL)


def can_open_platform_admin(user: Someone) -> bool:
    return can(user, Action.OPEN_PLATFORM_ADMIN)


def can_manage_order(user: Someone, order: object) -> bool:
    return can(user, Action.MANAGE_ORDER, order)


def can_configure_fees(user: Someone) -> bool:
    return can(user, Action.CONFIGURE_FEES)


def can_manage_passes(user: Someone) -> bool:
    return can(user, Action.MANAGE_PASSES)


def can_manage_vouchers(user: Someone) -> bool:
    return can(user, Action.MANAGE_VOUCHERS)


# --- which control pages one works in (the menu, apps.operators.menu) -----------------------


def can_configure_some_organizer(user: Someone) -> bool:
    """An organization admin, or one who configures an organizer: the pages of events,
    locations, fees and taxes, customers, reports, organizers, team, invitations, domains."""
    return _operator(user) and (user.is_admin or organizers_configurable_by(user).exists())


def configures_an_organizer(user: Someone) -> bool:
    """One configures an organizer that exists (an organization admin: once there is one):
    the pages that need an organizer to show (domains, sales reports)."""
    return organizers_configurable_by(user).exists()


def can_sell_somewhere(user: Someone) -> bool:
    """An organization admin, or one who sells in a channel: the box office."""
    return _operator(user) and (user.is_admin or distributions_sellable_by(user).exists())


def can_see_orders(user: Someone) -> bool:
    """The orders of the organizers one configures or of the channels one sells in, and their
    tickets at the gate (check-in): whoever configures or sells anything."""
    return can_configure_some_organizer(user) or can_sell_somewhere(user)


def organizer_configured_alone_by(user: Someone) -> Organizer | None:
    """The organizer one configures when it is the only one (an organization of a single
    organizer, its admins included), else None: the menu then links its payments page."""
    if not _operator(user):
        return None
    found = list(organizers_configurable_by(user).order_by("pk")[:2])
    return found[0] if len(found) == 1 else None


def can_manage_billing(user: Someone) -> bool:
    """The organization's client account with the platform: its admins."""
    return is_organization_admin(user)
