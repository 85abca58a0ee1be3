"""Season passes (apps.sales.models.passes): bought like a ticket, bound to a holder, then
used to enter on every covered date (check-in) or to book a ticket for a chosen date (which
counts the date's capacity), within their validity and their maximum of uses."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.events import services as events
from apps.sales.exceptions import CheckInRefused, OrderRejected, PassRejected, SoldOut
from apps.sales.models import DateStock, Order, Pass, PassBooking, PassType, Ticket
from apps.sales.services.cart import order_checkout
from apps.sales.services.check_in import ticket_check_in
from apps.sales.services.orders import OrderLine, order_cancel, order_create, order_mark_paid, orders_expire
from apps.sales.services.pass_bookings import pass_book, pass_renew
from apps.sales.services.passes import pass_type_save
from apps.tenancy import services as tenancy
from tests.factories import (
    ADMIN,
    CONFIGURER,
    OTHER,
    SELLER,
    UserFactory,
    programme_build,
    role_matrix,
    twin_sequences,
)
from tests.lookups import lookups_cached  # noqa: F401 - the fixture
from tests.sales.helpers import payments_connect, shop_build
from tests.sales.passes_data import pass_bought, season_build
from tests.sales.roles import OUTSIDERS, client_for, client_of, expect
from tests.tenants import ALPHA, BETA


@pytest.fixture
def shop(in_alpha):
    return shop_build(capacity=3, days=3, slug="park")


def _scan(season_pass, event_date, **more):
    return ticket_check_in(
        code=season_pass.code,
        tickets=Ticket.objects.all(),
        event_date_id=event_date.pk,
        now=event_date.start + dt.timedelta(minutes=5),
        **more,
    )


def _book(season_pass, ticket_type, shop, customer=None):
    return pass_book(
        season_pass=Pass.objects.select_related("pass_type", "ticket__order").get(pk=season_pass.pk),
        ticket_type=ticket_type,
        distribution=shop.online,
        customer=customer,
        email="camille@example.com",
    )


# --- buying ----------------------------------------------------------------------------------


def test_a_paid_pass_ticket_issues_its_pass_to_the_buyer_once(shop):
    season = season_build(shop)
    customer = UserFactory(email="camille@example.com")

    season_pass = pass_bought(season, customer=customer)

    assert season_pass.holder_name == "Camille Martin"
    assert season_pass.customer == customer
    assert season_pass.code == season_pass.ticket.code
    assert season_pass.uses == 0


def _sold_at_the_box_office(shop, ticket_type):
    return order_create(
        distribution=shop.box_office,
        lines=[OrderLine(ticket_type=ticket_type, quantity=1)],
        email="camille@example.com",
        payment_method=Order.PaymentMethod.CASH,
    )


@pytest.mark.usefixtures("lookups_cached")
def test_a_ticket_type_made_a_pass_after_sales_issues_passes_from_then_on(shop):
    season = season_build(shop)
    ticket_type = events.ticket_type_create(
        event=season.event, event_date=season.ticket_type.event_date, name="Winter pass", price=Decimal(80)
    )
    _sold_at_the_box_office(shop, ticket_type)  # (the first sale locks the currency)
    order = _sold_at_the_box_office(shop, ticket_type)
    assert not Pass.objects.filter(ticket__order=order).exists()  # (which types sell a pass: cached)

    today = timezone.localdate()
    pass_type_save(
        organizer=shop.organizer,
        name="Winter pass 2027",
        ticket_type=ticket_type,
        mode=PassType.Mode.ENTRY,
        valid_from=today,
        valid_until=today + dt.timedelta(days=30),
        events=[shop.event],
        booking_price=Decimal(0),
        max_uses=None,
    )
    order = _sold_at_the_box_office(shop, ticket_type)

    assert Pass.objects.get(ticket__order=order).pass_type.name == "Winter pass 2027"


def test_an_online_pass_is_issued_when_its_order_is_paid_not_before(shop):
    season = season_build(shop)
    order = order_create(
        distribution=shop.online,
        lines=[OrderLine(ticket_type=season.ticket_type, quantity=2)],
        email="fan@example.com",
        buyer_name="Sam",
        payment_method=Order.PaymentMethod.STRIPE,
    )
    assert not Pass.objects.exists()

    order_mark_paid(order_id=order.pk)
    order_mark_paid(order_id=order.pk)  # a payment told twice

    assert Pass.objects.filter(ticket__order=order, holder_name="Sam").count() == 2


# --- entry mode ------------------------------------------------------------------------------


def test_an_entry_pass_enters_once_on_every_covered_date_and_the_gate_names_its_holder(shop):
    season_pass = pass_bought(season_build(shop))

    first = _scan(season_pass, shop.dates[0])
    second = _scan(season_pass, shop.dates[1])

    assert first.season_pass.holder_name == "Camille Martin"
    assert first.event_date == shop.dates[0]
    assert second.event_date == shop.dates[1]
    with pytest.raises(CheckInRefused) as again:
        _scan(season_pass, shop.dates[0])
    assert again.value.reason == "already"
    season_pass.refresh_from_db()
    assert season_pass.uses == 2


def test_an_entry_pass_is_refused_when_its_uses_run_out(shop):
    season_pass = pass_bought(season_build(shop, max_uses=1))
    _scan(season_pass, shop.dates[0])

    with pytest.raises(CheckInRefused) as refused:
        _scan(season_pass, shop.dates[1])

    assert refused.value.reason == "no_uses_left"
    assert str(refused.value) == "No uses left: this pass was used 1 times, its limit."
    assert season_pass.ticket.check_ins.count() == 1


def test_an_entry_pass_is_refused_outside_its_validity_and_for_events_it_does_not_cover(shop):
    season = season_build(shop, days=10)  # the shop's dates are 30 days away
    season_pass = pass_bought(season)

    with pytest.raises(CheckInRefused) as late:
        _scan(season_pass, shop.dates[0])
    assert late.value.reason == "not_covered"
    assert "the pass is valid from" in str(late.value)

    other = events.event_create(organizer=shop.organizer, location=shop.location, name="Other")
    other_date = events.event_date_create(
        event=other,
        start=timezone.now() + dt.timedelta(days=2),
        end=timezone.now() + dt.timedelta(days=2, hours=1),
    )
    with pytest.raises(CheckInRefused) as elsewhere:
        _scan(season_pass, other_date)
    assert elsewhere.value.reason == "wrong_date"


def test_a_cancelled_pass_no_longer_enters(shop):
    season_pass = pass_bought(season_build(shop))
    order_cancel(order_id=season_pass.ticket.order_id)

    with pytest.raises(CheckInRefused) as refused:
        _scan(season_pass, shop.dates[0])

    assert refused.value.reason == Ticket.Status.CANCELLED


def test_a_booking_pass_is_not_an_entry_ticket(shop):
    season_pass = pass_bought(season_build(shop, mode=PassType.Mode.BOOKING))

    with pytest.raises(CheckInRefused) as refused:
        _scan(season_pass, shop.dates[0])

    assert refused.value.reason == "booking_pass"


# --- booking mode ----------------------------------------------------------------------------


def test_a_free_booking_is_a_paid_ticket_for_the_date_counting_capacity_and_a_use(shop):
    season_pass = pass_bought(season_build(shop, mode=PassType.Mode.BOOKING, max_uses=2))

    booking = _book(season_pass, shop.day_ticket, shop)

    ticket = booking.ticket
    assert ticket.event_date == shop.dates[0]
    assert ticket.price == 0
    assert ticket.attendee_name == "Camille Martin"
    assert ticket.order.status == Order.Status.PAID
    assert DateStock.objects.get(event_date=shop.dates[0]).sold == 1
    season_pass.refresh_from_db()
    assert season_pass.uses == 1
    admitted = ticket_check_in(
        code=ticket.code, tickets=Ticket.objects.all(), now=shop.dates[0].start + dt.timedelta(minutes=1)
    )
    assert admitted.ticket == ticket


def test_a_pass_books_a_date_once_and_no_more_than_its_uses(shop):
    season_pass = pass_bought(season_build(shop, mode=PassType.Mode.BOOKING, max_uses=2))
    _book(season_pass, shop.day_ticket, shop)

    with pytest.raises(PassRejected, match="already booked that date"):
        _book(season_pass, shop.day_ticket, shop)
    _book(season_pass, shop.date_ticket(1), shop)
    with pytest.raises(PassRejected, match="No uses left"):
        _book(season_pass, shop.date_ticket(2), shop)

    season_pass.refresh_from_db()
    assert season_pass.uses == 2
    assert PassBooking.objects.filter(season_pass=season_pass).count() == 2


def test_a_sold_out_date_books_nothing_and_uses_nothing(shop):
    season_pass = pass_bought(season_build(shop, mode=PassType.Mode.BOOKING))
    order_create(
        distribution=shop.box_office,
        lines=[OrderLine(ticket_type=shop.day_ticket, quantity=3)],
        email="crowd@example.com",
        payment_method=Order.PaymentMethod.CASH,
    )

    with pytest.raises(SoldOut):
        _book(season_pass, shop.day_ticket, shop)

    season_pass.refresh_from_db()
    assert season_pass.uses == 0
    assert not PassBooking.objects.exists()


def test_a_discounted_booking_awaits_payment_and_its_expiry_gives_the_use_back(shop):
    season_pass = pass_bought(season_build(shop, mode=PassType.Mode.BOOKING, booking_price=Decimal("4.50")))

    booking = _book(season_pass, shop.day_ticket, shop)

    order = booking.ticket.order
    assert order.status == Order.Status.PENDING
    assert order.subtotal == Decimal("4.50")
    orders_expire(now=order.expires_at + dt.timedelta(seconds=1))
    booking.refresh_from_db()
    season_pass.refresh_from_db()
    assert booking.status == PassBooking.Status.RELEASED
    assert season_pass.uses == 0
    _book(season_pass, shop.day_ticket, shop)  # the date may be booked again


def test_an_expired_booking_paid_late_books_its_date_again_once(shop):
    season_pass = pass_bought(
        season_build(shop, mode=PassType.Mode.BOOKING, max_uses=1, booking_price=Decimal("4.50"))
    )
    order = _book(season_pass, shop.day_ticket, shop).ticket.order
    orders_expire(now=order.expires_at + dt.timedelta(seconds=1))

    order_mark_paid(order_id=order.pk)  # the payment arrives after the expiry

    season_pass.refresh_from_db()
    assert season_pass.uses == 1
    assert PassBooking.objects.get(ticket__order=order).status == PassBooking.Status.BOOKED
    with pytest.raises(PassRejected):  # the paid booking counts: no second one
        _book(season_pass, shop.date_ticket(1), shop)


def test_an_expired_booking_paid_late_after_its_pass_booked_again_is_sold_out(shop):
    season_pass = pass_bought(
        season_build(shop, mode=PassType.Mode.BOOKING, max_uses=1, booking_price=Decimal("4.50"))
    )
    order = _book(season_pass, shop.day_ticket, shop).ticket.order
    orders_expire(now=order.expires_at + dt.timedelta(seconds=1))
    _book(season_pass, shop.date_ticket(1), shop)  # its use, taken by another booking

    with pytest.raises(SoldOut):
        order_mark_paid(order_id=order.pk)

    season_pass.refresh_from_db()
    assert season_pass.uses == 1
    assert PassBooking.objects.get(ticket__order=order).status == PassBooking.Status.RELEASED


def test_a_cancelled_booking_gives_its_use_back(shop):
    season_pass = pass_bought(season_build(shop, mode=PassType.Mode.BOOKING, max_uses=1))
    booking = _book(season_pass, shop.day_ticket, shop)

    order_cancel(order_id=booking.ticket.order_id)

    season_pass.refresh_from_db()
    assert season_pass.uses == 0
    _book(season_pass, shop.date_ticket(1), shop)


def test_a_pass_books_only_dates_it_covers_within_its_validity(shop):
    season_pass = pass_bought(season_build(shop, mode=PassType.Mode.BOOKING, days=10))

    with pytest.raises(PassRejected, match="the pass is valid from"):
        _book(season_pass, shop.day_ticket, shop)
    entry = pass_bought(season_build(shop, mode=PassType.Mode.ENTRY), email="e@example.com")
    with pytest.raises(PassRejected, match="no booking is needed"):
        _book(entry, shop.day_ticket, shop)


# --- the customer's account ------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_the_holder_sees_the_pass_its_uses_and_books_a_date_from_the_account(shop):
    customer = UserFactory(email="camille@example.com")
    season_pass = pass_bought(season_build(shop, mode=PassType.Mode.BOOKING, max_uses=3), customer=customer)
    events.ticket_type_create(  # only with an access code: not offered
        event=shop.event, event_date=shop.dates[1], name="Secret", price=Decimal("1.00"), hidden=True
    )
    client = client_of(customer)

    listing = client.get("/account/passes/")
    page = client.get(f"/account/passes/{season_pass.pk}/")

    assert "Season pass 2027" in listing.content.decode()
    body = page.content.decode()
    assert "0 so far, 3 left" in body
    assert "Show · " in body
    assert "Standard" in body
    assert "Secret" not in body
    booked = client.post(
        f"/account/passes/{season_pass.pk}/", {"action": "book", "ticket_type": shop.day_ticket.pk}
    )
    assert booked.status_code == 302
    after = client.get(f"/account/passes/{season_pass.pk}/").content.decode()
    assert "1 so far, 2 left" in after
    assert "Dates booked" in after
    assert "Paid" in after
    again = client.post(
        f"/account/passes/{season_pass.pk}/", {"action": "book", "ticket_type": shop.day_ticket.pk}
    )
    assert again.status_code == 400  # that date is no longer offered
    assert PassBooking.objects.count() == 1


def test_another_customer_never_sees_the_pass(shop):
    season_pass = pass_bought(season_build(shop), customer=UserFactory(email="camille@example.com"))
    stranger = client_of(UserFactory(email="stranger@example.com"))

    assert stranger.get(f"/account/passes/{season_pass.pk}/").status_code == 404
    assert "Season pass" not in stranger.get("/account/passes/").content.decode()
    assert Client(HTTP_HOST=ALPHA.host).get("/account/passes/").status_code == 302


def test_the_holder_names_the_pass_and_gives_a_photo_shown_at_the_gate(shop, world):
    customer = UserFactory(email="camille@example.com")
    season_pass = pass_bought(season_build(shop), customer=customer)
    client = client_of(customer)

    bad = client.post(
        f"/account/passes/{season_pass.pk}/",
        {"action": "holder", "holder_name": "Camille M.", "photo": SimpleUploadedFile("x.png", b"GIF89a")},
    )
    assert bad.status_code == 400
    assert "Upload a JPEG or PNG photo." in bad.content.decode()
    saved = client.post(
        f"/account/passes/{season_pass.pk}/",
        {"action": "holder", "holder_name": "Camille M.", "photo": SimpleUploadedFile("me.png", PNG)},
    )
    assert saved.status_code == 302
    season_pass.refresh_from_db()
    assert season_pass.holder_name == "Camille M."
    assert season_pass.photo.name.startswith(f"{ALPHA.schema_name}/passes/")
    assert client.get(f"/account/passes/{season_pass.pk}/photo/").getvalue() == PNG

    gate = client_of(world.team.admin).post(
        "/control/check-in/",
        {"code": season_pass.code, "event_date": shop.dates[0].pk, "admit_other_day": "on"},
    )
    body = gate.content.decode()
    assert gate.status_code == 200, body
    assert "Pass holder: Camille M." in body
    assert f"/control/passes/holders/{season_pass.pk}/photo/" in body
    photo = client_of(world.team.admin).get(f"/control/passes/holders/{season_pass.pk}/photo/")
    assert photo.getvalue() == PNG
    assert (
        client_of(world.team.seller).get(f"/control/passes/holders/{season_pass.pk}/photo/").status_code
        == 404
    )


# --- the control panel, per role, with twin organizations ------------------------------------


@pytest.fixture
def pass_types(world):
    """A's pass type (sold as the concert's day-1 ticket, covering the concert) in alpha and
    its twin in beta with the same id, named BETA."""
    twin_sequences(ALPHA.schema_name, BETA.schema_name, tables=("sales_passtype",))
    made = {}
    for schema_name, team in ((ALPHA.schema_name, world.team), (BETA.schema_name, world.beta_twin())):
        with schema_context(schema_name):
            programme = programme_build(team)
            made[schema_name] = pass_type_save(
                organizer=team.a,
                name=f"{team.marker}-A Season",
                ticket_type=programme.day1_ticket,
                mode=PassType.Mode.ENTRY,
                valid_from=dt.date(2027, 1, 1),
                valid_until=dt.date(2027, 12, 31),
                events=[programme.concert],
            )
            made[f"{schema_name}-programme"] = programme
    assert made[ALPHA.schema_name].pk == made[BETA.schema_name].pk
    return made


LIST = {ADMIN: 200, CONFIGURER: 200, SELLER: 403, OTHER: 200, **OUTSIDERS}


@role_matrix(LIST)
def test_the_pass_types_page(world, pass_types, role, expected):
    response = client_for(world, role).get("/control/passes/")

    expect(response, expected)
    body = response.content.decode()
    assert "BETA" not in body
    assert ("ALPHA-A Season" in body) == (role in (ADMIN, CONFIGURER))


EDIT = {ADMIN: 200, CONFIGURER: 200, SELLER: 403, OTHER: 404, **OUTSIDERS}


@role_matrix(EDIT)
def test_a_pass_type_and_its_passes_open_for_its_organizers_configurers_only(
    world, pass_types, role, expected
):
    pk = pass_types[ALPHA.schema_name].pk
    for url in (f"/control/passes/{pk}/edit/", f"/control/passes/{pk}/"):
        response = client_for(world, role).get(url)
        expect(response, expected)
        assert "BETA" not in response.content.decode()


CREATE_FOR_A = {ADMIN: 302, CONFIGURER: 302, SELLER: 403, OTHER: 400, **OUTSIDERS}


@role_matrix(CREATE_FOR_A)
def test_creating_a_pass_type_for_organizer_a(world, pass_types, role, expected):
    programme = pass_types[f"{ALPHA.schema_name}-programme"]
    response = client_for(world, role).post(
        "/control/passes/new/",
        {
            "organizer": world.team.a.pk,
            "name": "Members 2027",
            "ticket_type": programme.concert_pass.pk,
            "mode": "booking",
            "valid_from": "2027-01-01",
            "valid_until": "2027-06-30",
            "events": [programme.concert.pk],
            "booking_price": "2.50",
            "max_uses": "10",
        },
    )

    expect(response, expected)
    with schema_context(ALPHA.schema_name):
        made = PassType.objects.filter(name="Members 2027").first()
        assert (made is not None) == (expected == 302)
        if made:
            assert made.booking_price == Decimal("2.50")
            assert made.max_uses == 10
            assert list(made.events.all()) == [programme.concert]
    with schema_context(BETA.schema_name):
        assert not PassType.objects.filter(name="Members 2027").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"valid_until": "2026-12-31"}, "The last day cannot be before the first."),
        ({"valid_from": "31/02/2027"}, "Enter a valid date."),
        ({"booking_price": "-1"}, "Ensure this value is greater than or equal to 0."),
        ({"booking_price": "1.234"}, "Enter an amount in EUR."),
        ({"events": []}, "This field is required."),
        ({"holders_from": "2027-01-01T10:00"}, "Choose the pass type whose holders may buy first."),
    ],
)
def test_bad_input_is_a_form_error_not_a_500(world, pass_types, data, message):
    programme = pass_types[f"{ALPHA.schema_name}-programme"]
    form = {
        "organizer": world.team.a.pk,
        "name": "Bad",
        "ticket_type": programme.concert_pass.pk,
        "mode": "entry",
        "valid_from": "2027-01-01",
        "valid_until": "2027-06-30",
        "events": [programme.concert.pk],
        "booking_price": "0",
        **data,
    }
    response = client_for(world, ADMIN).post("/control/passes/new/", form)

    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_ticket_type_selling_a_pass_type_sells_no_second_one(world, pass_types):
    programme = pass_types[f"{ALPHA.schema_name}-programme"]
    response = client_for(world, ADMIN).post(
        "/control/passes/new/",
        {
            "organizer": world.team.a.pk,
            "name": "Twice",
            "ticket_type": programme.day1_ticket.pk,
            "mode": "entry",
            "valid_from": "2027-01-01",
            "valid_until": "2027-06-30",
            "events": [programme.concert.pk],
            "booking_price": "0",
        },
    )

    assert response.status_code == 400
    assert "This ticket type already sells another pass type." in response.content.decode()


def test_a_pass_type_with_passes_sold_is_not_deleted(world, pass_types):
    pass_type = pass_types[ALPHA.schema_name]
    programme = pass_types[f"{ALPHA.schema_name}-programme"]
    with schema_context(ALPHA.schema_name):
        events.event_publish(event=programme.concert)
        order_create(
            distribution=world.team.a_box,
            lines=[OrderLine(ticket_type=programme.day1_ticket, quantity=1)],
            email="fan@example.com",
            buyer_name="Fan ALPHA",
            payment_method=Order.PaymentMethod.CASH,
        )
    admin = client_for(world, ADMIN)

    refused = admin.post(f"/control/passes/{pass_type.pk}/delete/", follow=True)
    listed = admin.get(f"/control/passes/{pass_type.pk}/")

    assert "Passes of this type were sold: it cannot be deleted." in refused.content.decode()
    assert "Fan ALPHA" in listed.content.decode()
    with schema_context(ALPHA.schema_name):
        assert PassType.objects.filter(pk=pass_type.pk).exists()


def test_the_navigation_links_the_passes_page_for_configurers(world):
    admin = client_for(world, ADMIN).get("/control/check-in/").content.decode()
    seller = client_for(world, SELLER).get("/control/check-in/").content.decode()

    assert 'href="/control/passes/"' in admin
    assert 'href="/control/passes/"' not in seller


# --- the API ---------------------------------------------------------------------------------

API_LIST = {ADMIN: True, CONFIGURER: True, SELLER: False, OTHER: False}


def test_ids_not_numbers_in_the_api_and_the_vouchers_form_list_nothing_never_a_500(world, pass_types):
    admin = world.client(ADMIN)
    for url, param, junk in (
        ("/api/v1/passes/", "pass_type", "²"),
        ("/api/v1/vouchers/", "organizer", "²"),
        ("/api/v1/passes/", "code", "A\x00B"),
        ("/api/v1/vouchers/", "code", "A\x00B"),
        ("/api/v1/vouchers/", "tag", "A\x00B"),
    ):
        response = admin.get(url, {param: junk})
        assert (response.status_code, response.json()["results"]) == (200, []), (url, param)
    response = client_for(world, ADMIN).get("/control/vouchers/new/", {"organizer": "²"})
    assert response.status_code == 200


@pytest.mark.parametrize(("role", "sees"), list(API_LIST.items()))
def test_the_api_lists_pass_types_to_their_organizers_configurers(world, pass_types, role, sees):
    response = world.client(role).get("/api/v1/pass-types/")

    assert response.status_code == 200
    names = [row["name"] for row in response.json()["results"]]
    assert names == (["ALPHA-A Season"] if sees else [])
    if sees:
        row = response.json()["results"][0]
        assert row["valid_from"] == "2027-01-01"
        assert row["events"] == [pass_types[f"{ALPHA.schema_name}-programme"].concert.pk]
        assert row["mode"] == "entry"


def test_the_api_reads_a_pass_and_books_a_date_for_its_holder(world, shop):
    season_pass = pass_bought(season_build(shop, mode=PassType.Mode.BOOKING, max_uses=1))
    admin = world.client(ADMIN)

    found = admin.get("/api/v1/passes/", {"code": season_pass.code}).json()["results"]
    booked = admin.post(
        f"/api/v1/passes/{season_pass.pk}/book/", {"ticket_type": shop.day_ticket.pk}, format="json"
    )
    again = admin.post(
        f"/api/v1/passes/{season_pass.pk}/book/", {"ticket_type": shop.date_ticket(1).pk}, format="json"
    )
    wrong = admin.post(f"/api/v1/passes/{season_pass.pk}/book/", {"ticket_type": 999999}, format="json")
    after = admin.get(f"/api/v1/passes/{season_pass.pk}/").json()

    assert [row["holder_name"] for row in found] == ["Camille Martin"]
    assert found[0]["uses_left"] == 1
    assert found[0]["valid"] is True
    assert booked.status_code == 201, booked.content
    assert booked.json()["event_date"] == shop.dates[0].pk
    assert again.status_code == 409
    assert again.json()["detail"] == "No uses left: this pass was used 1 times, its limit."
    assert wrong.status_code == 400
    assert "ticket_type" in wrong.json()
    assert after["uses"] == 1
    assert [b["event_date"] for b in after["bookings"]] == [shop.dates[0].pk]
    assert world.client(SELLER).get(f"/api/v1/passes/{season_pass.pk}/").status_code == 404


def test_the_api_check_in_names_the_pass_holder(world, shop):
    season_pass = pass_bought(season_build(shop))

    response = world.client(ADMIN).post(
        "/api/v1/check-ins/",
        {"code": season_pass.code, "event_date": shop.dates[0].pk, "admit_other_day": True},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["pass_holder"] == "Camille Martin"


# --- renewal: next season's pass offered to holders first ------------------------------------


def _next_season(season, *, holders_from, sale_start):
    shop = season.shop
    ticket_type = events.ticket_type_create(
        event=season.event,
        event_date=season.ticket_type.event_date,
        name="Season pass 2028",
        price=Decimal("130.00"),
        sale_start=sale_start,
    )
    today = timezone.localdate()
    return pass_type_save(
        organizer=shop.organizer,
        name="Season pass 2028",
        ticket_type=ticket_type,
        mode=PassType.Mode.ENTRY,
        valid_from=today + dt.timedelta(days=365),
        valid_until=today + dt.timedelta(days=730),
        events=[shop.event],
        renewal_of=season.pass_type,
        holders_from=holders_from,
    )


def _renew(season_pass, renewal, shop, **more):
    return pass_renew(
        season_pass=Pass.objects.select_related("pass_type", "ticket__order").get(pk=season_pass.pk),
        renewal=renewal,
        distribution=shop.online,
        customer=None,
        **more,
    )


def test_holders_renew_before_everyone_once_and_the_renewal_goes_to_the_same_holder(shop):
    season = season_build(shop)
    now = timezone.now()
    renewal = _next_season(
        season, holders_from=now - dt.timedelta(hours=1), sale_start=now + dt.timedelta(days=7)
    )
    season_pass = pass_bought(season)

    with pytest.raises(OrderRejected, match="is not on sale now"):  # everyone else: not yet
        order_create(
            distribution=shop.online,
            lines=[OrderLine(ticket_type=renewal.ticket_type, quantity=1)],
            email="early@example.com",
            payment_method=Order.PaymentMethod.STRIPE,
        )
    cart = _renew(season_pass, renewal, shop)
    with pytest.raises(PassRejected, match="renewed already"):
        _renew(season_pass, renewal, shop)

    assert cart.status == Order.Status.PENDING
    order_checkout(order_id=cart.pk, email="camille@example.com")
    order_mark_paid(order_id=cart.pk)
    renewed = Pass.objects.get(ticket__order=cart)
    assert renewed.pass_type == renewal
    assert renewed.holder_name == "Camille Martin"


def test_a_renewal_opens_at_its_holders_window_and_an_expired_cart_frees_it(shop):
    season = season_build(shop)
    now = timezone.now()
    renewal = _next_season(
        season, holders_from=now + dt.timedelta(days=1), sale_start=now + dt.timedelta(days=7)
    )
    season_pass = pass_bought(season)

    with pytest.raises(PassRejected, match="cannot be renewed"):
        _renew(season_pass, renewal, shop)
    cart = _renew(season_pass, renewal, shop, now=now + dt.timedelta(days=1, seconds=1))
    orders_expire(now=cart.expires_at + dt.timedelta(seconds=1))

    again = _renew(season_pass, renewal, shop, now=now + dt.timedelta(days=1, seconds=2))

    season_pass.refresh_from_db()
    assert season_pass.renewed_with.order == again
    assert Order.objects.get(pk=cart.pk).status == Order.Status.CANCELLED  # never paid late now


def test_an_expired_renewal_paid_late_is_refused_once_the_pass_renewed_again(shop):
    season = season_build(shop)
    now = timezone.now()
    renewal = _next_season(
        season, holders_from=now - dt.timedelta(hours=1), sale_start=now + dt.timedelta(days=7)
    )
    season_pass = pass_bought(season)
    first = _renew(season_pass, renewal, shop)
    orders_expire(now=first.expires_at + dt.timedelta(seconds=1))
    second = _renew(season_pass, renewal, shop)

    with pytest.raises(OrderRejected):
        order_mark_paid(order_id=first.pk)  # (the payment's handler refunds it)
    order_mark_paid(order_id=second.pk)

    assert Pass.objects.filter(pass_type=renewal).count() == 1


def test_an_expired_renewal_paid_late_is_still_the_renewal_when_the_pass_did_not_renew_again(shop):
    season = season_build(shop)
    now = timezone.now()
    renewal = _next_season(
        season, holders_from=now - dt.timedelta(hours=1), sale_start=now + dt.timedelta(days=7)
    )
    season_pass = pass_bought(season)
    cart = _renew(season_pass, renewal, shop)
    orders_expire(now=cart.expires_at + dt.timedelta(seconds=1))

    order_mark_paid(order_id=cart.pk)

    season_pass.refresh_from_db()
    assert season_pass.renewed_with.order_id == cart.pk
    with pytest.raises(PassRejected, match="renewed already"):
        _renew(season_pass, renewal, shop)


def test_a_pass_of_another_type_does_not_renew(shop):
    season = season_build(shop)
    now = timezone.now()
    renewal = _next_season(
        season, holders_from=now - dt.timedelta(hours=1), sale_start=now + dt.timedelta(days=7)
    )
    other = season_build(shop)
    stranger = pass_bought(other, email="other@example.com")

    with pytest.raises(PassRejected, match="cannot be renewed"):
        _renew(stranger, renewal, shop)


RENEW_HOST = "park.localhost"


def test_holders_renew_from_their_account_or_with_their_pass_code_in_the_shop(shop, alpha):
    tenancy.domain_add(organization=alpha, domain=RENEW_HOST, organizer_slug="park")
    payments_connect(shop.organizer)
    season = season_build(shop)
    now = timezone.now()
    renewal = _next_season(
        season, holders_from=now - dt.timedelta(hours=1), sale_start=now + dt.timedelta(days=7)
    )
    customer = UserFactory(email="camille@example.com")
    mine = pass_bought(season, customer=customer)
    theirs = pass_bought(season, email="guest@example.com", buyer="Guest Holder")
    client = Client(HTTP_HOST=RENEW_HOST)
    client.force_login(customer)

    page = client.get(f"/account/passes/{mine.pk}/").content.decode()
    renewed = client.post(f"/account/passes/{mine.pk}/", {"action": "renew", "renewal": renewal.pk})
    guest = Client(HTTP_HOST=RENEW_HOST)
    unknown = guest.post("/passes/renew/", {"code": "not-a-pass"})
    by_code = guest.post("/passes/renew/", {"code": theirs.code})

    assert "Renew with “Season pass 2028”" in page
    assert renewed.status_code == 302
    assert renewed["Location"] == "/cart/"
    assert "Season pass 2028" in client.get("/cart/").content.decode()
    assert unknown.status_code == 400
    assert "No renewal is open to this pass code now." in unknown.content.decode()
    assert by_code.status_code == 302
    assert "Season pass 2028" in guest.get("/cart/").content.decode()
    assert Pass.objects.filter(renewed_with__isnull=False).count() == 2


def test_each_valid_holder_gets_one_access_code_to_the_renewal_once(shop, world):
    season = season_build(shop)
    now = timezone.now()
    renewal = _next_season(season, holders_from=now + dt.timedelta(days=1), sale_start=None)
    customer = UserFactory(email="camille@example.com")
    mine = pass_bought(season, customer=customer)
    other = pass_bought(season, email="sam@example.com", buyer="Sam")
    cancelled = pass_bought(season, email="gone@example.com")
    order_cancel(order_id=cancelled.ticket.order_id)
    url = f"/control/passes/{renewal.pk}/renewal-codes/"

    assert client_of(world.team.seller).post(url).status_code == 403
    made = client_of(world.team.admin).post(url, follow=True)
    again = client_of(world.team.admin).post(url, follow=True)

    assert "2 holders got an access code to “Season pass 2028”." in made.content.decode()
    assert "0 holders got an access code" in again.content.decode()
    codes = {p.pk: p.renewal_voucher for p in Pass.objects.select_related("renewal_voucher")}
    assert codes[cancelled.pk] is None
    assert codes[mine.pk].code != codes[other.pk].code
    voucher = codes[mine.pk]
    assert voucher.max_uses == 1
    assert voucher.unlocks_hidden
    assert voucher.valid_from == renewal.holders_from
    assert list(voucher.ticket_types.all()) == [renewal.ticket_type]
    page = client_of(customer).get(f"/account/passes/{mine.pk}/").content.decode()
    assert voucher.code in page
    assert (
        client_of(world.team.admin)
        .post(f"/control/passes/{season.pass_type.pk}/renewal-codes/", follow=True)
        .content.decode()
        .count("renews no other")
        == 1
    )
