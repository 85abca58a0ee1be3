"""Plan features are enforced, not just stored: the permission module asks each organizer's
client account (its plan, each override winning) before a box-office sale, a replication, or
one more operator, for organization admins too; an override turns a feature on for one client.

alpha's organizer A is on the "plain" plan (no box office, no replication, 5 operators: the
Team's admin, configurer, seller, peer and the pending invitee-a fill it); B on every feature.
"""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.billing.models import BillingAccount
from apps.billing.services.accounts import billing_account_update
from apps.core.audit import Actor
from apps.events import services as events
from apps.events.models import EventDate, ReplicationRequest
from apps.operators.models import Invitation
from apps.operators.services import invitation_create, invitation_revoke, invitation_token
from apps.sales.models import Order
from tests.events.test_api import TWO_DAYS  # a recurrence of two dates
from tests.factories import ADMIN, ANONYMOUS, CONFIGURER, SELLER, clients_open, programme_build, world_build
from tests.lookups import lookups_cached  # noqa: F401 - the fixture
from tests.tenants import ALPHA

HOST = ALPHA.host
PLAIN = {"box_office": False, "event_replication": False, "custom_domain": False, "max_operators": 5}


@pytest.fixture
def world(alpha, beta):
    world = world_build(alpha, beta)
    (world.account_a,) = clients_open(world.team.a, organization=alpha, plan_slug="plain", **PLAIN)
    clients_open(world.team.b, organization=alpha)
    with schema_context(ALPHA.schema_name):
        world.programme = programme_build(world.team)
        events.event_publish(event=world.programme.concert)
        User.objects.filter(is_operator=True).update(replication_approved_at=timezone.now())
    return world


def _override(world, **changes) -> None:
    billing_account_update(account_id=world.account_a.pk, changes=changes, actor=Actor(user=None))


def _page_client(user) -> Client:
    client = Client(HTTP_HOST=HOST)
    with schema_context(ALPHA.schema_name):
        client.force_login(user)
    return client


def _orders() -> int:
    with schema_context(ALPHA.schema_name):
        return Order.objects.count()


# --- box office ---------------------------------------------------------------------------


def _sale(world) -> dict:
    return {
        "distribution": world.team.a_box.pk,
        "email": "buyer@example.com",
        "payment_method": "cash",
        "positions": [{"ticket_type": world.programme.day1_ticket.pk, "quantity": 1}],
    }


@pytest.mark.parametrize("role", [SELLER, ADMIN])
def test_without_the_box_office_the_api_refuses_to_sell_even_to_admins(world, role):
    response = world.client(role).post("/api/v1/orders/", _sale(world), format="json")

    assert response.status_code == 403
    assert response.json() == {
        "detail": "The plan of ALPHA-A does not include the box office: ask the platform to add it."
    }
    assert _orders() == 0


def test_without_the_box_office_the_pages_say_so_and_sell_nothing(world):
    programme, client = world.programme, _page_client(world.team.seller)
    field = f"qty-{programme.day1_ticket.pk}-{programme.day1.pk}"

    start = client.get("/control/box-office/")
    page = client.get(f"/control/box-office/events/{programme.concert.pk}/")
    sold = client.post(
        f"/control/box-office/events/{programme.concert.pk}/",
        {field: "1", "payment_method": "cash", "distribution": world.team.a_box.pk},
    )

    assert start.status_code == 200
    assert "The plan of ALPHA-A does not include the box office" in start.content.decode()
    assert programme.concert.name not in start.content.decode()
    assert "no sale channel" not in start.content.decode()
    assert page.status_code == sold.status_code == 403
    assert f'name="{field}"' not in page.content.decode()
    assert _orders() == 0


def test_an_override_turns_the_box_office_on_for_this_client(world):
    _override(world, box_office_override=True)
    programme, client = world.programme, _page_client(world.team.seller)

    start = client.get("/control/box-office/").content.decode()
    sold = client.post(
        f"/control/box-office/events/{programme.concert.pk}/",
        {f"qty-{programme.day1_ticket.pk}-{programme.day1.pk}": "1", "payment_method": "cash"},
    )
    by_api = world.client(SELLER).post("/api/v1/orders/", _sale(world), format="json")

    assert programme.concert.name in start
    assert "does not include the box office" not in start
    assert sold.status_code == 302
    assert by_api.status_code == 201
    assert _orders() == 2


def test_an_organizer_without_a_client_account_has_no_box_office(world):
    BillingAccount.objects.filter(pk=world.account_a.pk).delete()

    assert world.client(SELLER).post("/api/v1/orders/", _sale(world), format="json").status_code == 403


@pytest.mark.usefixtures("lookups_cached")
def test_a_feature_turned_off_refuses_the_next_sale_at_once_though_features_are_cached(world):
    _override(world, box_office_override=True)
    client = world.client(SELLER)
    assert client.post("/api/v1/orders/", _sale(world), format="json").status_code == 201
    assert client.post("/api/v1/orders/", _sale(world), format="json").status_code == 201  # cached

    _override(world, box_office_override=False)

    assert client.post("/api/v1/orders/", _sale(world), format="json").status_code == 403
    _override(world, box_office_override=None)  # back to the plan's: still none
    assert client.post("/api/v1/orders/", _sale(world), format="json").status_code == 403


# --- event replication --------------------------------------------------------------------


def _made() -> tuple[int, int]:
    with schema_context(ALPHA.schema_name):
        return ReplicationRequest.objects.count(), EventDate.objects.count()


@pytest.mark.parametrize("role", [CONFIGURER, ADMIN])
def test_without_replication_the_api_refuses_even_admins_and_holds_nothing(world, role):
    before = _made()

    response = world.client(role).post(
        f"/api/v1/events/{world.programme.concert.pk}/replicate/", TWO_DAYS, format="json"
    )

    assert response.status_code == 403
    assert response.json() == {
        "detail": "The plan of ALPHA-A does not include event replication: ask the platform to add it."
    }
    assert _made() == before


def test_without_replication_the_pages_say_so_and_offer_no_replication(world):
    concert, client = world.programme.concert, _page_client(world.team.configurer)
    before = _made()

    detail = client.get(f"/control/events/{concert.pk}/").content.decode()
    page = client.get(f"/control/events/{concert.pk}/replicate/")
    posted = client.post(
        f"/control/events/{concert.pk}/replicate/", {"kind": "recurrence", "step": "confirm"}
    )

    assert f"/control/events/{concert.pk}/replicate/" not in detail
    assert "does not include event replication" in detail
    assert page.status_code == posted.status_code == 403
    assert "The plan of ALPHA-A does not include event replication" in page.content.decode()
    assert 'name="frequency"' not in page.content.decode()
    assert _made() == before


def test_an_override_turns_replication_on_for_this_client(world):
    _override(world, event_replication_override=True)
    concert = world.programme.concert

    response = world.client(CONFIGURER).post(
        f"/api/v1/events/{concert.pk}/replicate/", TWO_DAYS, format="json"
    )
    page = _page_client(world.team.configurer).get(f"/control/events/{concert.pk}/replicate/")

    assert response.status_code in (201, 202), response.content
    assert page.status_code == 200
    assert 'name="frequency"' in page.content.decode()


# --- maximum operators --------------------------------------------------------------------


def _invite(world, email, role=ADMIN, organizers=None, distributions=()):
    return world.client(role).post(
        "/api/v1/invitations/",
        {
            "email": email,
            "organizers": [o.pk for o in (organizers if organizers is not None else [world.team.a])],
            "distributions": [d.pk for d in distributions],
        },
        format="json",
    )


LIMIT_MESSAGE = "The plan of ALPHA-A allows 5 operators, and it has that many"


def test_a_client_at_its_maximum_cannot_invite_more_by_api(world):
    response = _invite(world, "sixth@example.com")
    for_its_box_office = _invite(
        world, "seventh@example.com", organizers=[], distributions=[world.team.a_box]
    )

    assert response.status_code == for_its_box_office.status_code == 409
    assert response.json()["detail"].startswith(LIMIT_MESSAGE)
    with schema_context(ALPHA.schema_name):
        assert not Invitation.objects.filter(email__in=["sixth@example.com", "seventh@example.com"]).exists()


def test_a_client_at_its_maximum_cannot_invite_more_on_the_page(world, django_capture_on_commit_callbacks):
    client = _page_client(world.team.admin)

    response = client.post(
        "/control/invitations/", {"email": "sixth@example.com", "organizers": [world.team.a.pk]}
    )

    assert response.status_code == 400
    assert LIMIT_MESSAGE in response.content.decode()
    with schema_context(ALPHA.schema_name):
        assert not Invitation.objects.filter(email="sixth@example.com").exists()


def test_a_client_at_its_maximum_cannot_add_an_operator_of_another_organizer(world):
    other = world.team.other  # configures B only

    response = world.client(ADMIN).post(
        f"/api/v1/team-members/{other.pk}/organizers/", {"organizer": world.team.a.pk}, format="json"
    )
    page = _page_client(world.team.admin).post(
        f"/control/team/{other.pk}/", {"organizers": [world.team.a.pk, world.team.b.pk]}
    )

    assert response.status_code == 409
    assert response.json()["detail"].startswith(LIMIT_MESSAGE)
    assert LIMIT_MESSAGE in page.content.decode()
    with schema_context(ALPHA.schema_name):
        assert not other.configuration_permissions.filter(organizer=world.team.a).exists()


def test_someone_already_counted_takes_no_new_seat_and_other_organizers_are_not_limited(world):
    seller = world.team.seller  # sells at A's box office: already one of A's five

    more_access = world.client(ADMIN).post(
        f"/api/v1/team-members/{seller.pk}/organizers/", {"organizer": world.team.a.pk}, format="json"
    )
    for_b = _invite(world, "b-helper@example.com", organizers=[world.team.b])

    assert more_access.status_code == 201, more_access.content
    assert for_b.status_code == 201, for_b.content


def test_a_withdrawn_or_expired_invitation_frees_its_seat(world):
    with schema_context(ALPHA.schema_name):
        invitation_revoke(actor=Actor(user=world.team.admin), invitation=world.team.invitation_a)

    assert _invite(world, "sixth@example.com").status_code == 201
    with schema_context(ALPHA.schema_name):
        Invitation.objects.filter(email="sixth@example.com").update(
            expires_at=timezone.now() - dt.timedelta(minutes=1)
        )
    assert _invite(world, "seventh@example.com").status_code == 201


def test_an_override_raises_the_maximum_for_this_client(world):
    _override(world, max_operators_override=6)

    assert _invite(world, "sixth@example.com").status_code == 201
    assert _invite(world, "seventh@example.com").status_code == 409


def test_an_invitation_accepted_after_the_maximum_was_lowered_is_refused(world):
    _override(world, max_operators_override=6)
    with schema_context(ALPHA.schema_name):
        invitation = invitation_create(
            actor=Actor(user=world.team.admin), email="sixth@example.com", organizers=[world.team.a]
        )
        token = invitation_token(invitation)
    _override(world, max_operators_override=5)

    response = world.client(ANONYMOUS).post(
        "/api/v1/invitations/accept/",
        {"token": token, "password": "a long pass phrase", "full_name": "Sixth"},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["detail"].startswith(LIMIT_MESSAGE)
    with schema_context(ALPHA.schema_name):
        assert not User.objects.filter(email="sixth@example.com").exists()
