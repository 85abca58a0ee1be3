"""Reads about operators and their team."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from apps.accounts.models import User
from apps.operators.models import ConfigurationPermission, Invitation, SalePermission
from apps.operators.permissions import (
    Someone,
    distributions_sellable_by,
    is_operator,
    organizers_configurable_by,
)
from apps.organizers.models import Distribution, Organizer


@dataclass(frozen=True)
class TeamMember:
    """An operator seen by a colleague: only what both of them can reach is shown."""

    user: User
    mutual_organizers: list[Organizer]
    mutual_distributions: list[Distribution]

    @property
    def id(self) -> int:
        return self.user.pk


def team_member_queryset(me: Someone) -> QuerySet[User]:
    """Operators sharing at least one organizer or distribution with `me`; the platform's
    support identity is no team member."""
    if not isinstance(me, User) or not is_operator(me):
        return User.objects.none()
    my_organizers = organizers_configurable_by(me)
    my_distributions = distributions_sellable_by(me)
    shares = Q(configuration_permissions__organizer__in=my_organizers) | Q(
        sale_permissions__distribution__in=my_distributions
    )
    if my_organizers.exists() or my_distributions.exists():
        shares |= Q(is_admin=True)  # an admin reaches everything I reach
    return (
        User.objects.filter(shares, is_operator=True, is_active=True, is_support=False)
        .exclude(pk=me.pk)
        .distinct()
    )


def team_members_of(me: User, *, only: int | None = None) -> list[TeamMember]:
    """Team members with their mutual resources, in a fixed number of queries."""
    members = (
        team_member_queryset(me)
        .order_by("email")
        .prefetch_related("configuration_permissions", "sale_permissions")
    )
    if only is not None:
        members = members.filter(pk=only)
    my_organizers = {organizer.pk: organizer for organizer in organizers_configurable_by(me).order_by("name")}
    my_distributions = {
        distribution.pk: distribution
        for distribution in distributions_sellable_by(me)
        .select_related("organizer")
        .order_by("organizer__name", "pk")
    }
    team = []
    for member in members:
        if member.is_admin:
            organizer_ids, distribution_ids = set(my_organizers), set(my_distributions)
        else:
            organizer_ids = {link.organizer_id for link in member.configuration_permissions.all()}
            distribution_ids = {link.distribution_id for link in member.sale_permissions.all()}
        team.append(
            TeamMember(
                user=member,
                mutual_organizers=[o for pk, o in my_organizers.items() if pk in organizer_ids],
                mutual_distributions=[d for pk, d in my_distributions.items() if pk in distribution_ids],
            )
        )
    return team


def team_member_of(me: User, member_id: int) -> TeamMember | None:
    found = team_members_of(me, only=member_id)
    return found[0] if found else None


def invitations_visible_to(me: User) -> QuerySet[Invitation]:
    """Invitations I sent, or that grant something on an organizer I configure."""
    if not is_operator(me):
        return Invitation.objects.none()
    if me.is_admin:
        return Invitation.objects.all()
    mine = organizers_configurable_by(me)
    return (
        Invitation.objects.filter(
            Q(invited_by=me) | Q(organizers__in=mine) | Q(distributions__organizer__in=mine)
        )
        .distinct()
        .order_by("-created_at")
    )


@dataclass(frozen=True)
class Access:
    """Ids of what an operator holds among what one who configures can hand out."""

    organizers: frozenset[int]
    distributions: frozenset[int]


def access_of(operator: User, *, seen_by: User) -> Access:
    """The operator's configuration and sale links on organizers `seen_by` configures."""
    configurable = organizers_configurable_by(seen_by)
    return Access(
        organizers=frozenset(
            ConfigurationPermission.objects.filter(operator=operator, organizer__in=configurable).values_list(
                "organizer_id", flat=True
            )
        ),
        distributions=frozenset(
            SalePermission.objects.filter(
                operator=operator, distribution__organizer__in=configurable
            ).values_list("distribution_id", flat=True)
        ),
    )
