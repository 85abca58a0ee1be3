"""Services and selectors of operators: team members, permission links, invitations."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.core.audit import Actor
from apps.core.models import AuditLogEntry
from apps.operators import selectors, services
from apps.operators.exceptions import Conflict, InvitationInvalid, NotAllowed
from apps.operators.models import ConfigurationPermission, Invitation, SalePermission
from apps.operators.permissions import Action, can, is_platform_admin
from tests.factories import OperatorFactory, UserFactory, team_build
from tests.tenants import ALPHA

HOST = ALPHA.host


@pytest.fixture
def team(in_alpha):
    return team_build("ALPHA", host=HOST)


def _mutual(member):
    return (
        member.user.email,
        [o.name for o in member.mutual_organizers],
        [str(d) for d in member.mutual_distributions],
    )


# --- team members -----------------------------------------------------------------------


def test_team_members_share_at_least_one_organizer_or_distribution(team):
    wide = OperatorFactory(
        email="wide@example.com", configures=[team.a, team.b], sells=[team.a_shop, team.a_box, team.b_box]
    )
    OperatorFactory(email="loner@example.com", sells=[team.b_shop])  # shares nothing with the peer
    OperatorFactory(email="idle@example.com")  # an operator without any link
    OperatorFactory(email="gone@example.com", configures=[team.a], is_active=False)

    members = selectors.team_members_of(team.peer)

    assert [_mutual(m) for m in members] == [
        ("admin@example.com", ["ALPHA-A"], ["ALPHA-A – Box office"]),  # an admin reaches all I reach
        ("configurer@example.com", ["ALPHA-A"], []),  # configures A too; sells nowhere
        ("seller@example.com", [], ["ALPHA-A – Box office"]),  # shares only a distribution
        ("wide@example.com", ["ALPHA-A"], ["ALPHA-A – Box office"]),  # never B, never A's shop
    ]
    assert wide.pk in [m.id for m in members]


def test_an_admin_sees_every_linked_operator_with_their_own_links(team):
    members = selectors.team_members_of(team.admin)

    assert [_mutual(m) for m in members] == [
        ("configurer@example.com", ["ALPHA-A"], []),
        ("other@example.com", ["ALPHA-B"], []),
        ("peer@example.com", ["ALPHA-A"], ["ALPHA-A – Box office"]),
        ("seller@example.com", [], ["ALPHA-A – Box office"]),
    ]


def test_two_admins_are_each_others_team_members_with_everything_mutual(team):
    OperatorFactory(email="second-admin@example.com", is_admin=True)

    members = {m.user.email: m for m in selectors.team_members_of(team.admin)}

    assert [o.name for o in members["second-admin@example.com"].mutual_organizers] == ["ALPHA-A", "ALPHA-B"]
    assert len(members["second-admin@example.com"].mutual_distributions) == 4


def test_an_operator_without_links_has_no_team_not_even_admins(team):
    idle = OperatorFactory(email="idle@example.com")

    assert selectors.team_members_of(idle) == []


def test_customers_and_platform_admins_have_no_team(team):
    with schema_context("public"):
        staff = UserFactory(email="staff@platform.test", is_staff=True)

    assert selectors.team_members_of(team.customer) == []
    assert selectors.team_members_of(staff) == []
    assert selectors.team_member_of(team.configurer, team.other.pk) is None
    assert selectors.team_member_of(team.configurer, team.peer.pk).user == team.peer


# --- permission links -------------------------------------------------------------------


def test_a_configurer_grants_and_revokes_with_an_audit_entry_each(team):
    actor = Actor(user=team.configurer, host=HOST)

    link = services.sale_permission_grant(actor=actor, operator=team.peer, distribution=team.a_shop)
    services.configuration_permission_revoke(actor=actor, operator=team.peer, organizer=team.a)

    assert link.granted_by == team.configurer
    assert not ConfigurationPermission.objects.filter(operator=team.peer).exists()
    assert set(SalePermission.objects.filter(operator=team.peer).values_list("distribution", flat=True)) == {
        team.a_shop.pk,
        team.a_box.pk,
    }
    entries = AuditLogEntry.objects.filter(action__startswith="permission.").order_by("pk")
    assert [
        (e.actor, e.actor_email, e.action, e.target_type, e.target_id, e.host, e.data) for e in entries
    ] == [
        (
            team.configurer,
            "configurer@example.com",
            "permission.sale.granted",
            "accounts.user",
            str(team.peer.pk),
            HOST,
            {"distribution": team.a_shop.pk},
        ),
        (
            team.configurer,
            "configurer@example.com",
            "permission.configuration.revoked",
            "accounts.user",
            str(team.peer.pk),
            HOST,
            {"organizer": team.a.pk},
        ),
    ]


def test_setting_access_grants_what_is_new_and_revokes_what_is_gone_on_what_i_configure(team):
    # peer: configures A, sells at A's box office.
    actor = Actor(user=team.admin, host=HOST)

    services.operator_access_set(
        actor=actor, operator=team.peer, organizers=[team.b], distributions=[team.a_shop]
    )

    assert selectors.access_of(team.peer, seen_by=team.admin) == selectors.Access(
        organizers=frozenset({team.b.pk}), distributions=frozenset({team.a_shop.pk})
    )
    assert selectors.access_of(team.peer, seen_by=team.other) == selectors.Access(
        organizers=frozenset({team.b.pk}), distributions=frozenset()
    )
    assert list(
        AuditLogEntry.objects.filter(action__startswith="permission.")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == [
        "permission.configuration.granted",
        "permission.sale.granted",
        "permission.configuration.revoked",
        "permission.sale.revoked",
    ]


def test_setting_access_changes_nothing_when_one_step_is_refused(team):
    # The configurer reaches A only: A's shop is granted first, then B's box office is refused.
    actor = Actor(user=team.configurer, host=HOST)

    with pytest.raises(NotAllowed):
        services.operator_access_set(
            actor=actor, operator=team.peer, organizers=[team.a], distributions=[team.a_shop, team.b_box]
        )

    assert not SalePermission.objects.filter(operator=team.peer, distribution=team.a_shop).exists()
    assert not AuditLogEntry.objects.filter(action__startswith="permission.").exists()


def test_duplicate_grants_and_missing_revokes_are_conflicts_without_audit(team):
    actor = Actor(user=team.admin, host=HOST)

    with pytest.raises(Conflict, match="already has configuration permission on ALPHA-A"):
        services.configuration_permission_grant(actor=actor, operator=team.peer, organizer=team.a)
    with pytest.raises(Conflict, match="already has sale permission"):
        services.sale_permission_grant(actor=actor, operator=team.peer, distribution=team.a_box)
    with pytest.raises(Conflict, match="has no configuration permission on ALPHA-B"):
        services.configuration_permission_revoke(actor=actor, operator=team.peer, organizer=team.b)
    with pytest.raises(Conflict, match="has no sale permission"):
        services.sale_permission_revoke(actor=actor, operator=team.peer, distribution=team.b_box)

    assert not AuditLogEntry.objects.filter(action__startswith="permission.").exists()


def test_refusals_never_name_what_the_actor_cannot_see(team):
    other = Actor(user=team.other, host=HOST)

    with pytest.raises(NotAllowed) as unseen_organizer:
        services.sale_permission_grant(actor=other, operator=team.peer, distribution=team.a_shop)
    with pytest.raises(NotAllowed) as outside_team:
        services.configuration_permission_grant(actor=other, operator=team.peer, organizer=team.b)

    assert (
        str(unseen_organizer.value)
        == "You need configuration permission on this organizer to assign people to it."
    )
    assert str(outside_team.value) == "This operator is not one of your team members."
    assert not AuditLogEntry.objects.filter(action__startswith="permission.").exists()


def test_a_platform_admin_has_no_rights_inside_an_organization(team):
    with schema_context("public"):
        staff = UserFactory(email="staff@platform.test", is_staff=True, is_superuser=True)
        assert is_platform_admin(staff)

    assert not is_platform_admin(staff)  # in alpha's schema
    assert not can(staff, Action.CONFIGURE, team.a)
    with pytest.raises(NotAllowed):
        services.configuration_permission_grant(
            actor=Actor(user=staff, host=HOST), operator=team.peer, organizer=team.b
        )


def test_an_organization_admin_is_no_platform_admin_even_as_staff(team):
    staff_admin = OperatorFactory(email="staff-admin@example.com", is_admin=True, is_staff=True)

    assert can(staff_admin, Action.CONFIGURE, team.b)
    assert not can(staff_admin, Action.OPEN_PLATFORM_ADMIN)


# --- invitations ------------------------------------------------------------------------


def test_an_invitation_is_for_a_lowercased_address_and_expires_in_seven_days(team):
    invitation = services.invitation_create(
        actor=Actor(user=team.configurer, host=HOST), email="Someone@NEW.test", organizers=[team.a]
    )

    assert invitation.email == "someone@new.test"
    assert invitation.status == Invitation.Status.PENDING
    assert invitation.expires_at - invitation.created_at == pytest.approx(
        timedelta(days=7), abs=timedelta(seconds=5)
    )
    assert list(invitation.organizers.all()) == [team.a]


def test_one_invites_only_for_what_one_configures(team):
    seller = Actor(user=team.seller, host=HOST)

    with pytest.raises(NotAllowed, match="configuration permission on ALPHA-A to invite"):
        services.invitation_create(actor=seller, email="x@new.test", distributions=[team.a_box])
    with pytest.raises(NotAllowed, match="configuration permission on ALPHA-B to invite"):
        services.invitation_create(
            actor=Actor(user=team.configurer),
            email="x@new.test",
            organizers=[team.a],
            distributions=[team.b_box],
        )

    assert not Invitation.objects.filter(email="x@new.test").exists()


def test_a_pending_address_is_matched_whatever_its_case(team):
    with pytest.raises(Conflict, match="invitee-a@example.com already has a pending invitation"):
        services.invitation_create(
            actor=Actor(user=team.admin), email="Invitee-A@Example.com", organizers=[team.b]
        )


def test_a_token_is_bound_to_its_schema(team, beta):
    token = services.invitation_token(team.invitation_a)

    assert services.invitation_from_token(token) == team.invitation_a
    with schema_context(beta.schema_name), pytest.raises(InvitationInvalid, match="not valid"):
        services.invitation_from_token(token)


def test_a_deleted_invitation_no_longer_exists(team):
    token = services.invitation_token(team.invitation_a)
    Invitation.objects.filter(pk=team.invitation_a.pk).delete()

    with pytest.raises(InvitationInvalid, match="no longer exists"):
        services.invitation_from_token(token)


def test_accepting_as_someone_else_is_refused_and_changes_nothing(team):
    token = services.invitation_token(team.invitation_a)

    with pytest.raises(NotAllowed, match="log out first"):
        services.invitation_accept(token=token, user=team.seller, password="a long pass phrase")

    assert Invitation.objects.get(pk=team.invitation_a.pk).status == Invitation.Status.PENDING
    assert not User.objects.filter(email="invitee-a@example.com").exists()


def test_a_weak_password_is_a_message_on_the_password_field(team):
    token = services.invitation_token(team.invitation_a)

    with pytest.raises(ValidationError) as error:
        services.invitation_accept(token=token, password="invitee-a")

    assert list(error.value.message_dict) == ["password"]
    assert Invitation.objects.get(pk=team.invitation_a.pk).status == Invitation.Status.PENDING


def test_accepting_creates_a_verified_operator_with_exactly_the_invited_links(team):
    token = services.invitation_token(team.invitation_b)

    operator = services.invitation_accept(
        token=token, password="a long pass phrase", full_name="B", host=HOST
    )

    assert operator.is_operator
    assert not operator.is_admin
    assert operator.emailaddress_set.get().verified
    assert not ConfigurationPermission.objects.filter(operator=operator).exists()
    link = SalePermission.objects.get(operator=operator)
    assert (link.distribution, link.granted_by) == (team.b_box, team.other)
    entry = AuditLogEntry.objects.get(action="invitation.accepted")
    assert (entry.actor, entry.host, entry.target_id) == (operator, HOST, str(team.invitation_b.pk))


def test_an_expired_invitation_cannot_be_revoked(team):
    Invitation.objects.filter(pk=team.invitation_a.pk).update(expires_at=timezone.now())

    with pytest.raises(InvitationInvalid, match="expired"):
        services.invitation_revoke(actor=Actor(user=team.configurer), invitation=team.invitation_a)
