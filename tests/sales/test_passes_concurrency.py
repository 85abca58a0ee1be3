"""Season passes under concurrency (apps.sales.services.passes / pass_bookings): a pass's
uses are one conditional UPDATE of its row, a date is booked once per pass (a partial unique
index), and a booking takes the date's capacity through apps.sales.inventory.

Ten bookings of one pass at once (ten dates, a maximum of 3 uses) let exactly 3 through;
ten bookings of one pass for one date, exactly 1; ten passes for a date's last 3 seats,
exactly 3, the others keeping their uses; ten gates scanning one entry pass on ten dates
with a maximum of 3 uses, exactly 3 admissions; ten renewals of one pass at once, one."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.events import services as events
from apps.sales.exceptions import CheckInRefused, PassRejected, SoldOut
from apps.sales.models import CheckIn, DateStock, Pass, PassBooking, PassType, Ticket
from apps.sales.services.check_in import ticket_check_in
from apps.sales.services.pass_bookings import pass_book, pass_renew
from apps.sales.services.passes import pass_type_save
from tests.sales.helpers import shop_build
from tests.sales.passes_data import pass_bought, season_build
from tests.sales.races import race

THREADS = 10
MAX_USES = 3
REFUSALS = {PassRejected: "refused", SoldOut: "sold out", CheckInRefused: "refused"}


@pytest.fixture
def park(fresh_organization):
    organization = fresh_organization(name="Pass race", slug="sales-pass-race")
    with schema_context(organization.schema_name):
        shop = shop_build(capacity=100, days=THREADS)
    return organization, shop


def _book(season_pass_id, ticket_type, shop):
    pass_book(
        season_pass=Pass.objects.select_related("pass_type", "ticket__order").get(pk=season_pass_id),
        ticket_type=ticket_type,
        distribution=shop.online,
        customer=None,
        email="holder@example.com",
    )


def _valid_booked_tickets(**where):
    return Ticket.objects.filter(
        pass_booking__status=PassBooking.Status.BOOKED, status="valid", **where
    ).count()


def test_ten_bookings_of_one_pass_at_once_never_pass_its_maximum_of_uses(park):
    organization, shop = park
    with schema_context(organization.schema_name):
        season = season_build(shop, mode=PassType.Mode.BOOKING, max_uses=MAX_USES)
        season_pass = pass_bought(season)
        tickets = [shop.day_ticket] + [shop.date_ticket(i) for i in range(1, THREADS)]

    outcomes = race(organization, lambda i: _book(season_pass.pk, tickets[i], shop), THREADS, REFUSALS)

    assert outcomes.count("ok") == MAX_USES, outcomes
    assert outcomes.count("refused") == THREADS - MAX_USES, outcomes
    with schema_context(organization.schema_name):
        season_pass.refresh_from_db()
        assert season_pass.uses == MAX_USES
        assert _valid_booked_tickets() == MAX_USES
        assert sum(stock.sold for stock in DateStock.objects.filter(event_date__in=shop.dates)) == MAX_USES


def test_ten_bookings_of_one_date_by_one_pass_at_once_book_it_once(park):
    organization, shop = park
    with schema_context(organization.schema_name):
        season_pass = pass_bought(season_build(shop, mode=PassType.Mode.BOOKING))

    outcomes = race(organization, lambda i: _book(season_pass.pk, shop.day_ticket, shop), THREADS, REFUSALS)

    assert outcomes.count("ok") == 1, outcomes
    assert outcomes.count("refused") == THREADS - 1, outcomes
    with schema_context(organization.schema_name):
        season_pass.refresh_from_db()
        assert season_pass.uses == 1
        assert PassBooking.objects.filter(season_pass=season_pass).count() == 1
        assert DateStock.objects.get(event_date=shop.dates[0]).sold == 1


def test_ten_passes_for_the_last_three_seats_book_three_and_the_others_keep_their_uses(park):
    organization, shop = park
    with schema_context(organization.schema_name):
        events.event_date_update(event_date=shop.dates[0], capacity=MAX_USES)
        season = season_build(shop, mode=PassType.Mode.BOOKING, max_uses=5, booking_price=Decimal(0))
        passes = [pass_bought(season, email=f"holder{i}@example.com").pk for i in range(THREADS)]

    outcomes = race(organization, lambda i: _book(passes[i], shop.day_ticket, shop), THREADS, REFUSALS)

    assert outcomes.count("ok") == MAX_USES, outcomes
    assert outcomes.count("sold out") == THREADS - MAX_USES, outcomes
    with schema_context(organization.schema_name):
        stock = DateStock.objects.get(event_date=shop.dates[0])
        assert stock.sold + stock.held == MAX_USES
        assert (
            sorted(Pass.objects.filter(pk__in=passes).values_list("uses", flat=True))
            == [0] * (THREADS - MAX_USES) + [1] * MAX_USES
        )
        assert PassBooking.objects.count() == MAX_USES


def test_ten_gates_scanning_one_entry_pass_on_ten_dates_admit_it_up_to_its_maximum(park):
    organization, shop = park
    with schema_context(organization.schema_name):
        season_pass = pass_bought(season_build(shop, mode=PassType.Mode.ENTRY, max_uses=MAX_USES))

    def scan(i):
        event_date = shop.dates[i]
        ticket_check_in(
            code=season_pass.code,
            tickets=Ticket.objects.all(),
            event_date_id=event_date.pk,
            now=event_date.start + dt.timedelta(minutes=1),
        )

    outcomes = race(organization, scan, THREADS, REFUSALS)

    assert outcomes.count("ok") == MAX_USES, outcomes
    assert outcomes.count("refused") == THREADS - MAX_USES, outcomes
    with schema_context(organization.schema_name):
        season_pass.refresh_from_db()
        assert season_pass.uses == MAX_USES
        assert CheckIn.objects.filter(ticket=season_pass.ticket).count() == MAX_USES


def test_ten_renewals_of_one_pass_at_once_renew_it_once(park):
    organization, shop = park
    with schema_context(organization.schema_name):
        season = season_build(shop)
        now = timezone.now()
        ticket_type = events.ticket_type_create(
            event=season.event,
            event_date=season.ticket_type.event_date,
            name="Next season",
            price=Decimal("130.00"),
            sale_start=now + dt.timedelta(days=7),
        )
        renewal = pass_type_save(
            organizer=shop.organizer,
            name="Next season",
            ticket_type=ticket_type,
            mode=PassType.Mode.ENTRY,
            valid_from=season.pass_type.valid_until,
            valid_until=season.pass_type.valid_until + dt.timedelta(days=365),
            events=[shop.event],
            renewal_of=season.pass_type,
            holders_from=now - dt.timedelta(hours=1),
        )
        season_pass = pass_bought(season)

    def renew(i):
        pass_renew(
            season_pass=Pass.objects.select_related("pass_type", "ticket__order").get(pk=season_pass.pk),
            renewal=renewal,
            distribution=shop.online,
            customer=None,
        )

    outcomes = race(organization, renew, THREADS, REFUSALS)

    assert outcomes.count("ok") == 1, outcomes
    assert outcomes.count("refused") == THREADS - 1, outcomes
    with schema_context(organization.schema_name):
        assert Ticket.objects.filter(ticket_type=ticket_type).count() == 1
        assert Pass.objects.get(pk=season_pass.pk).renewed_with.ticket_type == ticket_type
