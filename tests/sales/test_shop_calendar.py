"""The shop's calendar (issue 15 §5): an event with many dates is shown as a month of days
with their availability, then a day's timeslots, then a timeslot's tickets (the existing
form and reservation); an event with few dates keeps its list."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.events import services as events
from apps.sales.models import DateStock, Order
from apps.sales.selectors.calendar import CALENDAR_ABOVE, State, state_of
from apps.tenancy import services as tenancy
from tests.sales.calendar_data import park_build
from tests.sales.helpers import payments_connect, shop_build
from tests.tenants import ALPHA

HOST = "park.localhost"


def _park(alpha, *, slug="park", host=HOST, **fields):
    with schema_context(ALPHA.schema_name):
        park = park_build(slug=slug, **fields)
        payments_connect(park.organizer)
    tenancy.domain_add(organization=alpha, domain=host, organizer_slug=slug)
    return park


@pytest.fixture
def park(alpha):
    return _park(alpha)


@pytest.fixture
def buyer():
    return Client(HTTP_HOST=HOST)


def _page(buyer, park, query=""):
    return buyer.get(f"/events/{park.event.pk}/{query}")


def _sell(event_date, sold):
    DateStock.objects.update_or_create(event_date=event_date, defaults={"sold": sold})


def test_an_event_with_few_dates_keeps_its_list(alpha, buyer):
    with schema_context(ALPHA.schema_name):
        shop = shop_build(days=CALENDAR_ABOVE, slug="park")
        payments_connect(shop.organizer)
    tenancy.domain_add(organization=alpha, domain=HOST, organizer_slug="park")

    body = buyer.get(f"/events/{shop.event.pk}/").content.decode()

    assert 'class="calendar"' not in body
    assert f'name="qty-{shop.day_ticket.pk}-{shop.dates[0].pk}"' in body


def test_the_month_shows_each_day_with_its_state_as_text(buyer, park):
    first = park.first_day
    with schema_context(ALPHA.schema_name):
        for event_date in park.on(1):
            _sell(event_date, 50)  # the second day: sold out
        for event_date in park.on(2):
            _sell(event_date, 45)  # the third: 10 left over its two timeslots

    page = _page(buyer, park)

    body = page.content.decode()
    assert page.status_code == 200
    assert f"<caption>{first:%B %Y}</caption>" in body
    assert '<th scope="col"><abbr title="Monday">Mon</abbr></th>' in body  # France: Monday first
    assert body.index('title="Monday"') < body.index('title="Sunday"')
    assert "Days and times are in Europe/Paris." in body

    def cell(day):
        match = re.search(
            rf'<a href="\?date={day.isoformat()}#times" class="day ([a-z-]+)"[^>]*>(.*?)</a>', body
        )
        assert match, day
        return match.group(1), re.sub(r"<[^>]+>", " ", match.group(2)).split()

    # the state as text; on a phone a mark (explained by a legend) with the word for screen readers
    assert cell(first) == ("available", [str(first.day), "Available", "✓"])
    assert cell(first + dt.timedelta(days=1)) == ("sold-out", [str(first.day + 1), "Sold", "out", "✕"])
    assert cell(first + dt.timedelta(days=2)) == ("few-left", [str(first.day + 2), "Few", "left", "!"])
    assert "qty-" not in body  # no tickets before a timeslot is chosen


def test_few_left_is_ten_or_fewer_or_a_tenth_of_the_capacity():
    assert state_of(None, None) is State.AVAILABLE
    assert state_of(0, 50) is State.SOLD_OUT
    assert state_of(10, 1000) is State.FEW_LEFT
    assert state_of(100, 1000) is State.FEW_LEFT
    assert state_of(101, 1000) is State.AVAILABLE
    assert state_of(11, 50) is State.AVAILABLE


def test_months_link_to_the_months_with_dates_only(alpha, buyer):
    today = timezone.localdate()
    first_day = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=20)  # the 20th of next month
    park = _park(alpha, days=20, first_day=first_day)
    second = (first_day + dt.timedelta(days=19)).replace(day=1)

    body = _page(buyer, park).content.decode()
    assert f'href="?month={second:%Y-%m}" rel="next"' in body
    assert 'rel="prev"' not in body

    body = _page(buyer, park, f"?month={second:%Y-%m}").content.decode()
    assert f"<caption>{second:%B %Y}</caption>" in body
    assert f'href="?month={first_day:%Y-%m}" rel="prev"' in body
    assert 'rel="next"' not in body

    after = (second + dt.timedelta(days=32)).replace(day=1)
    assert _page(buyer, park, f"?month={after:%Y-%m}").status_code == 404
    assert _page(buyer, park, "?month=2026-13").status_code == 404
    assert _page(buyer, park, "?month=soon").status_code == 404


def test_a_day_shows_its_timeslots_in_the_events_zone_with_what_remains(buyer, park):
    with schema_context(ALPHA.schema_name):
        morning, afternoon = park.on(0)
        _sell(afternoon, 50)

    page = _page(buyer, park, f"?date={park.first_day.isoformat()}")

    body = page.content.decode()
    assert page.status_code == 200
    assert f"Times on {park.first_day:%A} {park.first_day.day} {park.first_day:%B %Y}" in body
    assert f'<a class="slot available" href="?slot={morning.pk}">' in body
    assert "10:00 (Europe/Paris)" in body
    assert "50 tickets left" in body
    assert f"?slot={afternoon.pk}" not in body  # sold out: not a link
    assert '<span class="slot sold-out" aria-disabled="true">' in body
    assert "14:00 (Europe/Paris)" in body
    assert 'aria-current="date"' in body


def test_a_timeslot_shows_its_tickets_and_reserves_them(buyer, park):
    with schema_context(ALPHA.schema_name):
        slot = park.on(3)[1]
        entry = slot.ticket_types.get()
        other = park.on(4)[0].ticket_types.get()

    page = _page(buyer, park, f"?slot={slot.pk}")

    body = page.content.decode()
    assert page.status_code == 200
    assert f'name="qty-{entry.pk}-{slot.pk}"' in body
    assert f"qty-{other.pk}-" not in body  # the other timeslots' tickets are not on this page
    assert "14:00 (Europe/Paris)" in body
    assert f'href="?date={slot.start.astimezone(dt.UTC).date().isoformat()}#times"' in body

    answer = buyer.post(f"/events/{park.event.pk}/?slot={slot.pk}", {f"qty-{entry.pk}-{slot.pk}": "2"})

    assert answer.status_code == 302
    assert answer["Location"] == "/cart/"
    with schema_context(ALPHA.schema_name):
        order = Order.objects.get(status=Order.Status.PENDING)
        assert [(t.event_date_id, t.ticket_type_id) for t in order.tickets.all()] == [(slot.pk, entry.pk)] * 2
    assert "Entry" in buyer.get("/cart/").content.decode()


def test_a_timeslot_also_offers_the_passes(buyer, park):
    with schema_context(ALPHA.schema_name):
        pass_ticket = events.ticket_type_create(event=park.event, name="Season pass", price=Decimal("90.00"))
        slot = park.on(0)[0]
        _sell(park.on(5)[1], 48)  # a pass takes a place on every date: 2 left

    body = _page(buyer, park, f"?slot={slot.pk}").content.decode()
    assert f'name="qty-{pass_ticket.pk}-pass"' in body
    assert "2 left" in body

    answer = buyer.post(f"/events/{park.event.pk}/?slot={slot.pk}", {f"qty-{pass_ticket.pk}-pass": "1"})
    assert answer.status_code == 302


def test_reserving_without_a_timeslot_asks_for_tickets(buyer, park):
    answer = buyer.post(f"/events/{park.event.pk}/", {})

    assert answer.status_code == 400
    assert "Choose how many tickets you want." in answer.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "?date=2026-02-30",
        "?date=tomorrow",
        "?date=",
        "?date=2001-01-01",
        "?slot=ten",
        "?slot=",
        "?slot=-1",
        "?slot=99999999",
        "?slot=9999999999999999999999",
    ],
)
def test_bad_days_and_timeslots_are_not_found(buyer, park, query):
    assert _page(buyer, park, query).status_code == 404


def test_a_day_without_dates_is_not_found(buyer, park):
    assert _page(buyer, park, f"?date={park.first_day - dt.timedelta(days=1)}").status_code == 404


def test_another_events_or_organizers_timeslot_is_not_found(alpha, buyer, park):
    other_park = _park(alpha, slug="rival", host="rival.localhost", name="Rival park")
    with schema_context(ALPHA.schema_name):
        rival_slot = other_park.dates[0]

    assert _page(buyer, park, f"?slot={rival_slot.pk}").status_code == 404
    # and the rival's event is not on this organizer's host at all
    assert buyer.get(f"/events/{other_park.event.pk}/?slot={rival_slot.pk}").status_code == 404


def test_a_past_timeslot_is_not_found(buyer, park):
    with schema_context(ALPHA.schema_name):
        slot = park.dates[0]
        slot.start = slot.start.replace(year=2020)
        slot.end = slot.start + dt.timedelta(hours=1)
        slot.save()

    assert _page(buyer, park, f"?slot={slot.pk}").status_code == 404


def _queries(client, path):
    client.get(path)  # warm: sessions, routes, caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_calendar_reads_a_constant_number_of_queries_for_30_or_365_dates(alpha):
    small = _park(alpha, slug="small", host="small.localhost", days=30, times=("10:00",))
    large = _park(alpha, slug="large", host="large.localhost", days=365, times=("10:00",))
    counts = {}
    for park, host in ((small, "small.localhost"), (large, "large.localhost")):
        client = Client(HTTP_HOST=host)
        with schema_context(ALPHA.schema_name):
            slot = park.on(3)[0]
        counts[host] = [
            _queries(client, f"/events/{park.event.pk}/{query}")
            for query in ("", f"?date={park.first_day + dt.timedelta(days=3)}", f"?slot={slot.pk}")
        ]

    assert counts["small.localhost"] == counts["large.localhost"]


def test_the_calendar_in_french(buyer, park):
    buyer.cookies["django_language"] = "fr"

    body = buyer.get(
        f"/events/{park.event.pk}/?date={park.first_day}", HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()

    assert "Choisissez un jour" in body
    assert '<abbr title="lundi">lun</abbr>' in body
    assert "Disponible" in body
    assert "Horaires du" in body
    assert "Plus que 50 billets" in body
