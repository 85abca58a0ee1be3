"""Control panel pages of events, dates, ticket types, locations and replication; the storefront list."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.models import ApprovalRequest
from apps.core.models import AuditLogEntry
from apps.events import services
from apps.events.models import Event, EventDate, Location, ReplicationRequest, TicketType
from apps.operators.services import operator_link
from apps.organizers.services import organizer_create
from tests.factories import UserFactory
from tests.tenants import ALPHA

HOST = ALPHA.host
SHOP = ALPHA.organizer_host  # bound to the organizer with slug "alpha-park"
UTC = dt.UTC


def _at(year, month, day, hour, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


def _as(client, user):
    client.force_login(user)
    return client


def _get(client, path, **extra):
    return client.get(path, HTTP_HOST=HOST, **extra)


def _post(client, path, data=None, **extra):
    return client.post(path, data or {}, HTTP_HOST=HOST, **extra)


def _messages(response) -> str:
    return " ".join(str(message) for message in response.context["messages"])


# --- events list and calendar ---------------------------------------------------------


def test_the_events_list_shows_what_the_operator_sees_with_filters(client, park):
    with schema_context(ALPHA.schema_name):
        services.event_create(organizer=park.b, location=_location(park.b), name="Gala of B")

    mine = _get(_as(client, park.config), "/control/events/").content.decode()
    published = _get(client, "/control/events/?status=published").content.decode()
    theirs = _get(_as(client, park.other), "/control/events/").content.decode()

    assert "Concert" in mine
    assert "Gala of B" not in mine
    assert "Concert" not in published
    assert "No event matches these filters." in published
    assert "Gala of B" in theirs
    assert "Concert" not in theirs


def test_a_seller_lists_the_events_of_the_channel_they_sell_in(client, park):
    page = _get(_as(client, park.seller), "/control/events/").content.decode()

    assert "Concert" in page
    assert "New event" not in page


@pytest.mark.parametrize(
    "path", ["/control/events/", "/control/events/calendar/?start=2030-01-01", "/control/locations/"]
)
def test_list_pages_take_the_same_queries_for_many_rows(client, park, path):
    client = _as(client, park.config)
    _get(client, path)  # warm the session and the caches
    with CaptureQueriesContext(connection) as few:
        _get(client, path)
    with schema_context(ALPHA.schema_name):
        for n in range(5):
            hall = services.location_create(
                organizer=park.a, name=f"Hall {n}", address="Dam 1", city="Amsterdam", country="NL"
            )
            event = services.event_create(organizer=park.a, location=hall, name=f"Show {n}")
            services.event_date_create(
                event=event, start=_at(2030, 7, n + 1, 20), end=_at(2030, 7, n + 1, 22)
            )
    with CaptureQueriesContext(connection) as many:
        page = _get(client, path).content.decode()

    assert "Show 4" in page or "Hall 4" in page
    assert len(many) == len(few)


def test_an_unknown_organizer_in_the_filters_is_a_400(client, park):
    response = _get(_as(client, park.config), f"/control/events/?organizer={park.b.pk}")

    assert response.status_code == 400
    assert "Concert" not in response.content.decode()


def test_the_calendar_lists_dates_to_come_by_day_in_their_events_time_zone(client, park):
    with schema_context(ALPHA.schema_name):
        # 22:30 UTC on 1 June is 00:30 on 2 June in Amsterdam
        services.event_date_create(
            event=park.concert, start=_at(2030, 6, 1, 22, 30), end=_at(2030, 6, 1, 23, 30)
        )
        services.event_date_create(event=park.concert, start=_at(2020, 1, 1, 10), end=_at(2020, 1, 1, 11))

    page = _get(_as(client, park.config), "/control/events/calendar/?start=2030-06-01").content.decode()

    days = re.findall(r'<h2 id="day-([\d-]+)"', page)
    assert days == ["2030-06-01", "2030-06-02"]
    assert "20:00" in page  # 18:00 UTC
    assert "00:30" in page
    assert "2020" not in page


def _london_show(park):
    """A London venue of organizer A (which is in Amsterdam): its dates are London's."""
    with schema_context(ALPHA.schema_name):
        stage = services.location_create(
            organizer=park.a,
            name="West End",
            address="1 Strand",
            city="London",
            country="GB",
            time_zone="Europe/London",
        )
        show = services.event_create(organizer=park.a, location=stage, name="Hamlet")
        # 18:30 UTC on 1 June 2030 is 19:30 in London (BST), 20:30 in Amsterdam
        services.event_date_create(event=show, start=_at(2030, 6, 1, 18, 30), end=_at(2030, 6, 1, 21))
    return show


def test_each_event_shows_in_its_own_zone_side_by_side(client, park):
    _london_show(park)
    client = _as(client, park.config)

    calendar = _get(client, "/control/events/calendar/?start=2030-06-01").content.decode()
    events = _get(client, "/control/events/").content.decode()

    assert "19:30</time>–<time" in calendar
    assert "22:00 (Europe/London)" in calendar  # Hamlet ends at 21:00 UTC
    assert "23:00 (Europe/Amsterdam)" in calendar  # the concert ends at 21:00 UTC
    assert "Sat 1 Jun 2030, 19:30 (Europe/London)" in events
    assert "Sat 1 Jun 2030, 20:00 (Europe/Amsterdam)" in events
    assert "Times in" not in events  # no zone to pick: each time says its own


def test_an_events_dates_are_typed_and_shown_in_its_zone(client, park):
    show = _london_show(park)
    client = _as(client, park.config)

    added = _post(
        client,
        f"/control/events/{show.pk}/dates/",
        {"date-start": "2030-12-22T19:30", "date-end": "2030-12-22T22:00"},
        follow=True,
    )
    page = _get(client, f"/control/events/{show.pk}/").content.decode()

    with schema_context(ALPHA.schema_name):
        winter = EventDate.objects.get(event=show, start__month=12)
    assert winter.start == _at(2030, 12, 22, 19, 30)  # 19:30 in London in winter is 19:30 UTC
    assert "Date Sun 22 Dec 2030, 19:30 (Europe/London) added." in _messages(added)
    assert "Times in Europe/London." in page
    assert "Sun 22 Dec 2030, 19:30" in page
    assert "Sat 1 Jun 2030, 19:30" in page


# --- creating and editing events ------------------------------------------------------


def test_an_event_cannot_be_created_without_a_location_and_the_page_says_where_to_add_one(client, in_alpha):
    solo = organizer_create(name="Solo", currency="EUR", country="NL")
    operator = UserFactory(email="solo@example.com", is_operator=True)
    operator_link(operator=operator, organizers=[solo])

    page = _get(_as(client, operator), "/control/events/new/").content.decode()

    assert "you have no location yet" in page
    assert 'href="/control/locations/new/?next=/control/events/new/"' in page
    assert '<form method="post" novalidate>' not in page


def test_creating_an_event_offers_it_in_every_channel_and_opens_its_editor(client, park):
    response = _post(
        _as(client, park.config),
        "/control/events/new/",
        {"organizer": park.a.pk, "location": park.arena.pk, "name": "Summer fair", "category": "festival"},
    )

    with schema_context(ALPHA.schema_name):
        event = Event.objects.get(name="Summer fair")
        assert event.status == Event.Status.DRAFT
        assert set(event.distributions.all()) == set(park.a.distributions.all())
        assert AuditLogEntry.objects.filter(action="event.created", actor_email="config@example.com").exists()
    assert response.status_code == 302
    assert response["Location"] == f"/control/events/{event.pk}/#dates"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("name", "", "required"), ("location", "b", "valid choice"), ("organizer", "b", "valid choice")],
)
def test_bad_event_input_is_a_form_error_not_a_500(client, park, field, value, message):
    with schema_context(ALPHA.schema_name):
        foreign = {"location": _location(park.b).pk, "organizer": park.b.pk}
    data = {"organizer": park.a.pk, "location": park.arena.pk, "name": "Fair", "category": "other"}
    data[field] = foreign[field] if value == "b" else value

    response = _post(_as(client, park.config), "/control/events/new/", data)

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field]).lower()


def test_a_location_of_another_organizer_is_refused_for_an_admin_too(client, park):
    with schema_context(ALPHA.schema_name):
        admin = UserFactory(email="admin@example.com", is_operator=True, is_admin=True)
        stadium = _location(park.b)

    response = _post(
        _as(client, admin),
        "/control/events/new/",
        {"organizer": park.a.pk, "location": stadium.pk, "name": "Mixed", "category": "other"},
    )

    assert response.status_code == 400
    assert "Choose a location of Park A." in response.content.decode()


def test_the_event_editor_shows_fields_dates_ticket_types_and_replications(client, park):
    with schema_context(ALPHA.schema_name):
        services.ticket_type_create(event=park.concert, name="Pass", price=Decimal("80"))

    page = _get(_as(client, park.config), f"/control/events/{park.concert.pk}/").content.decode()

    for part in ('id="details"', 'id="dates"', 'id="ticket-types"', 'id="replications"'):
        assert part in page
    assert "Sat 1 Jun 2030, 20:00" in page  # 18:00 UTC shown in Europe/Amsterdam
    assert "80.00 EUR" in page
    assert "All dates (a pass)" in page
    assert 'name="date-start"' in page
    assert 'name="ticket-name"' in page
    assert f'action="/control/events/{park.concert.pk}/publish/"' in page


def test_editing_the_event_saves_its_fields_and_channels(client, park):
    with schema_context(ALPHA.schema_name):
        hall = services.location_create(
            organizer=park.a, name="Hall", address="Dam 1", city="Amsterdam", country="NL"
        )
        shop = park.a.distributions.get(kind="online_shop")

    response = _post(
        _as(client, park.config),
        f"/control/events/{park.concert.pk}/",
        {
            "name": "Concert XL",
            "category": "concert",
            "location": hall.pk,
            "description": "Loud.",
            "distributions": [shop.pk],
        },
    )

    assert response.status_code == 302
    with schema_context(ALPHA.schema_name):
        event = Event.objects.get(pk=park.concert.pk)
        assert (event.name, event.location, event.description) == ("Concert XL", hall, "Loud.")
        assert list(event.distributions.all()) == [shop]


def test_an_event_image_is_uploaded_and_cleared(client, park, settings, tmp_path):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    buffer = BytesIO()
    Image.new("RGB", (4, 3), "orange").save(buffer, "PNG")
    data = {"name": "Concert", "category": "concert", "location": park.arena.pk}
    client = _as(client, park.config)

    uploaded = _post(
        client,
        f"/control/events/{park.concert.pk}/",
        data | {"image": SimpleUploadedFile("poster.png", buffer.getvalue(), "image/png")},
    )
    with schema_context(ALPHA.schema_name):
        assert Event.objects.get(pk=park.concert.pk).image.name.startswith("events/poster")
    not_an_image = _post(
        client,
        f"/control/events/{park.concert.pk}/",
        data | {"image": SimpleUploadedFile("poster.png", b"not a picture", "image/png")},
    )
    cleared = _post(client, f"/control/events/{park.concert.pk}/", data | {"image-clear": "on"})

    assert uploaded.status_code == 302
    assert not_an_image.status_code == 400
    assert cleared.status_code == 302
    with schema_context(ALPHA.schema_name):
        assert not Event.objects.get(pk=park.concert.pk).image


def test_an_empty_event_name_is_a_400_and_the_page_still_shows_the_saved_name(client, park):
    response = _post(
        _as(client, park.config),
        f"/control/events/{park.concert.pk}/",
        {"name": "", "category": "concert", "location": park.arena.pk},
    )

    assert response.status_code == 400
    assert "<h1>Concert</h1>" in response.content.decode()
    assert response.context["event_form"].errors["name"]


# --- permissions ----------------------------------------------------------------------


def test_a_seller_sees_the_event_but_may_change_nothing(client, park):
    client = _as(client, park.seller)
    event = park.concert.pk

    page = _get(client, f"/control/events/{event}/")
    writes = [
        _post(client, f"/control/events/{event}/", {"name": "Mine"}),
        _post(client, f"/control/events/{event}/dates/", {"date-start": "2030-01-01T10:00"}),
        _post(client, f"/control/events/{event}/ticket-types/", {"ticket-name": "Free"}),
        _post(client, f"/control/events/{event}/publish/"),
        _get(client, f"/control/events/{event}/cancel/"),
        _get(client, f"/control/events/{event}/delete/"),
        _get(client, f"/control/events/{event}/replicate/"),
        _get(client, f"/control/event-dates/{park.day1.pk}/edit/"),
        _post(client, f"/control/event-dates/{park.day1.pk}/delete/"),
        _get(client, "/control/events/new/"),
        _get(client, "/control/locations/new/"),
        _get(client, f"/control/locations/{park.arena.pk}/edit/"),
        _post(client, f"/control/locations/{park.arena.pk}/delete/"),
    ]

    assert page.status_code == 200
    assert f'action="/control/events/{event}/' not in page.content.decode()
    assert "Park A – Box office" not in page.content.decode()
    assert re.search(r"<dt>Sold in</dt><dd>Box office</dd>", page.content.decode())
    assert [response.status_code for response in writes] == [403] * len(writes)
    with schema_context(ALPHA.schema_name):
        assert Event.objects.get(pk=event).name == "Concert"
        assert EventDate.objects.filter(pk=park.day1.pk).exists()


def test_an_operator_of_another_organizer_finds_nothing(client, park):
    client = _as(client, park.other)

    responses = [
        _get(client, f"/control/events/{park.concert.pk}/"),
        _post(client, f"/control/events/{park.concert.pk}/publish/"),
        _get(client, f"/control/event-dates/{park.day1.pk}/edit/"),
        _get(client, f"/control/locations/{park.arena.pk}/edit/"),
    ]
    locations = _get(client, "/control/locations/").content.decode()

    assert [response.status_code for response in responses] == [404] * 4
    assert "Arena" not in locations


def test_the_control_pages_send_anonymous_visitors_to_the_login_page(client, park):
    response = _get(client, "/control/events/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- dates ----------------------------------------------------------------------------


def test_dates_are_added_in_the_operators_time_zone_edited_and_deleted(client, park):
    client = _as(client, park.config)

    added = _post(
        client,
        f"/control/events/{park.concert.pk}/dates/",
        {"date-start": "2030-06-02T20:00", "date-end": "2030-06-02T23:00", "date-capacity": "300"},
    )
    with schema_context(ALPHA.schema_name):
        day2 = EventDate.objects.get(event=park.concert, capacity=300)
    assert added.status_code == 302
    assert day2.start == _at(2030, 6, 2, 18)  # 20:00 in Amsterdam (summer time)

    edit_page = _get(client, f"/control/event-dates/{day2.pk}/edit/").content.decode()
    edited = _post(
        client,
        f"/control/event-dates/{day2.pk}/edit/",
        {"date-start": "2030-06-02T19:00", "date-end": "2030-06-02T23:00", "date-capacity": ""},
    )
    deleted = _post(client, f"/control/event-dates/{day2.pk}/delete/")

    assert 'value="2030-06-02T20:00"' in edit_page
    assert edited.status_code == 302
    assert deleted.status_code == 302
    with schema_context(ALPHA.schema_name):
        assert not EventDate.objects.filter(pk=day2.pk).exists()
        actions = set(AuditLogEntry.objects.values_list("action", flat=True))
    assert {"event_date.created", "event_date.updated", "event_date.deleted"} <= actions


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"date-start": "2030-06-02T20:00", "date-end": "2030-06-02T19:00"}, "end", "after the start"),
        ({"date-start": "tomorrow", "date-end": "2030-06-02T19:00"}, "start", "valid date/time"),
        ({"date-start": "2030-06-02T20:00", "date-end": ""}, "end", "required"),
        (
            {"date-start": "2030-06-02T20:00", "date-end": "2030-06-02T22:00", "date-capacity": "-1"},
            "capacity",
            "greater than or equal",
        ),
    ],
)
def test_bad_dates_are_form_errors_on_the_editor(client, park, data, field, message):
    response = _post(_as(client, park.config), f"/control/events/{park.concert.pk}/dates/", data)

    assert response.status_code == 400
    assert message in " ".join(response.context["date_form"].errors[field])
    assert 'id="ticket-types"' in response.content.decode()  # the whole editor, with the error in place


# --- ticket types ---------------------------------------------------------------------


def _ticket(**fields):
    data = {
        "ticket-name": "Standard",
        "ticket-price": "45.50",
        "ticket-min_per_order": "1",
        "ticket-max_per_order": "10",
    }
    return data | {f"ticket-{key}": value for key, value in fields.items()}


def test_a_london_events_sale_window_is_typed_in_london_time(client, park):
    show = _london_show(park)
    client = _as(client, park.config)

    added = _post(
        client,
        f"/control/events/{show.pk}/ticket-types/",
        _ticket(name="Early", sale_start="2030-01-01T09:00", sale_end="2030-05-31T23:59"),
    )
    with schema_context(ALPHA.schema_name):
        early = TicketType.objects.get(name="Early")
    edit_page = _get(client, f"/control/ticket-types/{early.pk}/edit/").content.decode()

    assert added.status_code == 302
    assert early.sale_start == _at(2030, 1, 1, 9)  # 09:00 in London in winter
    assert early.sale_end == _at(2030, 5, 31, 22, 59)  # 23:59 in London in summer (BST)
    assert 'value="2030-01-01T09:00"' in edit_page
    assert "Times in Europe/London." in edit_page


def test_ticket_types_for_one_date_or_as_a_pass_are_added_edited_and_deleted(client, park):
    client = _as(client, park.config)

    _post(
        client,
        f"/control/events/{park.concert.pk}/ticket-types/",
        _ticket(event_date=park.day1.pk, limit="100"),
    )
    _post(
        client,
        f"/control/events/{park.concert.pk}/ticket-types/",
        _ticket(name="Pass", price="80", sale_start="2030-01-01T09:00", sale_end="2030-05-31T23:59"),
    )
    with schema_context(ALPHA.schema_name):
        standard = TicketType.objects.get(name="Standard")
        pass_ = TicketType.objects.get(name="Pass")
    assert (standard.event_date, standard.price, standard.limit) == (park.day1, Decimal("45.50"), 100)
    assert pass_.is_pass
    assert pass_.sale_start == _at(2030, 1, 1, 8)

    edit_page = _get(client, f"/control/ticket-types/{standard.pk}/edit/").content.decode()
    _post(
        client, f"/control/ticket-types/{standard.pk}/edit/", _ticket(price="49.00", event_date=park.day1.pk)
    )
    _post(client, f"/control/ticket-types/{pass_.pk}/delete/")

    assert 'value="45.50"' in edit_page
    assert 'step="0.01"' in edit_page
    assert "Price (EUR)" in edit_page
    with schema_context(ALPHA.schema_name):
        assert TicketType.objects.get(pk=standard.pk).price == Decimal("49.00")
        assert not TicketType.objects.filter(pk=pass_.pk).exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"price": "12.345"}, "price", "EUR prices have at most 2 decimals"),
        ({"price": "-1"}, "price", "greater than or equal to 0"),
        ({"price": ""}, "price", "required"),
        ({"min_per_order": "5", "max_per_order": "2"}, "max_per_order", "below the minimum"),
        (
            {"sale_start": "2030-02-01T10:00", "sale_end": "2030-01-01T10:00"},
            "sale_end",
            "end after it starts",
        ),
        ({"event_date": "999999"}, "event_date", "valid choice"),
    ],
)
def test_bad_ticket_types_are_form_errors(client, park, fields, field, message):
    response = _post(
        _as(client, park.config), f"/control/events/{park.concert.pk}/ticket-types/", _ticket(**fields)
    )

    assert response.status_code == 400
    assert message in " ".join(response.context["ticket_type_form"].errors[field])


def test_a_ticket_type_cannot_be_valid_on_a_date_of_another_event(client, park):
    with schema_context(ALPHA.schema_name):
        other_event = services.event_create(organizer=park.a, location=park.arena, name="Other")
        other_date = services.event_date_create(
            event=other_event, start=_at(2030, 9, 1, 10), end=_at(2030, 9, 1, 12)
        )

    response = _post(
        _as(client, park.config),
        f"/control/events/{park.concert.pk}/ticket-types/",
        _ticket(event_date=other_date.pk),
    )

    assert response.status_code == 400


def test_prices_follow_the_exponent_of_the_organizers_currency(client, in_alpha):
    yen = organizer_create(name="Tokyo park", currency="JPY", country="JP")
    operator = UserFactory(email="yen@example.com", is_operator=True)
    operator_link(operator=operator, organizers=[yen])
    dome = services.location_create(organizer=yen, name="Dome", address="1-3-61", city="Tokyo", country="JP")
    event = services.event_create(organizer=yen, location=dome, name="Baseball")
    client = _as(client, operator)

    bad = _post(client, f"/control/events/{event.pk}/ticket-types/", _ticket(price="1500.50"))
    good = _post(client, f"/control/events/{event.pk}/ticket-types/", _ticket(price="1500"))
    page = _get(client, f"/control/events/{event.pk}/").content.decode()

    assert bad.status_code == 400
    assert "JPY prices have at most 0 decimals." in bad.content.decode()
    assert good.status_code == 302
    assert "1,500 JPY" in page  # grouped, as every amount
    assert 'step="1"' in page


def test_prices_of_a_three_decimal_currency_in_french(client, in_alpha):
    dinar = organizer_create(name="Kuwait park", currency="KWD", country="KW")
    operator = UserFactory(email="kwd@example.com", is_operator=True)
    operator_link(operator=operator, organizers=[dinar])
    hall = services.location_create(organizer=dinar, name="Hall", address="1", city="Kuwait", country="KW")
    event = services.event_create(organizer=dinar, location=hall, name="Concert")
    services.ticket_type_create(event=event, name="Adult", price=Decimal("1234.5"))
    client = _as(client, operator)

    page = _get(client, f"/control/events/{event.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "1\xa0234,500 KWD" in page


# --- actions --------------------------------------------------------------------------


def test_publish_back_to_draft_and_cancel_after_confirming(client, park):
    client = _as(client, park.config)
    url = f"/control/events/{park.concert.pk}"

    published = _post(client, f"{url}/publish/", follow=True)
    assert "“Concert” is published." in _messages(published)
    _post(client, f"{url}/unpublish/")
    with schema_context(ALPHA.schema_name):
        assert Event.objects.get(pk=park.concert.pk).status == Event.Status.DRAFT

    confirm = _get(client, f"{url}/cancel/")
    with schema_context(ALPHA.schema_name):
        assert Event.objects.get(pk=park.concert.pk).status == Event.Status.DRAFT  # asking changes nothing
    _post(client, f"{url}/cancel/")
    again = _post(client, f"{url}/publish/", follow=True)

    assert confirm.status_code == 200
    assert "Yes, cancel the event" in confirm.content.decode()
    assert "A cancelled event cannot be published again." in _messages(again)
    with schema_context(ALPHA.schema_name):
        assert Event.objects.get(pk=park.concert.pk).status == Event.Status.CANCELLED


def test_an_event_without_dates_cannot_be_published_and_the_page_says_why(client, park):
    with schema_context(ALPHA.schema_name):
        empty = services.event_create(organizer=park.a, location=park.arena, name="Empty")

    response = _post(_as(client, park.config), f"/control/events/{empty.pk}/publish/", follow=True)

    assert response.status_code == 200
    assert "Add at least one date before publishing." in _messages(response)


def test_an_event_with_dates_cannot_be_deleted_and_one_without_can(client, park):
    client = _as(client, park.config)
    with schema_context(ALPHA.schema_name):
        empty = services.event_create(organizer=park.a, location=park.arena, name="Empty")

    refused = _post(client, f"/control/events/{park.concert.pk}/delete/", follow=True)
    deleted = _post(client, f"/control/events/{empty.pk}/delete/")

    assert refused.status_code == 200
    assert "“Concert” cannot be deleted" in _messages(refused)
    assert deleted.status_code == 302
    with schema_context(ALPHA.schema_name):
        assert Event.objects.filter(pk=park.concert.pk).exists()
        assert not Event.objects.filter(pk=empty.pk).exists()


# --- locations ------------------------------------------------------------------------


def _location(organizer) -> Location:
    return services.location_create(
        organizer=organizer,
        name=f"Stadium of {organizer.name}",
        address="Rue 1",
        city="Brussels",
        country="BE",
    )


def test_locations_are_listed_added_edited_and_deleted(client, park):
    client = _as(client, park.config)

    listed = _get(client, "/control/locations/").content.decode()
    added = _post(
        client,
        "/control/locations/new/?next=/control/events/new/",
        {
            "organizer": park.a.pk,
            "name": "Hall",
            "address": "Dam 1",
            "city": "Amsterdam",
            "postal_code": "1012 JS",
            "country": "NL",
            "capacity": "1200",
            "latitude": "52.373095",
            "longitude": "4.893190",
        },
    )
    with schema_context(ALPHA.schema_name):
        hall = Location.objects.get(name="Hall")
    edited = _post(
        client,
        f"/control/locations/{hall.pk}/edit/",
        {"name": "Great hall", "address": "Dam 1", "city": "Amsterdam", "country": "NL"},
    )
    confirm = _get(client, f"/control/locations/{hall.pk}/delete/")
    deleted = _post(client, f"/control/locations/{hall.pk}/delete/")

    assert "Arena" in listed
    assert "Utrecht" in listed
    assert added.status_code == 302
    assert added["Location"] == "/control/events/new/"
    assert (hall.organizer, hall.capacity, hall.latitude) == (park.a, 1200, Decimal("52.373095"))
    assert edited.status_code == 302
    assert "Yes, delete the location" in confirm.content.decode()
    assert deleted.status_code == 302
    with schema_context(ALPHA.schema_name):
        assert not Location.objects.filter(pk=hall.pk).exists()


def test_a_location_used_by_events_cannot_be_deleted_and_the_page_says_which(client, park):
    response = _post(_as(client, park.config), f"/control/locations/{park.arena.pk}/delete/", follow=True)

    assert response.status_code == 200
    assert "“Arena, Utrecht” cannot be deleted: Concert depend on it." in _messages(response)
    with schema_context(ALPHA.schema_name):
        assert Location.objects.filter(pk=park.arena.pk).exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("latitude", "91", "less than or equal to 90"),
        ("longitude", "east", "number"),
        ("country", "XX", "valid choice"),
        ("name", "", "required"),
        ("organizer", "b", "valid choice"),
    ],
)
def test_bad_location_input_is_a_form_error(client, park, field, value, message):
    data = {"organizer": park.a.pk, "name": "Hall", "address": "Dam 1", "city": "Amsterdam", "country": "NL"}
    data[field] = park.b.pk if value == "b" else value

    response = _post(_as(client, park.config), "/control/locations/new/", data)

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field]).lower()


def test_an_unsafe_next_address_is_ignored(client, park):
    response = _post(
        _as(client, park.config),
        "/control/locations/new/?next=https://evil.example/",
        {"organizer": park.a.pk, "name": "Hall", "address": "Dam 1", "city": "Amsterdam", "country": "NL"},
    )

    assert response["Location"] == "/control/locations/"


# --- replication ----------------------------------------------------------------------


WEEKLY = {
    "kind": "recurrence",
    "frequency": "weekly",
    "interval": "1",
    "weekdays": ["5", "6"],  # Saturdays and Sundays
    "times": "10:00, 14:00",
    "starts_on": "2030-06-01",
    "count": "50",
    "duration_minutes": "90",
    "timezone": "Europe/Amsterdam",
}


def _replicate(client, event, data, step="preview", previewed="", **extra):
    return _post(
        client,
        f"/control/events/{event.pk}/replicate/",
        {**data, "step": step, "previewed": previewed},
        **extra,
    )


def test_the_replication_preview_shows_the_dates_and_creates_nothing(client, park):
    response = _replicate(_as(client, park.config), park.concert, WEEKLY)

    page = response.content.decode()
    assert response.status_code == 200
    assert "This creates 50 dates." in page
    assert page.count("<li><time") == 40  # the first and last 20
    assert "Sat 1 Jun 2030, 10:00" in page
    assert "Sat 1 Jun 2030, 14:00" in page
    assert "Create 50 dates" in page
    with schema_context(ALPHA.schema_name):
        assert EventDate.objects.filter(event=park.concert).count() == 1
        assert not ReplicationRequest.objects.exists()


def test_a_first_replication_waits_for_the_platforms_approval_and_the_event_page_says_so(client, park):
    client = _as(client, park.config)
    digest = _replicate(client, park.concert, WEEKLY).context["preview"]["digest"]

    response = _replicate(client, park.concert, WEEKLY, step="confirm", previewed=digest)
    page = _get(client, f"/control/events/{park.concert.pk}/").content.decode()

    assert response.status_code == 302
    assert response["Location"] == f"/control/events/{park.concert.pk}/#replications"
    assert "needs a one-time approval by the platform" in page
    assert "Awaiting platform approval" in page
    with schema_context(ALPHA.schema_name):
        request = ReplicationRequest.objects.get()
        assert request.status == ReplicationRequest.Status.AWAITING_APPROVAL
        assert request.plan["count"] == 50
        assert request.plan["weekdays"] == [5, 6]
        assert EventDate.objects.filter(event=park.concert).count() == 1
    with schema_context("public"):
        approval = ApprovalRequest.objects.get()
        assert (approval.operator_email, approval.status) == ("config@example.com", "pending")


def test_an_approved_operator_replicates_at_once(client, park):
    with schema_context(ALPHA.schema_name):
        park.config.replication_approved_at = timezone.now()
        park.config.save(update_fields=["replication_approved_at"])
        services.ticket_type_create(
            event=park.concert, event_date=park.day1, name="Day ticket", price=Decimal("20")
        )
    client = _as(client, park.config)
    digest = _replicate(client, park.concert, WEEKLY).context["preview"]["digest"]

    response = _replicate(client, park.concert, WEEKLY, step="confirm", previewed=digest, follow=True)
    page = response.content.decode()

    assert response.redirect_chain == [(f"/control/events/{park.concert.pk}/#dates", 302)]
    assert "50 dates created." in _messages(response)
    with schema_context(ALPHA.schema_name):
        dates = EventDate.objects.filter(event=park.concert).exclude(pk=park.day1.pk).order_by("start")
        assert dates.count() == 50
        assert dates[0].start == _at(2030, 6, 1, 8)  # 10:00 in Amsterdam
        assert dates[0].end - dates[0].start == dt.timedelta(minutes=90)
        assert TicketType.objects.filter(event=park.concert, name="Day ticket").count() == 51
        assert ReplicationRequest.objects.get().status == ReplicationRequest.Status.DONE
    assert "Done" in page


def test_a_plan_changed_after_its_preview_is_previewed_again_not_run(client, park):
    with schema_context(ALPHA.schema_name):
        park.config.replication_approved_at = timezone.now()
        park.config.save(update_fields=["replication_approved_at"])
    client = _as(client, park.config)
    digest = _replicate(client, park.concert, WEEKLY).context["preview"]["digest"]

    response = _replicate(client, park.concert, {**WEEKLY, "count": "500"}, step="confirm", previewed=digest)

    assert response.status_code == 200
    assert "This creates 500 dates." in response.content.decode()
    assert "The plan changed since its preview" in _messages(response)
    with schema_context(ALPHA.schema_name):
        assert not ReplicationRequest.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"weekdays": []}, "weekdays", "required"),
        ({"until": "2030-12-31"}, "until", "either an end day or a number of dates"),
        ({"count": ""}, "until", "either an end day or a number of dates"),
        ({"times": "10:00, 25:00"}, "times", "“25:00” is not a time of day"),
        ({"times": ""}, "times", "required"),
        ({"timezone": "Mars/Olympus"}, "timezone", "valid choice"),
        ({"duration_minutes": "0"}, "duration_minutes", "greater than or equal to 1"),
        ({"count": "6000"}, "__all__", "at most 5000 at once"),
        ({"kind": "teleport"}, "kind", "valid choice"),
    ],
)
def test_bad_replication_plans_are_form_errors(client, park, changes, field, message):
    response = _replicate(_as(client, park.config), park.concert, {**WEEKLY, **changes})

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert response.context["preview"] is None


def test_a_copy_to_a_list_of_dates_at_another_location_makes_a_new_draft_event(client, park):
    with schema_context(ALPHA.schema_name):
        park.config.replication_approved_at = timezone.now()
        park.config.save(update_fields=["replication_approved_at"])
        hall = services.location_create(
            organizer=park.a, name="Hall", address="Dam 1", city="Amsterdam", country="NL"
        )
        services.ticket_type_create(event=park.concert, name="Pass", price=Decimal("80"))
    copy = {
        "kind": "copy",
        "dates": "2030-09-01 20:00\n\n2030-09-08T20:00\n",
        "duration_minutes": "120",
        "timezone": "Europe/Amsterdam",
        "location": hall.pk,
        "name": "Concert on tour",
    }
    client = _as(client, park.config)
    preview = _replicate(client, park.concert, copy)

    response = _replicate(
        client, park.concert, copy, step="confirm", previewed=preview.context["preview"]["digest"]
    )

    assert "This creates 2 dates." in preview.content.decode()
    assert response.status_code == 302
    with schema_context(ALPHA.schema_name):
        tour = Event.objects.get(name="Concert on tour")
        assert (tour.location, tour.status) == (hall, Event.Status.DRAFT)
        assert [d.start for d in tour.dates.order_by("start")] == [_at(2030, 9, 1, 18), _at(2030, 9, 8, 18)]
        assert list(tour.ticket_types.values_list("name", flat=True)) == ["Pass"]


@pytest.mark.parametrize("line", ["next friday", "2030-02-30 20:00"])
def test_a_copy_with_an_unreadable_line_says_which(client, park, line):
    response = _replicate(
        _as(client, park.config),
        park.concert,
        {"kind": "copy", "dates": f"2030-09-01 20:00\n{line}", "duration_minutes": "60", "timezone": "UTC"},
    )

    assert response.status_code == 400
    assert f"Line 2: “{line}” is not a date and time" in response.content.decode()


# --- storefront -----------------------------------------------------------------------


def test_the_storefront_lists_published_events_with_dates_to_come_only(client, park):
    with schema_context(ALPHA.schema_name):
        services.event_date_create(event=park.concert, start=_at(2030, 6, 2, 18), end=_at(2030, 6, 2, 21))
        services.event_date_create(event=park.concert, start=_at(2020, 6, 2, 18), end=_at(2020, 6, 2, 21))
        services.event_publish(event=park.concert)
        draft = services.event_create(organizer=park.a, location=park.arena, name="Secret draft")
        services.event_date_create(event=draft, start=_at(2030, 6, 5, 18), end=_at(2030, 6, 5, 21))
        cancelled = services.event_create(organizer=park.a, location=park.arena, name="Called off")
        services.event_date_create(event=cancelled, start=_at(2030, 6, 5, 18), end=_at(2030, 6, 5, 21))
        services.event_publish(event=cancelled)
        services.event_cancel(event=cancelled)
        past = services.event_create(organizer=park.a, location=park.arena, name="Last year")
        services.event_date_create(event=past, start=_at(2020, 6, 5, 18), end=_at(2020, 6, 5, 21))
        services.event_publish(event=past)
        other = services.event_create(organizer=park.b, location=_location(park.b), name="Gala of B")
        services.event_date_create(event=other, start=_at(2030, 6, 5, 18), end=_at(2030, 6, 5, 21))
        services.event_publish(event=other)

    page = client.get("/", HTTP_HOST=SHOP).content.decode()

    assert "Concert" in page
    assert "Arena, Utrecht" in page
    assert "Saturday 1 June 2030, 20:00" in page
    assert "2 dates to come" in page
    for hidden in ("Secret draft", "Called off", "Last year", "Gala of B"):
        assert hidden not in page


def test_the_storefront_says_so_when_nothing_is_on_sale(client, park):
    page = client.get("/", HTTP_HOST=SHOP).content.decode()

    assert "There are no events on sale right now." in page


def test_the_control_area_links_to_events_and_locations(client, park):
    page = _get(_as(client, park.config), "/control/").content.decode()

    assert 'href="/control/events/"' in page
    assert 'href="/control/locations/"' in page
