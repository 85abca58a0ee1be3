"""REST API of team members, permission links and invitations (an organization's host)."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.core.audit import Actor
from apps.core.models import AuditLogEntry
from apps.operators.models import ConfigurationPermission, Invitation, SalePermission
from apps.operators.services import invitation_create, invitation_token
from tests.factories import (
    ADMIN,
    ANONYMOUS,
    CONFIGURER,
    OTHER,
    SELLER,
    OperatorFactory,
    api_client,
    denied_to_outsiders,
    role_matrix,
    world_build,
)
from tests.tenants import ALPHA, BETA


@pytest.fixture
def world(alpha, beta):
    return world_build(alpha, beta)


def _links(world, member):
    with schema_context(world.alpha.schema_name):
        return (
            set(
                ConfigurationPermission.objects.filter(operator=member).values_list("organizer_id", flat=True)
            ),
            set(SalePermission.objects.filter(operator=member).values_list("distribution_id", flat=True)),
        )


# --- team members -----------------------------------------------------------------------

TEAM_MEMBER_LIST = denied_to_outsiders(
    **{
        ADMIN: (200, ["configurer", "other", "peer", "seller"]),  # by e-mail
        CONFIGURER: (200, ["admin", "peer"]),  # peer configures A too
        SELLER: (200, ["admin", "peer"]),  # peer sells at A's box office too
        OTHER: (200, ["admin"]),
    }
)


@role_matrix(TEAM_MEMBER_LIST)
def test_team_member_list(world, role, expected):
    response = world.client(role).get("/api/v1/team-members/")

    world.check(role, response, expected)


TEAM_MEMBER_DETAIL = denied_to_outsiders(**{ADMIN: 200, CONFIGURER: 200, SELLER: 200, OTHER: 404})


@role_matrix(TEAM_MEMBER_DETAIL)
def test_team_member_detail(world, role, expected):
    response = world.client(role).get(f"/api/v1/team-members/{world.team.peer.pk}/")

    world.check(role, response, expected)


# Giving peer configuration permission on B: only who configures B may, and peer must be a
# team member (other configures B but shares nothing with peer).
GRANT_ORGANIZER = denied_to_outsiders(**{ADMIN: 201, CONFIGURER: 403, SELLER: 403, OTHER: 403})


@role_matrix(GRANT_ORGANIZER)
def test_team_member_grant_organizer(world, role, expected):
    response = world.client(role).post(
        f"/api/v1/team-members/{world.team.peer.pk}/organizers/",
        {"organizer": world.team.b.pk},
        format="json",
    )

    world.check(role, response, expected)
    assert (world.team.b.pk in _links(world, world.team.peer)[0]) == (expected == 201)


REVOKE_ORGANIZER = denied_to_outsiders(**{ADMIN: 204, CONFIGURER: 204, SELLER: 403, OTHER: 403})


@role_matrix(REVOKE_ORGANIZER)
def test_team_member_revoke_organizer(world, role, expected):
    response = world.client(role).delete(
        f"/api/v1/team-members/{world.team.peer.pk}/organizers/{world.team.a.pk}/"
    )

    world.check(role, response, expected)
    assert (world.team.a.pk in _links(world, world.team.peer)[0]) == (expected != 204)


GRANT_DISTRIBUTION = denied_to_outsiders(**{ADMIN: 201, CONFIGURER: 201, SELLER: 403, OTHER: 403})


@role_matrix(GRANT_DISTRIBUTION)
def test_team_member_grant_distribution(world, role, expected):
    response = world.client(role).post(
        f"/api/v1/team-members/{world.team.peer.pk}/distributions/",
        {"distribution": world.team.a_shop.pk},
        format="json",
    )

    world.check(role, response, expected)
    assert (world.team.a_shop.pk in _links(world, world.team.peer)[1]) == (expected == 201)


REVOKE_DISTRIBUTION = denied_to_outsiders(**{ADMIN: 204, CONFIGURER: 204, SELLER: 403, OTHER: 403})


@role_matrix(REVOKE_DISTRIBUTION)
def test_team_member_revoke_distribution(world, role, expected):
    response = world.client(role).delete(
        f"/api/v1/team-members/{world.team.peer.pk}/distributions/{world.team.a_box.pk}/"
    )

    world.check(role, response, expected)
    assert (world.team.a_box.pk in _links(world, world.team.peer)[1]) == (expected != 204)


# --- invitations ------------------------------------------------------------------------

INVITATION_LIST = denied_to_outsiders(
    **{
        ADMIN: (200, ["invitation_b", "invitation_a"]),  # newest first
        CONFIGURER: (200, ["invitation_a"]),  # sent it; and it is for A
        SELLER: (200, []),
        OTHER: (200, ["invitation_b"]),  # for B's box office
    }
)


@role_matrix(INVITATION_LIST)
def test_invitation_list(world, role, expected):
    response = world.client(role).get("/api/v1/invitations/")

    world.check(role, response, expected)


INVITATION_DETAIL = denied_to_outsiders(**{ADMIN: 200, CONFIGURER: 200, SELLER: 404, OTHER: 404})


@role_matrix(INVITATION_DETAIL)
def test_invitation_detail(world, role, expected):
    response = world.client(role).get(f"/api/v1/invitations/{world.team.invitation_a.pk}/")

    world.check(role, response, expected)


# The seller sees A (sells at its box office) but does not configure it: 403 naming A. B's
# configurer does not see A at all: its id reads as unknown (400), A's name is never echoed.
INVITATION_CREATE = denied_to_outsiders(**{ADMIN: 201, CONFIGURER: 201, SELLER: 403, OTHER: 400})


@role_matrix(INVITATION_CREATE)
def test_invitation_create(world, role, expected, django_capture_on_commit_callbacks):
    payload = {
        "email": "newcomer@new.test",
        "organizers": [world.team.a.pk],
        "distributions": [world.team.a_box.pk],
    }
    client = world.client(role)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/invitations/", payload, format="json")

    world.check(role, response, expected)
    assert [message.to for message in mail.outbox] == ([["newcomer@new.test"]] if expected == 201 else [])


INVITATION_REVOKE = denied_to_outsiders(**{ADMIN: 204, CONFIGURER: 204, SELLER: 404, OTHER: 404})


@role_matrix(INVITATION_REVOKE)
def test_invitation_revoke(world, role, expected):
    response = world.client(role).delete(f"/api/v1/invitations/{world.team.invitation_a.pk}/")

    world.check(role, response, expected)
    with schema_context(world.alpha.schema_name):
        invitation = Invitation.objects.get(pk=world.team.invitation_a.pk)
        assert invitation.status == ("revoked" if expected == 204 else "pending")


# Anyone holding the link may accept, but only as the invited address: a logged-in operator
# or customer of another address is asked to log out; foreign tokens are refused outright.
INVITATION_ACCEPT = denied_to_outsiders(
    **{ADMIN: 403, CONFIGURER: 403, SELLER: 403, OTHER: 403, ANONYMOUS: 201}
)


@role_matrix(INVITATION_ACCEPT)
def test_invitation_accept(world, role, expected):
    with schema_context(world.alpha.schema_name):
        invitation = invitation_create(
            actor=Actor(user=world.team.admin), email="accept-me@new.test", organizers=[world.team.a]
        )
        token = invitation_token(invitation)

    response = world.client(role).post(
        "/api/v1/invitations/accept/",
        {"token": token, "password": "a long pass phrase", "full_name": "New Person"},
        format="json",
    )

    world.check(role, response, expected)
    with schema_context(world.alpha.schema_name):
        assert User.objects.filter(email="accept-me@new.test").exists() == (expected == 201)


# --- team members: what is shown --------------------------------------------------------


def _member(response, user):
    return next(row for row in response.json() if row["id"] == user.pk)


def test_team_members_show_only_mutual_organizers_and_distributions(world):
    team = world.team
    with schema_context(world.alpha.schema_name):
        # configures A and B, sells at both box offices: more than the configurer reaches
        wide = OperatorFactory(
            email="wide@example.com",
            full_name="Wide",
            configures=[team.a, team.b],
            sells=[team.a_box, team.b_box],
        )
        # shares only a distribution with the peer
        cashier = OperatorFactory(email="cashier@example.com", full_name="Cashier", sells=[team.a_box])
        # shares nothing with the peer: sells at B's shop only
        loner = OperatorFactory(email="loner@example.com", full_name="Loner", sells=[team.b_shop])

    response = api_client(host=ALPHA.host, token=team.tokens["peer"]).get("/api/v1/team-members/")

    assert response.status_code == 200
    assert [row["email"] for row in response.json()] == [
        "admin@example.com",
        "cashier@example.com",
        "configurer@example.com",
        "seller@example.com",
        "wide@example.com",
    ]
    assert loner.pk not in [row["id"] for row in response.json()]
    assert _member(response, team.admin) == {
        "type": "team_member",
        "id": team.admin.pk,
        "email": "admin@example.com",
        "full_name": "ALPHA Admin",
        "mutual_organizers": [{"id": team.a.pk, "name": "ALPHA-A"}],
        "mutual_distributions": [{"id": team.a_box.pk, "name": "Box office", "organizer": team.a.pk}],
    }
    assert _member(response, wide)["mutual_organizers"] == [{"id": team.a.pk, "name": "ALPHA-A"}]
    assert _member(response, wide)["mutual_distributions"] == [
        {"id": team.a_box.pk, "name": "Box office", "organizer": team.a.pk}
    ]
    assert _member(response, cashier)["mutual_organizers"] == []
    assert [d["id"] for d in _member(response, cashier)["mutual_distributions"]] == [team.a_box.pk]
    assert _member(response, team.configurer)["mutual_distributions"] == []
    assert "ALPHA-B" not in response.content.decode()  # B is the wide member's, not the peer's


def test_a_team_member_outside_my_team_is_not_found(world):
    response = world.client(OTHER).get(f"/api/v1/team-members/{world.team.peer.pk}/")

    assert response.status_code == 404


def test_the_team_member_list_takes_a_fixed_number_of_queries(world):
    team = world.team
    client = world.client(CONFIGURER)

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/team-members/")
        assert response.status_code == 200
        return len(queries), len(response.json())

    small = count_queries()
    with schema_context(world.alpha.schema_name):
        for n in range(10):
            OperatorFactory(
                email=f"member{n}@example.com", configures=[team.a], sells=[team.a_shop, team.a_box]
            )
    large = count_queries()

    assert small[1] == 2
    assert large[1] == 12
    assert small[0] == large[0]


def test_the_team_member_list_query_count_is_pinned(world, django_assert_num_queries):
    team = world.team
    with schema_context(world.alpha.schema_name):
        for n in range(5):
            OperatorFactory(email=f"member{n}@example.com", configures=[team.a])
    client = world.client(CONFIGURER)

    # domain, token, my organizers (exists + list), my distributions, members, their two
    # kinds of links: 8 statements, each preceded by django-tenants' SET search_path
    with django_assert_num_queries(10):
        response = client.get("/api/v1/team-members/")

    assert len(response.json()) == 7


# --- assigning and revoking -------------------------------------------------------------


def test_a_configurer_assigns_a_team_member_to_a_distribution_of_their_organizer(world):
    team = world.team

    response = world.client(CONFIGURER).post(
        f"/api/v1/team-members/{team.peer.pk}/distributions/", {"distribution": team.a_shop.pk}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["id"] == team.peer.pk
    assert _links(world, team.peer) == ({team.a.pk}, {team.a_box.pk, team.a_shop.pk})


def test_assigning_an_existing_link_is_a_conflict(world):
    team = world.team
    client = world.client(CONFIGURER)

    organizer = client.post(
        f"/api/v1/team-members/{team.peer.pk}/organizers/", {"organizer": team.a.pk}, format="json"
    )
    distribution = world.client(ADMIN).post(
        f"/api/v1/team-members/{team.peer.pk}/distributions/", {"distribution": team.a_box.pk}, format="json"
    )

    assert organizer.status_code == 409
    assert organizer.json() == {"detail": "peer@example.com already has configuration permission on ALPHA-A."}
    assert distribution.status_code == 409
    assert distribution.json() == {
        "detail": "peer@example.com already has sale permission on ALPHA-A – Box office."
    }


def test_revoking_a_missing_link_is_a_conflict(world):
    team = world.team

    response = world.client(ADMIN).delete(
        f"/api/v1/team-members/{team.peer.pk}/distributions/{team.a_shop.pk}/"
    )

    assert response.status_code == 409
    assert response.json() == {"detail": "peer@example.com has no sale permission on ALPHA-A – Online shop."}


@pytest.mark.parametrize(
    ("role", "member", "path", "payload", "message"),
    [
        (
            SELLER,
            "peer",
            "organizers",
            {"organizer": "a"},
            "You need configuration permission on ALPHA-A to assign people to it.",
        ),
        (
            CONFIGURER,
            "peer",
            "organizers",
            {"organizer": "b"},  # B exists, but the configurer does not see it
            "You need configuration permission on this organizer to assign people to it.",
        ),
        (
            OTHER,
            "peer",
            "distributions",
            {"distribution": "a_shop"},
            "You need configuration permission on this organizer to assign people to it.",
        ),
        (
            OTHER,
            "peer",  # exists, but shares nothing with B's configurer
            "organizers",
            {"organizer": "b"},
            "This operator is not one of your team members.",
        ),
        (
            CONFIGURER,
            "customer",  # not an operator
            "organizers",
            {"organizer": "a"},
            "This operator is not one of your team members.",
        ),
    ],
)
def test_assigning_is_refused_with_a_clear_message(world, role, member, path, payload, message):
    team = world.team
    body = {key: getattr(team, name).pk for key, name in payload.items()}

    response = world.client(role).post(
        f"/api/v1/team-members/{getattr(team, member).pk}/{path}/", body, format="json"
    )

    assert response.status_code == 403
    assert response.json() == {"detail": message}


def test_an_unknown_operator_id_reads_like_someone_outside_the_team(world):
    response = world.client(CONFIGURER).post(
        "/api/v1/team-members/999999/organizers/", {"organizer": world.team.a.pk}, format="json"
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "This operator is not one of your team members."}


def test_an_admin_assigns_any_operator_even_outside_their_team(world):
    team = world.team
    with schema_context(world.alpha.schema_name):
        newcomer = OperatorFactory(email="newcomer@example.com")

    response = world.client(ADMIN).post(
        f"/api/v1/team-members/{newcomer.pk}/organizers/", {"organizer": team.b.pk}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["mutual_organizers"] == [{"id": team.b.pk, "name": "ALPHA-B"}]


def test_permission_changes_are_audited_with_actor_action_and_host(world):
    team = world.team
    client = world.client(CONFIGURER)
    member = f"/api/v1/team-members/{team.peer.pk}"

    client.post(f"{member}/distributions/", {"distribution": team.a_shop.pk}, format="json")
    client.delete(f"{member}/distributions/{team.a_shop.pk}/")
    client.delete(f"{member}/organizers/{team.a.pk}/")
    world.client(ADMIN).post(f"{member}/organizers/", {"organizer": team.b.pk}, format="json")
    world.client(SELLER).post(f"{member}/organizers/", {"organizer": team.a.pk}, format="json")  # refused

    with schema_context(world.alpha.schema_name):
        entries = list(
            AuditLogEntry.objects.filter(action__startswith="permission.")
            .order_by("pk")
            .values_list("actor_id", "actor_email", "action", "target_id", "host", "data")
        )
    peer, host = str(team.peer.pk), ALPHA.host
    configurer, admin = team.configurer, team.admin
    assert entries == [
        (
            configurer.pk,
            configurer.email,
            "permission.sale.granted",
            peer,
            host,
            {"distribution": team.a_shop.pk},
        ),
        (
            configurer.pk,
            configurer.email,
            "permission.sale.revoked",
            peer,
            host,
            {"distribution": team.a_shop.pk},
        ),
        (
            configurer.pk,
            configurer.email,
            "permission.configuration.revoked",
            peer,
            host,
            {"organizer": team.a.pk},
        ),
        (admin.pk, admin.email, "permission.configuration.granted", peer, host, {"organizer": team.b.pk}),
    ]


# --- invitations: the whole flow --------------------------------------------------------


def _invite(world, role, django_capture_on_commit_callbacks, **payload):
    client = world.client(role)
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/api/v1/invitations/", payload, format="json")


def _link_token(message) -> str:
    link = re.search(r"https?://\S+", message.body).group(0)
    assert link.startswith(f"http://{ALPHA.host}/control/invitations/")
    return link.rstrip("/").rsplit("/", 1)[1]


PASSWORD = "a long pass phrase"


def _accept(token, *, host=ALPHA.host, as_token=None, password=PASSWORD, full_name="New Person"):
    """POST the accept endpoint, anonymously or with a DRF token of the host's schema."""
    return api_client(host=host, token=as_token).post(
        "/api/v1/invitations/accept/",
        {"token": token, "password": password, "full_name": full_name},
        format="json",
    )


def test_an_invited_person_accepts_and_gets_exactly_the_invited_permissions(
    world, django_capture_on_commit_callbacks
):
    team = world.team

    created = _invite(
        world,
        CONFIGURER,
        django_capture_on_commit_callbacks,
        email="New.Person@New.Test",
        organizers=[team.a.pk],
        distributions=[team.a_shop.pk],
    )

    assert created.status_code == 201
    assert created.json()["email"] == "new.person@new.test"
    assert created.json()["status"] == "pending"
    assert created.json()["invited_by"] == "configurer@example.com"
    (message,) = mail.outbox
    assert message.to == ["new.person@new.test"]
    assert message.subject == f"You are invited to work on {ALPHA.host}"
    assert "ALPHA-A" in message.body
    token = _link_token(message)

    accepted = _accept(token)

    assert accepted.status_code == 201
    with schema_context(world.alpha.schema_name):
        person = User.objects.get(email="new.person@new.test")
        assert person.is_operator
        assert not person.is_admin
        assert person.full_name == "New Person"
        assert person.check_password("a long pass phrase")
        assert person.emailaddress_set.get().verified
        assert Invitation.objects.get(pk=created.json()["id"]).status == "accepted"
    assert accepted.json() == {"id": person.pk, "email": "new.person@new.test"}
    assert _links(world, person) == ({team.a.pk}, {team.a_shop.pk})
    with schema_context(world.beta.schema_name):
        assert not User.objects.filter(email="new.person@new.test").exists()


def test_an_existing_user_accepts_while_logged_in_as_the_invited_address(
    world, django_capture_on_commit_callbacks
):
    team = world.team
    _invite(
        world,
        ADMIN,
        django_capture_on_commit_callbacks,
        email="customer@example.com",
        distributions=[team.b_box.pk],
    )
    token = _link_token(mail.outbox[0])

    anonymous = _accept(token)
    logged_in = _accept(token, as_token=team.tokens["customer"], password="", full_name="")

    assert anonymous.status_code == 403
    assert anonymous.json() == {
        "detail": "This invitation is for customer@example.com, who already has an account: "
        "log in as customer@example.com to accept it."
    }
    assert logged_in.status_code == 201
    assert logged_in.json()["id"] == team.customer.pk
    with schema_context(world.alpha.schema_name):
        customer = User.objects.get(pk=team.customer.pk)
        assert customer.is_operator
        assert customer.check_password("correct horse battery")  # untouched
    assert _links(world, team.customer) == (set(), {team.b_box.pk})


def test_an_operator_who_accepts_keeps_their_links_and_gains_the_invited_ones(
    world, django_capture_on_commit_callbacks
):
    team = world.team
    _invite(
        world, ADMIN, django_capture_on_commit_callbacks, email="seller@example.com", organizers=[team.b.pk]
    )

    response = _accept(_link_token(mail.outbox[0]), as_token=team.tokens["seller"])

    assert response.status_code == 201
    assert _links(world, team.seller) == ({team.b.pk}, {team.a_box.pk})


def test_a_weak_password_is_refused_and_nothing_is_created(world, django_capture_on_commit_callbacks):
    _invite(
        world, ADMIN, django_capture_on_commit_callbacks, email="new@new.test", organizers=[world.team.a.pk]
    )

    response = _accept(_link_token(mail.outbox[0]), password="123")

    assert response.status_code == 400
    assert "password" in response.json()
    assert "too short" in " ".join(response.json()["password"])
    with schema_context(world.alpha.schema_name):
        assert not User.objects.filter(email="new@new.test").exists()


def test_reinviting_a_pending_address_is_a_conflict(world, django_capture_on_commit_callbacks):
    response = _invite(
        world,
        CONFIGURER,
        django_capture_on_commit_callbacks,
        email="INVITEE-A@example.com",
        organizers=[world.team.a.pk],
    )

    assert response.status_code == 409
    today = timezone.now().strftime("%Y-%m-%d")
    assert response.json() == {
        "detail": f"invitee-a@example.com already has a pending invitation (sent {today}); "
        "revoke it to send a new one."
    }
    assert mail.outbox == []


def test_an_expired_invitation_makes_way_for_a_new_one(world, django_capture_on_commit_callbacks):
    with schema_context(world.alpha.schema_name):
        Invitation.objects.filter(pk=world.team.invitation_a.pk).update(expires_at=timezone.now())

    response = _invite(
        world,
        CONFIGURER,
        django_capture_on_commit_callbacks,
        email="invitee-a@example.com",
        organizers=[world.team.a.pk],
    )

    assert response.status_code == 201
    with schema_context(world.alpha.schema_name):
        assert Invitation.objects.get(pk=world.team.invitation_a.pk).status == "revoked"


def test_an_invitation_needs_at_least_one_organizer_or_distribution(world):
    response = world.client(ADMIN).post("/api/v1/invitations/", {"email": "new@new.test"}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["Choose at least one organizer or distribution to give access to."]
    }


def _token_of(world, invitation):
    with schema_context(world.alpha.schema_name):
        return invitation_token(invitation)


def test_an_invitation_expired_in_the_database_cannot_be_accepted(world):
    token = _token_of(world, world.team.invitation_a)
    with schema_context(world.alpha.schema_name):
        Invitation.objects.filter(pk=world.team.invitation_a.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )

    response = _accept(token)

    assert response.status_code == 400
    assert response.json() == {"detail": "This invitation has expired. Ask for a new one."}


def test_a_link_older_than_seven_days_cannot_be_accepted(world):
    from unittest import mock

    from django.core import signing

    eight_days_ago = timezone.now().timestamp() - 8 * 24 * 3600
    with mock.patch.object(signing.time, "time", return_value=eight_days_ago):
        token = _token_of(world, world.team.invitation_a)

    response = _accept(token)

    assert response.status_code == 400
    assert response.json() == {"detail": "This invitation has expired. Ask for a new one."}


def test_a_used_invitation_cannot_be_accepted_again(world):
    token = _token_of(world, world.team.invitation_a)
    assert _accept(token).status_code == 201

    again = _accept(token, password="another long phrase")

    assert again.status_code == 400
    assert again.json() == {"detail": "This invitation has already been used. Log in to continue."}


def test_a_revoked_invitation_cannot_be_accepted_or_revoked_again(world):
    token = _token_of(world, world.team.invitation_a)
    client = world.client(CONFIGURER)
    assert client.delete(f"/api/v1/invitations/{world.team.invitation_a.pk}/").status_code == 204

    accepted = _accept(token)
    revoked_again = client.delete(f"/api/v1/invitations/{world.team.invitation_a.pk}/")

    assert accepted.status_code == 400
    assert accepted.json() == {"detail": "This invitation was withdrawn. Ask for a new one."}
    assert revoked_again.status_code == 400
    assert revoked_again.json() == accepted.json()


def test_a_tampered_link_cannot_be_accepted(world):
    token = _token_of(world, world.team.invitation_a)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    response = _accept(tampered)

    assert response.status_code == 400
    assert response.json() == {
        "detail": "This invitation link is not valid. Check that you copied all of it."
    }


def test_a_link_from_another_organization_cannot_be_accepted_there(world):
    world.beta_twin()  # beta has an invitation with the same id
    token = _token_of(world, world.team.invitation_a)

    response = _accept(token, host=BETA.host)

    assert response.status_code == 400
    assert response.json() == {
        "detail": "This invitation link is not valid. Check that you copied all of it."
    }
    with schema_context(world.beta.schema_name):
        assert not User.objects.filter(email="invitee-a@example.com").exists()
        assert Invitation.objects.get(pk=world.team.invitation_a.pk).status == "pending"


def test_only_the_sender_or_a_configurer_of_everything_invited_revokes(world):
    team = world.team
    with schema_context(world.alpha.schema_name):
        both = invitation_create(
            actor=Actor(user=team.admin),
            email="both@new.test",
            organizers=[team.a],
            distributions=[team.b_box],
        )

    refused = world.client(CONFIGURER).delete(f"/api/v1/invitations/{both.pk}/")  # sees it, configures A only
    allowed = world.client(ADMIN).delete(f"/api/v1/invitations/{both.pk}/")

    assert refused.status_code == 403
    assert refused.json() == {
        "detail": "Only its sender or someone who configures all its organizers may withdraw it."
    }
    assert allowed.status_code == 204


def test_invitations_and_acceptances_are_audited(world, django_capture_on_commit_callbacks):
    team = world.team
    with schema_context(world.alpha.schema_name):
        before = AuditLogEntry.objects.order_by("pk").last().pk
    created = _invite(
        world, CONFIGURER, django_capture_on_commit_callbacks, email="new@new.test", organizers=[team.a.pk]
    )
    _accept(_link_token(mail.outbox[0]))
    world.client(CONFIGURER).delete(f"/api/v1/invitations/{team.invitation_a.pk}/")

    with schema_context(world.alpha.schema_name):
        person = User.objects.get(email="new@new.test")
        entries = list(
            AuditLogEntry.objects.filter(pk__gt=before, action__startswith="invitation.", host=ALPHA.host)
            .order_by("pk")
            .values_list("actor_id", "action", "target_id", "data")
        )
    invitation_id = str(created.json()["id"])
    assert entries == [
        (
            team.configurer.pk,
            "invitation.sent",
            invitation_id,
            {"organizers": [team.a.pk], "distributions": []},
        ),
        (person.pk, "invitation.accepted", invitation_id, {}),
        (team.configurer.pk, "invitation.revoked", str(team.invitation_a.pk), {}),
    ]
