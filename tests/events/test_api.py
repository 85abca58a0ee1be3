"""REST API of locations, events, event dates and ticket types, and event replication."""

import datetime as dt
from dataclasses import fields

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.models import ApprovalRequest, User
from apps.core.audit import Actor
from apps.core.models import AuditLogEntry
from apps.events import services
from apps.events.models import Event, EventDate, Location, ReplicationRequest, TicketType
from apps.organizers.models import Organizer
from tests import tenants as test_tenants
from tests.factories import (
    ADMIN,
    CONFIGURER,
    EVENT_TABLES,
    OTHER,
    SELLER,
    Programme,
    clients_open,
    denied_to_outsiders,
    programme_build,
    twin_sequences,
    world_build,
)
from tests.tenants import ALPHA, BETA


@pytest.fixture(scope="module")
def _built(django_db_setup, django_db_blocker):
    """alpha's World and Programme, and beta's twins with the same ids, built once for this module.

    They live in a transaction rolled back after the module; every test runs in a savepoint
    inside it (pytest-django nests), so what one test writes is gone before the next. Tests
    read these objects but never change them in memory: they load their own copies to write.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        organizations = test_tenants.ensure_rows()
        world = world_build(organizations[ALPHA.slug], organizations[BETA.slug])
        twin = world.beta_twin()
        twin_sequences(ALPHA.schema_name, BETA.schema_name, tables=EVENT_TABLES)
        clients_open(world.team.a, world.team.b, organization=world.alpha)
        with schema_context(ALPHA.schema_name):
            programme = programme_build(world.team)
        with schema_context(BETA.schema_name):
            clients_open(twin.a, twin.b, organization=world.beta)
            twin_programme = programme_build(twin)
        assert twin_programme.ids(PROGRAMME) == programme.ids(PROGRAMME), "the twin must have alpha's ids"
        connection.set_schema_to_public()
        yield world, programme, twin_programme
        transaction.set_rollback(True)


PROGRAMME = [f.name for f in fields(Programme) if f.name != "marker"]


@pytest.fixture
def world(_built, db):
    return _built[0]


@pytest.fixture
def events(_built, db):
    """alpha's Programme (see tests.factories.Programme)."""
    return _built[1]


@pytest.fixture
def twin_events(_built, db):
    """beta's Programme: the same ids as alpha's, "BETA" in every name."""
    return _built[2]


def _matrix(tables):
    """{endpoint: {role: expected}} → one test case per endpoint and role."""
    return pytest.mark.parametrize(
        ("endpoint", "role", "expected"),
        [
            (endpoint, role, expected)
            for endpoint, table in tables.items()
            for role, expected in table.items()
        ],
    )


def _in_alpha(world):
    return schema_context(world.alpha.schema_name)


def _approve(*emails):
    User.objects.filter(email__in=emails).update(replication_approved_at=timezone.now())


MODELS = {"locations": Location, "events": Event, "event-dates": EventDate, "ticket-types": TicketType}
SEEN = denied_to_outsiders(**{ADMIN: 200, CONFIGURER: 200, SELLER: 200, OTHER: 404})
HIDDEN_FROM_SELLER = denied_to_outsiders(**{ADMIN: 200, CONFIGURER: 200, SELLER: 404, OTHER: 404})
CONFIGURE = denied_to_outsiders(**{ADMIN: 200, CONFIGURER: 200, SELLER: 403, OTHER: 404})


# --- list: exactly what each role sees --------------------------------------------------

LIST = {
    "locations": denied_to_outsiders(
        **{
            ADMIN: (200, ["arena", "hall", "stadium"]),
            CONFIGURER: (200, ["arena", "hall"]),
            SELLER: (200, ["arena"]),  # through the events offered at its box office
            OTHER: (200, ["stadium"]),
        }
    ),
    "events": denied_to_outsiders(
        **{
            ADMIN: (200, ["concert", "online", "workshop", "gala"]),
            CONFIGURER: (200, ["concert", "online", "workshop"]),
            SELLER: (200, ["concert", "workshop"]),
            OTHER: (200, ["gala"]),
        }
    ),
    "event-dates": denied_to_outsiders(
        **{
            ADMIN: (200, ["day1", "day2", "online_date", "gala_date"]),
            CONFIGURER: (200, ["day1", "day2", "online_date"]),
            SELLER: (200, ["day1", "day2"]),
            OTHER: (200, ["gala_date"]),
        }
    ),
    "ticket-types": denied_to_outsiders(
        **{
            ADMIN: (200, ["concert_pass", "day1_ticket", "online_ticket", "gala_ticket"]),
            CONFIGURER: (200, ["concert_pass", "day1_ticket", "online_ticket"]),
            SELLER: (200, ["concert_pass", "day1_ticket"]),
            OTHER: (200, ["gala_ticket"]),
        }
    ),
}


@_matrix(LIST)
def test_list(world, events, endpoint, role, expected):
    response = world.client(role).get(f"/api/v1/{endpoint}/")

    world.check(role, response, expected, names_to_ids=events.ids)


# --- retrieve: what a seller is offered, and what it is not -----------------------------

RETRIEVE_TARGETS = {
    "locations": ("arena", "hall"),
    "events": ("concert", "online"),
    "event-dates": ("day1", "online_date"),
    "ticket-types": ("day1_ticket", "online_ticket"),
}


@_matrix(dict.fromkeys(RETRIEVE_TARGETS, SEEN))
def test_retrieve(world, events, endpoint, role, expected):
    target = getattr(events, RETRIEVE_TARGETS[endpoint][0])

    response = world.client(role).get(f"/api/v1/{endpoint}/{target.pk}/")

    world.check(role, response, expected)
    if expected == 200:
        assert response.json()["id"] == target.pk


@_matrix(dict.fromkeys(RETRIEVE_TARGETS, HIDDEN_FROM_SELLER))
def test_retrieve_what_the_seller_is_not_offered(world, events, endpoint, role, expected):
    target = getattr(events, RETRIEVE_TARGETS[endpoint][1])

    response = world.client(role).get(f"/api/v1/{endpoint}/{target.pk}/")

    world.check(role, response, expected)


# --- create -----------------------------------------------------------------------------


def _create_payload(endpoint, events):
    return {
        "locations": {
            "organizer": events.concert.organizer_id,
            "name": "Gamma hall",
            "address": "Dam 2",
            "city": "Amsterdam",
            "country": "NL",
        },
        "events": {"organizer": events.concert.organizer_id, "location": events.arena.pk, "name": "Gamma"},
        "event-dates": {
            "event": events.concert.pk,
            "start": "2027-09-01T18:00:00Z",
            "end": "2027-09-01T21:00:00Z",
        },
        "ticket-types": {"event": events.concert.pk, "name": "Gamma", "price": "12.50"},
    }[endpoint]


def _created(endpoint):
    lookup = {"start": dt.datetime(2027, 9, 1, 18, tzinfo=dt.UTC)} if endpoint == "event-dates" else {}
    return MODELS[endpoint].objects.filter(**(lookup or {"name__startswith": "Gamma"})).exists()


# The seller sees A (it sells there) but may not configure it; B's configurer does not see A
# at all: an unknown id (400), as for distributions; A's name is never echoed.
CREATE = denied_to_outsiders(**{ADMIN: 201, CONFIGURER: 201, SELLER: 403, OTHER: 400})


@_matrix(dict.fromkeys(MODELS, CREATE))
def test_create(world, events, endpoint, role, expected):
    response = world.client(role).post(
        f"/api/v1/{endpoint}/", _create_payload(endpoint, events), format="json"
    )

    world.check(role, response, expected)
    with _in_alpha(world):
        assert _created(endpoint) == (expected == 201)


# --- update -----------------------------------------------------------------------------

UPDATES = {
    "locations": ("arena", {"city": "Zeist"}),
    "events": ("concert", {"description": "Loud"}),
    "event-dates": ("day1", {"capacity": 42}),
    "ticket-types": ("day1_ticket", {"max_per_order": 4}),
}


@_matrix(dict.fromkeys(MODELS, CONFIGURE))
def test_update(world, events, endpoint, role, expected):
    name, changes = UPDATES[endpoint]
    target = getattr(events, name)

    response = world.client(role).patch(f"/api/v1/{endpoint}/{target.pk}/", changes, format="json")

    world.check(role, response, expected)
    [(field, value)] = changes.items()
    with _in_alpha(world):
        saved = MODELS[endpoint].objects.get(pk=target.pk)
    assert (getattr(saved, field) == value) == (expected == 200)


# --- delete -----------------------------------------------------------------------------

DELETE_TARGETS = {
    "locations": "hall",
    "events": "workshop",
    "event-dates": "day2",
    "ticket-types": "concert_pass",
}
DELETE = {
    # the unused hall is not shown to the seller (no event of its box office takes place there)
    "locations": denied_to_outsiders(**{ADMIN: 204, CONFIGURER: 204, SELLER: 404, OTHER: 404}),
    "events": denied_to_outsiders(**{ADMIN: 204, CONFIGURER: 204, SELLER: 403, OTHER: 404}),
    "event-dates": denied_to_outsiders(**{ADMIN: 204, CONFIGURER: 204, SELLER: 403, OTHER: 404}),
    "ticket-types": denied_to_outsiders(**{ADMIN: 204, CONFIGURER: 204, SELLER: 403, OTHER: 404}),
}


@_matrix(DELETE)
def test_delete(world, events, endpoint, role, expected):
    target = getattr(events, DELETE_TARGETS[endpoint])

    response = world.client(role).delete(f"/api/v1/{endpoint}/{target.pk}/")

    world.check(role, response, expected)
    with _in_alpha(world):
        assert MODELS[endpoint].objects.filter(pk=target.pk).exists() == (expected != 204)


# --- status actions and replication -----------------------------------------------------

STATUS_AFTER = {"publish": "published", "unpublish": "draft", "cancel": "cancelled"}


@pytest.mark.parametrize("action", list(STATUS_AFTER))
@pytest.mark.parametrize(("role", "expected"), list(CONFIGURE.items()))
def test_status_actions(world, events, action, role, expected):
    with _in_alpha(world):
        if action == "unpublish":
            services.event_publish(event=Event.objects.get(pk=events.concert.pk))
        before = Event.objects.get(pk=events.concert.pk).status

    response = world.client(role).post(f"/api/v1/events/{events.concert.pk}/{action}/")

    world.check(role, response, expected)
    with _in_alpha(world):
        after = Event.objects.get(pk=events.concert.pk).status
    assert after == (STATUS_AFTER[action] if expected == 200 else before)
    if expected == 200:
        assert response.json()["status"] == STATUS_AFTER[action]


TWO_DAYS = {
    "kind": "recurrence",
    "frequency": "daily",
    "times": ["18:00"],
    "duration_minutes": 120,
    "starts_on": "2027-10-01",
    "count": 2,
}


@pytest.mark.parametrize(
    ("role", "expected"),
    list(denied_to_outsiders(**{ADMIN: 201, CONFIGURER: 201, SELLER: 403, OTHER: 404}).items()),
)
def test_replicate(world, events, role, expected):
    with _in_alpha(world):
        _approve("admin@example.com", "configurer@example.com", "seller@example.com", "other@example.com")

    response = world.client(role).post(
        f"/api/v1/events/{events.concert.pk}/replicate/", TWO_DAYS, format="json"
    )

    world.check(role, response, expected)
    with _in_alpha(world):
        assert events.concert.dates.count() == (4 if expected == 201 else 2)
        assert ReplicationRequest.objects.exists() == (expected == 201)
    with schema_context("public"):
        assert not ApprovalRequest.objects.exists()


# --- required fields and validation -----------------------------------------------------

REQUIRED = {
    "locations": ["address", "city", "country", "name", "organizer"],
    "events": ["location", "name", "organizer"],
    "event-dates": ["end", "event", "start"],
    "ticket-types": ["event", "name", "price"],
}


@pytest.mark.parametrize("endpoint", list(REQUIRED))
def test_only_the_fields_required_on_create_are_required(world, events, endpoint):
    response = world.client(CONFIGURER).post(f"/api/v1/{endpoint}/", {}, format="json")

    assert response.status_code == 400
    assert sorted(response.json()) == REQUIRED[endpoint]
    assert all(messages == ["This field is required."] for messages in response.json().values())


def test_created_with_the_required_fields_only_the_rest_takes_defaults(world, events):
    client = world.client(CONFIGURER)
    a = events.concert.organizer_id

    location = client.post(
        "/api/v1/locations/",
        {"organizer": a, "name": "Gamma", "address": "Dam 2", "city": "Amsterdam", "country": "NL"},
        format="json",
    ).json()
    event = client.post(
        "/api/v1/events/", {"organizer": a, "location": location["id"], "name": "Gamma"}, format="json"
    ).json()
    date = client.post(
        "/api/v1/event-dates/",
        {"event": event["id"], "start": "2027-09-01T18:00:00Z", "end": "2027-09-01T21:00:00Z"},
        format="json",
    ).json()
    ticket_type = client.post(
        "/api/v1/ticket-types/", {"event": event["id"], "name": "Entry", "price": "5"}, format="json"
    ).json()

    assert (location["postal_code"], location["capacity"], location["latitude"]) == ("", None, None)
    assert (event["status"], event["category"], event["description"]) == ("draft", "other", "")
    assert event["distributions"] == world.team.ids(["a_shop", "a_box"])  # all of A's channels
    assert (date["capacity"], date["effective_capacity"]) == (None, None)
    assert ticket_type["is_pass"] is True
    assert (ticket_type["min_per_order"], ticket_type["max_per_order"]) == (1, 10)
    assert (ticket_type["currency"], ticket_type["limit"], ticket_type["sale_start"]) == ("EUR", None, None)


MISSING = 987654


@pytest.mark.parametrize(
    ("endpoint", "field"),
    [
        ("locations", "organizer"),
        ("events", "organizer"),
        ("events", "location"),
        ("events", "distributions"),
        ("event-dates", "event"),
        ("ticket-types", "event"),
        ("ticket-types", "event_date"),
    ],
)
def test_a_missing_parent_is_refused_on_its_field(world, events, endpoint, field):
    payload = {**_create_payload(endpoint, events), field: [MISSING] if field == "distributions" else MISSING}

    response = world.client(ADMIN).post(f"/api/v1/{endpoint}/", payload, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert "does not exist" in str(response.json()[field])
    with _in_alpha(world):
        assert not _created(endpoint)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("latitude", "90.5", "less than or equal to 90"),
        ("longitude", "-180.5", "greater than or equal to -180"),
        ("country", "XX", "not a valid choice"),
        ("capacity", -1, "greater than or equal to 0"),
        ("name", "", "may not be blank"),
    ],
)
def test_invalid_location_data_is_answered_on_the_field(world, events, field, value, message):
    payload = {**_create_payload("locations", events), field: value}

    response = world.client(CONFIGURER).post("/api/v1/locations/", payload, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert message in response.json()[field][0]


@pytest.mark.parametrize(
    ("endpoint", "changes", "field", "message"),
    [
        ("event-dates", {"end": "2027-09-01T17:00:00Z"}, "end", "must be after the start"),
        ("event-dates", {"end": "2027-09-01T18:00:00Z"}, "end", "must be after the start"),
        ("ticket-types", {"price": "-1"}, "price", "greater than or equal to 0"),
        (
            "ticket-types",
            {"min_per_order": 5, "max_per_order": 2},
            "max_per_order",
            "cannot be below the minimum",
        ),
        ("ticket-types", {"min_per_order": 0}, "min_per_order", "greater than or equal to 1"),
        (
            "ticket-types",
            {"sale_start": "2027-05-02T00:00:00Z", "sale_end": "2027-05-01T00:00:00Z"},
            "sale_end",
            "The sale must end after it starts.",
        ),
    ],
)
def test_invalid_dates_and_ticket_types_are_answered_on_the_field(
    world, events, endpoint, changes, field, message
):
    payload = {**_create_payload(endpoint, events), **changes}

    response = world.client(CONFIGURER).post(f"/api/v1/{endpoint}/", payload, format="json")

    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    assert message in response.json()[field][0]


def test_a_date_cannot_be_moved_to_end_before_its_start(world, events):
    response = world.client(CONFIGURER).patch(
        f"/api/v1/event-dates/{events.day1.pk}/", {"start": "2027-06-01T22:00:00Z"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["end"]
    with _in_alpha(world):
        assert EventDate.objects.get(pk=events.day1.pk).start == events.day1.start


def test_an_event_takes_a_location_and_distributions_of_its_own_organizer(world, events):
    client = world.client(ADMIN)
    a = events.concert.organizer_id

    foreign_location = client.post(
        "/api/v1/events/", {"organizer": a, "location": events.stadium.pk, "name": "Gamma"}, format="json"
    )
    foreign_channel = client.post(
        "/api/v1/events/",
        {
            "organizer": a,
            "location": events.arena.pk,
            "name": "Gamma",
            "distributions": [world.team.b_box.pk],
        },
        format="json",
    )
    moved = client.patch(
        f"/api/v1/events/{events.concert.pk}/", {"location": events.stadium.pk}, format="json"
    )

    assert foreign_location.status_code == 400
    assert foreign_location.json() == {
        "detail": "“ALPHA-B Stadium, Brussels” is a location of another organizer."
    }
    assert foreign_channel.status_code == 400
    assert foreign_channel.json() == {
        "detail": "“ALPHA-B – Box office” is a distribution of another organizer."
    }
    assert moved.status_code == 400
    with _in_alpha(world):
        assert not Event.objects.filter(name="Gamma").exists()
        assert Event.objects.get(pk=events.concert.pk).location_id == events.arena.pk


def test_a_configurer_cannot_offer_an_event_in_a_channel_it_does_not_see(world, events):
    payload = {**_create_payload("events", events), "distributions": [world.team.b_box.pk]}

    response = world.client(CONFIGURER).post("/api/v1/events/", payload, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["distributions"]


def test_an_event_is_offered_in_the_chosen_distributions(world, events):
    payload = {**_create_payload("events", events), "distributions": [world.team.a_box.pk]}

    response = world.client(CONFIGURER).post("/api/v1/events/", payload, format="json")

    assert response.status_code == 201
    assert response.json()["distributions"] == [world.team.a_box.pk]


def test_a_ticket_types_date_must_belong_to_its_event(world, events):
    client = world.client(ADMIN)

    created = client.post(
        "/api/v1/ticket-types/",
        {**_create_payload("ticket-types", events), "event_date": events.online_date.pk},
        format="json",
    )
    updated = client.patch(
        f"/api/v1/ticket-types/{events.day1_ticket.pk}/", {"event_date": events.gala_date.pk}, format="json"
    )
    to_another_day = client.patch(
        f"/api/v1/ticket-types/{events.day1_ticket.pk}/", {"event_date": events.day2.pk}, format="json"
    )

    assert (created.status_code, created.json()) == (400, {"detail": "That date belongs to another event."})
    assert (updated.status_code, updated.json()) == (400, {"detail": "That date belongs to another event."})
    assert to_another_day.status_code == 200
    assert to_another_day.json()["event_date"] == events.day2.pk


@pytest.mark.parametrize(
    ("currency", "price", "fits"),
    [
        ("JPY", "1500", True),
        ("JPY", "1500.5", False),
        ("EUR", "12.50", True),
        ("EUR", "12.505", False),
        ("KWD", "1.125", True),  # three decimals
        ("KWD", "1.1255", False),  # more than the field holds either way
    ],
)
def test_a_price_has_no_more_decimals_than_the_organizers_currency(world, events, currency, price, fits):
    with _in_alpha(world):
        Organizer.objects.filter(pk=events.concert.organizer_id).update(currency=currency)
    payload = {**_create_payload("ticket-types", events), "price": price}

    response = world.client(CONFIGURER).post("/api/v1/ticket-types/", payload, format="json")

    assert response.status_code == (201 if fits else 400), response.content
    if fits:
        assert response.json()["currency"] == currency
    elif currency != "KWD":
        assert response.json() == {"detail": f"{currency} prices cannot have that many decimals."}


def test_a_price_update_is_checked_against_the_currency(world, events):
    with _in_alpha(world):
        Organizer.objects.filter(pk=events.concert.organizer_id).update(currency="JPY")

    response = world.client(CONFIGURER).patch(
        f"/api/v1/ticket-types/{events.day1_ticket.pk}/", {"price": "99.99"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"detail": "JPY prices cannot have that many decimals."}


def test_parents_never_change_through_an_update(world, events):
    client = world.client(ADMIN)

    location = client.patch(f"/api/v1/locations/{events.arena.pk}/", {"organizer": events.gala.organizer_id})
    date = client.patch(f"/api/v1/event-dates/{events.day1.pk}/", {"event": events.gala.pk})
    ticket_type = client.patch(f"/api/v1/ticket-types/{events.concert_pass.pk}/", {"event": events.gala.pk})

    assert location.json()["organizer"] == events.concert.organizer_id
    assert date.json()["event"] == events.concert.pk
    assert ticket_type.json()["event"] == events.concert.pk


# --- dependants ---------------------------------------------------------------------------


def test_a_location_with_events_is_not_deleted_and_the_events_are_named(world, events):
    response = world.client(CONFIGURER).delete(f"/api/v1/locations/{events.arena.pk}/")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "“ALPHA-A Arena, Utrecht” cannot be deleted: "
        "ALPHA-A Concert, ALPHA-A Online only, ALPHA-A Workshop depend on it."
    }
    with _in_alpha(world):
        assert Location.objects.filter(pk=events.arena.pk).exists()


def test_an_event_with_dates_is_not_deleted_and_the_dates_are_named(world, events):
    response = world.client(CONFIGURER).delete(f"/api/v1/events/{events.concert.pk}/")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "“ALPHA-A Concert” cannot be deleted: "
        "ALPHA-A Concert – 2027-06-01 20:00 (Europe/Amsterdam), "
        "ALPHA-A Concert – 2027-06-02 20:00 (Europe/Amsterdam) depend on it."
    }
    with _in_alpha(world):
        assert Event.objects.filter(pk=events.concert.pk).exists()


def test_many_dependants_are_counted_not_all_named(world, events):
    with _in_alpha(world):
        EventDate.objects.bulk_create(
            EventDate(
                event=events.concert,
                start=dt.datetime(2028, 1, day, 18, tzinfo=dt.UTC),
                end=dt.datetime(2028, 1, day, 20, tzinfo=dt.UTC),
            )
            for day in range(1, 11)
        )

    response = world.client(CONFIGURER).delete(f"/api/v1/events/{events.concert.pk}/")

    assert response.status_code == 409
    assert response.json()["detail"].endswith("2028-01-03 19:00 (Europe/Amsterdam) and 7 more depend on it.")


def test_deleting_an_event_without_dates_takes_its_passes_along(world, events):
    with _in_alpha(world):
        services.ticket_type_create(event=events.workshop, name="Seat", price=1)

    response = world.client(CONFIGURER).delete(f"/api/v1/events/{events.workshop.pk}/")

    assert response.status_code == 204
    with _in_alpha(world):
        assert not TicketType.objects.filter(event_id=events.workshop.pk).exists()


# --- status -------------------------------------------------------------------------------


def test_the_status_changes_only_through_the_actions(world, events):
    client = world.client(CONFIGURER)
    url = f"/api/v1/events/{events.concert.pk}/"

    patched = client.patch(url, {"status": "published"}, format="json")
    unpublish_draft = client.post(f"{url}unpublish/")
    publish_without_dates = client.post(f"/api/v1/events/{events.workshop.pk}/publish/")
    published = client.post(f"{url}publish/")
    cancelled = client.post(f"{url}cancel/")
    republished = client.post(f"{url}publish/")

    assert (patched.status_code, patched.json()["status"]) == (200, "draft")
    assert unpublish_draft.json() == {"detail": "Only a published event can go back to draft."}
    assert publish_without_dates.json() == {"detail": "Add at least one date before publishing."}
    assert (published.status_code, published.json()["status"]) == (200, "published")
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    assert (republished.status_code, republished.json()) == (
        400,
        {"detail": "A cancelled event cannot be published again."},
    )
    with _in_alpha(world):
        assert Event.objects.get(pk=events.concert.pk).status == "cancelled"
        assert Event.objects.get(pk=events.workshop.pk).status == "draft"


def test_writes_are_audited_with_actor_and_host(world, events):
    with _in_alpha(world):
        last = AuditLogEntry.objects.order_by("pk").last().pk
    client = world.client(CONFIGURER)
    client.post(f"/api/v1/events/{events.concert.pk}/publish/")
    client.delete(f"/api/v1/event-dates/{events.day2.pk}/")

    with _in_alpha(world):
        entries = list(
            AuditLogEntry.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("action", "actor_id", "host", "target_id")
        )
    configurer = world.team.configurer.pk
    assert entries == [
        ("event.published", configurer, ALPHA.host, str(events.concert.pk)),
        ("event_date.deleted", configurer, ALPHA.host, str(events.day2.pk)),
    ]


# --- reads: capacity, filters, pagination, queries ------------------------------------------


def test_a_dates_effective_capacity_falls_back_to_its_locations(world, events):
    response = world.client(ADMIN).get("/api/v1/event-dates/")

    capacities = {
        row["id"]: (row["capacity"], row["effective_capacity"]) for row in response.json()["results"]
    }
    assert capacities == {
        events.day1.pk: (None, 500),  # the arena's
        events.day2.pk: (300, 300),
        events.online_date.pk: (None, 500),
        events.gala_date.pk: (None, None),  # the stadium sets no limit
    }


def test_events_count_their_dates(world, events):
    response = world.client(ADMIN).get("/api/v1/events/", {"date_from": "2027-06-02T00:00:00Z"})

    counts = {row["id"]: row["date_count"] for row in response.json()["results"]}
    assert counts == {events.concert.pk: 2, events.online.pk: 1, events.gala.pk: 1}


@pytest.mark.parametrize(
    ("endpoint", "params", "expected"),
    [
        ("locations", {"organizer": "A"}, ["arena", "hall"]),
        ("locations", {"organizer": "B"}, ["stadium"]),
        ("events", {"organizer": "B"}, ["gala"]),
        ("events", {"location": "arena"}, ["concert", "online", "workshop"]),
        ("events", {"status": "published"}, ["gala"]),
        ("events", {"status": "draft", "organizer": "A"}, ["concert", "online", "workshop"]),
        ("events", {"date_from": "2027-06-02T20:00:00Z"}, ["concert", "online", "gala"]),
        ("events", {"date_from": "2027-06-03T00:00:00Z"}, ["online", "gala"]),
        ("events", {"date_to": "2027-06-01T18:00:00Z"}, []),
        ("events", {"date_to": "2027-06-01T18:00:01Z"}, ["concert"]),
        ("events", {"date_from": "2027-06-30T00:00:00Z", "date_to": "2027-07-31T00:00:00Z"}, ["online"]),
        ("event-dates", {"event": "concert"}, ["day1", "day2"]),
        ("event-dates", {"organizer": "B"}, ["gala_date"]),
        ("event-dates", {"start_from": "2027-06-02T18:00:00Z"}, ["day2", "online_date", "gala_date"]),
        ("event-dates", {"start_to": "2027-07-01T18:00:00Z"}, ["day1", "day2"]),
        (
            "event-dates",
            {"start_from": "2027-06-02T00:00:00Z", "start_to": "2027-08-01T00:00:00Z"},
            ["day2", "online_date"],
        ),
        ("ticket-types", {"event": "concert"}, ["concert_pass", "day1_ticket"]),
        ("ticket-types", {"event_date": "day1"}, ["day1_ticket"]),
        ("locations", {"organizer": "x"}, []),
        ("events", {"organizer": "1 OR 1=1"}, []),
    ],
)
def test_filters(world, events, endpoint, params, expected):
    ids = {"A": events.concert.organizer_id, "B": events.gala.organizer_id}
    query = {key: ids.get(value) or _named(events, value) for key, value in params.items()}
    query = {key: getattr(value, "pk", value) for key, value in query.items()}

    response = world.client(ADMIN).get(f"/api/v1/{endpoint}/", query)

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == events.ids(expected)


@pytest.mark.parametrize(
    ("endpoint", "param", "value"),
    [
        ("events", "date_from", "2027-13-01T00:00:00Z"),  # well formed, no such month
        ("events", "date_to", "next week"),
        ("event-dates", "start_from", "2027-02-30T00:00:00Z"),
        ("event-dates", "start_to", "soon"),
    ],
)
def test_a_date_filter_that_is_no_date_is_answered_on_the_parameter(world, events, endpoint, param, value):
    response = world.client(ADMIN).get(f"/api/v1/{endpoint}/", {param: value})

    assert response.status_code == 400
    assert response.json() == {param: ["Enter an ISO date and time, like 2027-05-31T18:00:00Z."]}


def test_a_date_range_asks_for_one_date_inside_it(world, events):
    """An event with dates before and after the range has no date in it."""
    with _in_alpha(world):
        services.event_date_create(
            event=events.concert,
            start=dt.datetime(2027, 9, 1, 18, tzinfo=dt.UTC),
            end=dt.datetime(2027, 9, 1, 21, tzinfo=dt.UTC),
        )

    response = world.client(ADMIN).get(
        "/api/v1/events/", {"date_from": "2027-07-10T00:00:00Z", "date_to": "2027-07-20T00:00:00Z"}
    )

    assert response.json()["results"] == []


def test_lists_are_paginated(world, events):
    with _in_alpha(world):
        EventDate.objects.bulk_create(
            EventDate(
                event=events.concert,
                start=dt.datetime(2028, 1, 1, 18, tzinfo=dt.UTC) + dt.timedelta(days=n),
                end=dt.datetime(2028, 1, 1, 20, tzinfo=dt.UTC) + dt.timedelta(days=n),
            )
            for n in range(51)
        )
    client = world.client(CONFIGURER)

    first = client.get("/api/v1/event-dates/", {"event": events.concert.pk}).json()
    second = client.get(first["next"]).json()

    assert list(first) == ["count", "next", "previous", "results"]
    assert (first["count"], len(first["results"]), first["previous"]) == (53, 50, None)
    assert "page=2" in first["next"]
    assert f"event={events.concert.pk}" in first["next"]
    assert (len(second["results"]), second["next"]) == (3, None)
    assert second["results"][-1]["start"] == "2028-02-20T19:00:00+01:00"  # in its Amsterdam zone


@pytest.mark.parametrize("endpoint", list(MODELS))
def test_lists_take_the_same_queries_for_many_rows(world, events, endpoint):
    client = world.client(CONFIGURER)
    with CaptureQueriesContext(connection) as few:
        client.get(f"/api/v1/{endpoint}/")
    with _in_alpha(world):
        for n in range(3):
            location = services.location_create(
                organizer=world.team.a, name=f"More {n}", address="x", city="y", country="NL"
            )
            event = services.event_create(organizer=world.team.a, location=location, name=f"More {n}")
            date = services.event_date_create(
                event=event,
                start=dt.datetime(2028, 1, 1, tzinfo=dt.UTC),
                end=dt.datetime(2028, 1, 2, tzinfo=dt.UTC),
            )
            services.ticket_type_create(event=event, event_date=date, name=f"More {n}", price=1)

    with CaptureQueriesContext(connection) as many:
        response = client.get(f"/api/v1/{endpoint}/")

    assert response.json()["count"] >= 5
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


# --- replication --------------------------------------------------------------------------

WEEKENDS = {
    "kind": "recurrence",
    "frequency": "weekly",
    "weekdays": [5, 6],
    "times": ["14:00", "10:00"],
    "duration_minutes": 120,
    "starts_on": "2027-05-01",  # a Saturday
    "count": 4,
    "timezone": "Europe/Amsterdam",
    "capacity": 80,
}


ONE_DATE = {
    "kind": "copy",
    "dates": [{"start": "2027-11-01T19:00:00+01:00", "end": "2027-11-01T22:00:00+01:00"}],
}


def _named(events, value):
    """A Programme's object named by `value` (a string), else the value itself."""
    return getattr(events, value) if isinstance(value, str) and hasattr(events, value) else value


def _replicate(world, events, plan, role=CONFIGURER):
    return world.client(role).post(f"/api/v1/events/{events.concert.pk}/replicate/", plan, format="json")


def test_a_preview_lists_the_dates_and_creates_nothing(world, events):
    response = _replicate(world, events, {**WEEKENDS, "preview": True})

    assert response.status_code == 200
    assert response.json() == {
        "id": None,
        "status": "preview",
        "created_count": 0,
        "dates": [
            {"start": "2027-05-01T10:00:00+02:00", "end": "2027-05-01T12:00:00+02:00"},
            {"start": "2027-05-01T14:00:00+02:00", "end": "2027-05-01T16:00:00+02:00"},
            {"start": "2027-05-02T10:00:00+02:00", "end": "2027-05-02T12:00:00+02:00"},
            {"start": "2027-05-02T14:00:00+02:00", "end": "2027-05-02T16:00:00+02:00"},
        ],
    }
    with _in_alpha(world):
        assert events.concert.dates.count() == 2
        assert not ReplicationRequest.objects.exists()
    with schema_context("public"):
        assert not ApprovalRequest.objects.exists()


def test_a_first_replication_is_held_and_the_platform_admins_are_asked_once(
    world, events, django_capture_on_commit_callbacks
):
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        first = _replicate(world, events, WEEKENDS)
    with django_capture_on_commit_callbacks(execute=True):
        second = _replicate(world, events, {**WEEKENDS, "starts_on": "2027-06-05"})

    assert first.status_code == 403
    assert first.json()["status"] == "awaiting_approval"
    assert "one-time approval by the platform" in first.json()["detail"]
    assert "later replications need no approval" in first.json()["detail"]
    assert second.status_code == 403
    with _in_alpha(world):
        held = list(ReplicationRequest.objects.order_by("pk").values_list("pk", "status", "requested_by_id"))
        assert events.concert.dates.count() == 2  # nothing made yet
    configurer = world.team.configurer.pk
    assert held == [
        (first.json()["id"], "awaiting_approval", configurer),
        (second.json()["id"], "awaiting_approval", configurer),
    ]
    with schema_context("public"):
        [approval] = ApprovalRequest.objects.all()
    assert (approval.kind, approval.status) == ("event_replication", "pending")
    assert (approval.organization_schema, approval.operator_id) == (ALPHA.schema_name, configurer)
    assert (approval.operator_email, approval.subject_id) == ("configurer@example.com", events.concert.pk)
    assert approval.subject_name == "ALPHA-A Concert (ALPHA-A)"
    [message] = mail.outbox
    assert message.to == ["admin@platform.test"]
    assert "configurer@example.com" in message.subject
    assert f"/platform/approvals/{approval.pk}/" in message.body


def test_an_approved_operator_replicates_at_once_with_the_date_bound_ticket_types(world, events):
    with _in_alpha(world):
        _approve("configurer@example.com")
        services.ticket_type_create(
            event=events.concert, event_date=events.day2, name="ALPHA-A Standard", price=45
        )
        services.ticket_type_create(
            event=events.concert, event_date=events.day2, name="ALPHA-A VIP", price=95
        )

    response = _replicate(world, events, WEEKENDS)

    assert response.status_code == 201
    assert response.json() == {
        "id": response.json()["id"],
        "status": "done",
        "created_count": 4,
        "total_count": 4,
    }
    with _in_alpha(world):
        new_dates = list(events.concert.dates.filter(capacity=80).order_by("start"))
        assert [d.start.isoformat() for d in new_dates] == [
            "2027-05-01T08:00:00+00:00",
            "2027-05-01T12:00:00+00:00",
            "2027-05-02T08:00:00+00:00",
            "2027-05-02T12:00:00+00:00",
        ]
        assert all(d.end - d.start == dt.timedelta(hours=2) for d in new_dates)
        for date in new_dates:  # one of each kind of date-bound ticket type, no pass
            assert sorted(date.ticket_types.values_list("name", "price")) == [
                ("ALPHA-A Standard", 45),
                ("ALPHA-A VIP", 95),
            ]
        assert events.concert.ticket_types.filter(event_date=None).count() == 1
        request = ReplicationRequest.objects.get()
        assert (request.status, request.created_count, request.executed_at is not None) == ("done", 4, True)
    with schema_context("public"):
        assert not ApprovalRequest.objects.exists()


def test_a_copy_to_another_location_takes_the_ticket_types_along(world, events):
    with _in_alpha(world):
        _approve("configurer@example.com")
    plan = {
        "kind": "copy",
        "location": events.hall.pk,
        "name": "ALPHA-A Concert in the hall",
        "dates": [
            {"start": "2027-11-02T19:00:00+01:00", "end": "2027-11-02T22:00:00+01:00"},
            {"start": "2027-11-01T19:00:00+01:00", "end": "2027-11-01T22:00:00+01:00"},
        ],
    }

    response = _replicate(world, events, plan)

    assert (response.status_code, response.json()["created_count"]) == (201, 2)
    with _in_alpha(world):
        copy = Event.objects.get(name="ALPHA-A Concert in the hall")
        assert (copy.organizer_id, copy.location_id, copy.status) == (
            events.concert.organizer_id,
            events.hall.pk,
            "draft",
        )
        assert sorted(copy.distributions.values_list("pk", flat=True)) == world.team.ids(["a_shop", "a_box"])
        dates = list(copy.dates.order_by("start"))
        assert [(d.start.isoformat(), d.capacity) for d in dates] == [
            ("2027-11-01T18:00:00+00:00", None),
            ("2027-11-02T18:00:00+00:00", None),
        ]
        assert sorted(copy.ticket_types.values_list("name", "event_date_id", "price")) == [
            ("ALPHA-A Pass", None, 80),
            ("ALPHA-A Standard", dates[0].pk, 45),
            ("ALPHA-A Standard", dates[1].pk, 45),
        ]
        assert events.concert.dates.count() == 2  # the source is left as it was
        assert events.concert.ticket_types.count() == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({**ONE_DATE, "location": "stadium"}, "Copy to a location of the same organizer."),
        ({**ONE_DATE, "location": MISSING}, "Copy to a location of the same organizer."),
        ({"kind": "copy", "dates": []}, "This plan creates no dates."),
        (
            {"kind": "copy", "dates": [{"start": "2027-11-01T19:00:00", "end": "2027-11-01T22:00:00"}]},
            "Date 1 needs a start and an end with a time zone.",
        ),
        (
            {"kind": "copy", "dates": [{"start": "2027-11-01T19:00:00Z", "end": "2027-11-01T19:00:00Z"}]},
            "Date 1 ends before it starts.",
        ),
        ({"weekdays": []}, "Choose the weekdays to repeat on."),
        ({"until": "2027-06-01"}, "Give either an end date or a number of dates."),
        ({"count": None}, "Give either an end date or a number of dates."),
        ({"count": None, "until": "2027-04-01"}, "The end date is before the first date."),
        ({"times": []}, "Give at least one time of day."),
        ({"times": ["25:00"]}, "“25:00” is not a time of day like 14:30."),
        ({"times": ["10:00", "noon"]}, "“noon” is not a time of day like 14:30."),
        (
            {"kind": "copy", "dates": [{"start": "2027-13-01T19:00:00Z", "end": "2027-13-01T22:00:00Z"}]},
            "Date 1 needs a start and an end with a time zone.",
        ),
        ({"duration_minutes": None}, "The duration must be positive."),
        ({"starts_on": None}, "“starts_on” must be a date like 2027-05-31."),
        ({"timezone": "Mars/Olympus"}, "Unknown time zone “Mars/Olympus”."),
        ({"frequency": "daily", "count": 5001}, "This plan creates 5001 dates; at most 5000 at once."),
    ],
)
def test_a_bad_plan_is_refused_with_a_clear_message_and_nothing_is_held(world, events, changes, message):
    plan = {**WEEKENDS, **{key: _named(events, value) for key, value in changes.items()}}
    plan = {key: getattr(value, "pk", value) for key, value in plan.items() if value is not None}

    response = _replicate(world, events, plan)

    assert response.status_code == 400
    assert response.json() == {"detail": message}
    with _in_alpha(world):
        assert not ReplicationRequest.objects.exists()
    with schema_context("public"):
        assert not ApprovalRequest.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "clone"}, "kind"),
        ({"frequency": "hourly"}, "frequency"),
        ({"weekdays": [7]}, "weekdays"),
        ({"interval": 0}, "interval"),
        ({"count": 0}, "count"),
        ({"starts_on": "May 1st"}, "starts_on"),
        ({"duration_minutes": -5}, "duration_minutes"),
        ({"kind": "copy", "dates": ["2027-11-01"]}, "dates"),
    ],
)
def test_a_malformed_plan_is_refused_on_the_field(world, events, changes, field):
    response = _replicate(world, events, {**WEEKENDS, **changes})

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_five_hundred_dates_are_queued_in_a_bounded_number_of_queries_and_made_by_the_task(
    world, events, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    with _in_alpha(world):
        _approve("configurer@example.com")
        services.ticket_type_create(
            event=events.concert, event_date=events.day2, name="ALPHA-A VIP", price=95
        )
    plan = {**TWO_DAYS, "times": ["10:00", "15:00"], "count": 500}
    client = world.client(CONFIGURER)

    with django_assert_max_num_queries(40), django_capture_on_commit_callbacks() as queued:
        response = client.post(f"/api/v1/events/{events.concert.pk}/replicate/", plan, format="json")

    body = response.json()
    assert (response.status_code, body["status"], body["created_count"], body["total_count"]) == (
        202,
        "queued",
        0,
        500,
    )
    assert f"/api/v1/replications/{body['id']}/" in body["detail"]
    with _in_alpha(world):
        assert events.concert.dates.count() == 2  # nothing made within the request
    for callback in queued:  # the commit sends the task; eager here, it runs at once
        callback()
    with django_assert_max_num_queries(40):
        progress = client.get(f"/api/v1/replications/{body['id']}/")
    assert progress.status_code == 200
    assert {key: progress.json()[key] for key in ("status", "created_count", "total_count")} == {
        "status": "done",
        "created_count": 500,
        "total_count": 500,
    }
    with _in_alpha(world):
        assert events.concert.dates.count() == 502
        assert (
            TicketType.objects.filter(event=events.concert, event_date__isnull=False).count() == 2 + 2 * 500
        )


@pytest.mark.parametrize("kind", ["recurrence", "copy"])
def test_executing_a_replication_twice_creates_everything_once(world, events, kind):
    plan = WEEKENDS if kind == "recurrence" else ONE_DATE
    with _in_alpha(world):
        configurer = User.objects.get(pk=world.team.configurer.pk)
        held = services.replication_request(event=events.concert, plan=plan, actor=Actor(user=configurer))
        counts_before = (EventDate.objects.count(), TicketType.objects.count(), Event.objects.count())

        first = services.replication_execute(request=held)
        counts_after_one = (EventDate.objects.count(), TicketType.objects.count(), Event.objects.count())
        second = services.replication_execute(request=held)

        assert (held.status, first.status, second.status) == ("awaiting_approval", "done", "done")
        assert second.executed_at == first.executed_at
        assert (
            EventDate.objects.count(),
            TicketType.objects.count(),
            Event.objects.count(),
        ) == counts_after_one
    created = {"recurrence": (4, 4, 0), "copy": (1, 2, 1)}[kind]  # dates, ticket types, events
    assert (
        tuple(after - before for after, before in zip(counts_after_one, counts_before, strict=True))
        == created
    )


# --- isolation ----------------------------------------------------------------------------


def test_the_twin_organization_sees_only_its_own_events_with_the_same_ids(world, events, twin_events):
    client = world.client(ADMIN)
    client.credentials(HTTP_HOST=BETA.host, HTTP_AUTHORIZATION=f"Token {world.beta_twin().tokens['admin']}")

    listed = {endpoint: client.get(f"/api/v1/{endpoint}/") for endpoint in MODELS}
    detail = client.get(f"/api/v1/events/{events.concert.pk}/")
    preview = client.post(
        f"/api/v1/events/{events.concert.pk}/replicate/", {**WEEKENDS, "preview": True}, format="json"
    )
    deleted = client.delete(f"/api/v1/event-dates/{events.day2.pk}/")

    for response in listed.values():
        assert response.status_code == 200
        assert "ALPHA" not in response.content.decode()
    assert [row["id"] for row in listed["events"].json()["results"]] == twin_events.ids(
        ["concert", "online", "workshop", "gala"]
    )
    assert detail.json()["name"] == "BETA-A Concert"
    assert preview.status_code == 200
    assert deleted.status_code == 204
    with schema_context(BETA.schema_name):
        assert not EventDate.objects.filter(pk=twin_events.day2.pk).exists()
    with _in_alpha(world):
        assert EventDate.objects.filter(pk=events.day2.pk).exists()
