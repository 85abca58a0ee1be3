"""The waiting lists through the API (/api/v1/waiting-list-entries/): who lists a date's
entries, puts a buyer in line, sends an offer now, removes an entry; the twin organization
sees nothing of alpha's."""

import pytest
from django.db.models import Count
from django_tenants.utils import schema_context

from apps.events import services as events
from apps.sales.models import Order, WaitingListEntry
from apps.sales.services.waiting_list import waiting_list_join
from tests.factories import ADMIN, CONFIGURER, OTHER, SELLER, denied_to_outsiders, role_matrix
from tests.sales.helpers import paid_order
from tests.tenants import ALPHA

Status = WaitingListEntry.Status
URL = "/api/v1/waiting-list-entries/"


@pytest.fixture
def line(world, programme):
    """alpha's concert day 1 sold out (capacity 1), two entries in line."""
    with schema_context(ALPHA.schema_name):
        events.event_date_update(event_date=programme.day1, capacity=1)
        paid_order(world.team.a_box, programme.day1_ticket, 1)
        first = waiting_list_join(ticket_type=programme.day1_ticket, email="first@example.org", quantity=1)
        second = waiting_list_join(ticket_type=programme.day1_ticket, email="second@example.org", quantity=1)
    return programme.day1, [first, second]


@role_matrix(
    denied_to_outsiders(
        **{ADMIN: (200, [0, 1]), CONFIGURER: (200, [0, 1]), SELLER: (200, []), OTHER: (200, [])}
    )
)
def test_who_lists_a_dates_entries(world, line, role, expected, django_assert_max_num_queries):
    day, entries = line
    client = world.client(role)

    with django_assert_max_num_queries(12):
        response = client.get(URL, {"event_date": day.pk})

    world.check(role, response, expected, names_to_ids=lambda names: [entries[i].pk for i in names])
    if response.status_code == 200 and expected[1]:
        first = response.json()["results"][0]
        assert (first["email"], first["status"], first["quantity"], first["order"]) == (
            "first@example.org",
            "waiting",
            1,
            None,
        )
        assert first["created_at"].endswith("Z")  # ISO 8601, its offset said (UTC)


# The seller sees A's ticket types but manages no waiting list; B's configurer does not see them.
@role_matrix(denied_to_outsiders(**{ADMIN: 201, CONFIGURER: 201, SELLER: 403, OTHER: 400}))
def test_who_puts_a_buyer_in_line(world, line, programme, role, expected):
    body = {"ticket_type": programme.day1_ticket.pk, "email": "third@example.org", "quantity": 1}

    response = world.client(role).post(URL, body, format="json")

    world.check(role, response, expected)
    with schema_context(ALPHA.schema_name):
        assert WaitingListEntry.objects.filter(email="third@example.org").exists() == (expected == 201)


def test_joining_through_the_api_keeps_the_shops_rules(world, line, programme):
    client = world.client(CONFIGURER)

    again = client.post(
        URL,
        {"ticket_type": programme.day1_ticket.pk, "email": "FIRST@example.org", "quantity": 1},
        format="json",
    )
    a_pass = client.post(
        URL,
        {"ticket_type": programme.concert_pass.pk, "email": "x@example.org", "quantity": 1},
        format="json",
    )
    bad = client.post(URL, {"ticket_type": "x", "email": "nope", "quantity": 0}, format="json")

    assert (again.status_code, list(again.json())) == (400, ["email"])
    assert a_pass.status_code == 400
    assert bad.status_code == 400
    assert set(bad.json()) == {"ticket_type", "email", "quantity"}


@role_matrix(denied_to_outsiders(**{ADMIN: 409, CONFIGURER: 409, SELLER: 404, OTHER: 404}))
def test_an_offer_now_without_free_seats_is_a_conflict(world, line, role, expected):
    _day, entries = line

    response = world.client(role).post(f"{URL}{entries[0].pk}/offer/")

    world.check(role, response, expected)
    if expected == 409:
        assert "Not enough seats are free" in response.json()["detail"]


def test_an_offer_now_and_a_removal(world, line, django_capture_on_commit_callbacks):
    day, (first, second) = line
    client = world.client(ADMIN)
    with schema_context(ALPHA.schema_name):
        events.event_date_update(event_date=day, capacity=2)  # (its task runs on commit: none here)

    offered = client.post(f"{URL}{second.pk}/offer/")
    assert offered.status_code == 200
    assert offered.json()["status"] == "offered"
    assert offered.json()["order"]

    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(f"{URL}{second.pk}/").status_code == 204
    assert client.delete(f"{URL}{second.pk}/").status_code == 409
    with schema_context(ALPHA.schema_name):
        statuses = dict(WaitingListEntry.objects.values_list("email", "status"))
        assert statuses == {"first@example.org": Status.OFFERED, "second@example.org": Status.REMOVED}
        cancelled = Order.objects.filter(status=Order.Status.CANCELLED).aggregate(n=Count("pk"))["n"]
        assert cancelled == 1  # the removed entry's held cart, its seat passed to the first


@role_matrix(denied_to_outsiders(**{ADMIN: 204, CONFIGURER: 204, SELLER: 404, OTHER: 404}))
def test_who_removes_an_entry(world, line, role, expected):
    _day, entries = line

    response = world.client(role).delete(f"{URL}{entries[0].pk}/")

    world.check(role, response, expected)
    with schema_context(ALPHA.schema_name):
        entries[0].refresh_from_db()
    assert (entries[0].status == Status.REMOVED) == (expected == 204)


def test_a_date_id_not_a_number_lists_nothing_never_a_500(world, line):
    for junk in ("²", "x", "99999999999999999999"):
        response = world.client(ADMIN).get(URL, {"event_date": junk})
        assert (response.status_code, response.json()["results"]) == (200, []), junk
