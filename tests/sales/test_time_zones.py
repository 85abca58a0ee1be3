"""A London and an Amsterdam theatre side by side: one 19:30 show is 19:30 in its own zone,
labelled, on every page, e-mail, PDF and API answer; check-in admits a ticket on its own day
in that zone only, unless the gate admits it anyway (audited)."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.core.models import AuditLogEntry
from apps.events import services as events
from apps.events.models import EventDate
from apps.organizers.models import Distribution
from apps.organizers.services import organizer_create
from apps.sales.exceptions import CheckInRefused
from apps.sales.models import CheckIn, Order, Ticket
from apps.sales.services.check_in import ticket_check_in
from apps.sales.services.confirmations import order_confirmation_send
from apps.sales.services.orders import OrderLine, order_create
from apps.sales.tickets import tickets_pdf
from apps.tenancy import services as tenancy
from tests.factories import OperatorFactory, api_client, api_token, clients_open
from tests.pdfs import pdf_text
from tests.sales.helpers import payments_connect
from tests.tenants import ALPHA

UTC = dt.UTC
# 19:30 on Sunday 22 December 2030: 19:30 UTC in London (GMT), 18:30 UTC in Amsterdam (CET).
LONDON_SHOW = dt.datetime(2030, 12, 22, 19, 30, tzinfo=UTC)
AMSTERDAM_SHOW = dt.datetime(2030, 12, 22, 18, 30, tzinfo=UTC)
LONDON_LABEL = "Sunday 22 December 2030, 19:30 (Europe/London)"
AMSTERDAM_LABEL = "Sunday 22 December 2030, 19:30 (Europe/Amsterdam)"


def _theatre(*, slug, country, currency, name, start):
    organizer = organizer_create(name=f"{name} theatre", slug=slug, country=country, currency=currency)
    online = organizer.distributions.get(kind=Distribution.Kind.ONLINE_SHOP)
    box = organizer.distributions.get(kind=Distribution.Kind.BOX_OFFICE)
    stage = events.location_create(
        organizer=organizer, name="Stage", address="1 Street", city=name, country=country
    )
    event = events.event_create(organizer=organizer, location=stage, name=name, distributions=[online, box])
    show = events.event_date_create(event=event, start=start, end=start + dt.timedelta(hours=2, minutes=30))
    ticket_type = events.ticket_type_create(
        event=event, event_date=show, name="Stalls", price=Decimal("12.00")
    )
    events.event_publish(event=event)
    return SimpleNamespace(
        organizer=organizer, online=online, box=box, event=event, show=show, type=ticket_type
    )


@pytest.fixture
def theatres(alpha):
    with schema_context(ALPHA.schema_name):
        london = _theatre(slug="london", country="GB", currency="GBP", name="Hamlet", start=LONDON_SHOW)
        amsterdam = _theatre(
            slug="amsterdam", country="NL", currency="EUR", name="Gijsbrecht", start=AMSTERDAM_SHOW
        )
        clients_open(london.organizer, amsterdam.organizer, organization=alpha)
        payments_connect(london.organizer)
        payments_connect(amsterdam.organizer)
        admin = OperatorFactory(email="admin@example.com", is_admin=True)
        token = api_token(admin)
    tenancy.domain_add(organization=alpha, domain="london.localhost", organizer_slug="london")
    tenancy.domain_add(organization=alpha, domain="amsterdam.localhost", organizer_slug="amsterdam")
    return SimpleNamespace(london=london, amsterdam=amsterdam, admin=admin, token=token)


def _sell(theatre, *, event_date=None, ticket_type=None):
    order = order_create(
        distribution=theatre.box,
        lines=[OrderLine(ticket_type=ticket_type or theatre.type, quantity=1, event_date=event_date)],
        email="buyer@example.com",
        buyer_name="Ann Buyer",
        payment_method=Order.PaymentMethod.CASH,
    )
    return order, order.tickets.get()


def _control(theatres):
    client = Client(HTTP_HOST=ALPHA.host)
    with schema_context(ALPHA.schema_name):
        client.force_login(theatres.admin)
    return client


# --- the shop ------------------------------------------------------------------------------


def test_the_storefront_and_event_page_show_the_show_in_its_own_zone(theatres):
    london, amsterdam = Client(HTTP_HOST="london.localhost"), Client(HTTP_HOST="amsterdam.localhost")

    london_home = london.get("/").content.decode()
    london_page = london.get(f"/events/{theatres.london.event.pk}/").content.decode()
    amsterdam_page = amsterdam.get(f"/events/{theatres.amsterdam.event.pk}/").content.decode()

    assert LONDON_LABEL in london_home
    assert LONDON_LABEL in london_page
    assert 'datetime="2030-12-22T19:30:00+00:00"' in london_page
    assert "20:30" not in london_page  # the old fixed Amsterdam clock
    assert AMSTERDAM_LABEL in amsterdam_page
    assert 'datetime="2030-12-22T19:30:00+01:00"' in amsterdam_page


def test_the_cart_and_the_order_page_show_the_shows_time(theatres):
    buyer = Client(HTTP_HOST="london.localhost")
    london = theatres.london

    buyer.post(f"/events/{london.event.pk}/", {f"qty-{london.type.pk}-{london.show.pk}": "1"})
    cart = buyer.get("/cart/").content.decode()
    with schema_context(ALPHA.schema_name):
        order, _ticket = _sell(london)
    order_page = buyer.get(f"/orders/{order.code}/{order.secret}/").content.decode()

    assert "22 December 2030, 19:30 (Europe/London)" in cart
    assert "(Europe/London)." in cart  # "Reserved for you until …", in the organizer's zone
    assert LONDON_LABEL in order_page


def test_the_confirmation_e_mail_and_the_pdf_show_the_shows_time(theatres):
    with schema_context(ALPHA.schema_name):
        london_order, _t = _sell(theatres.london)
        amsterdam_order, _t = _sell(theatres.amsterdam)
        order_confirmation_send(order_id=london_order.pk)
        london_pdf = " ".join(pdf_text(tickets_pdf(Order.objects.get(pk=london_order.pk))))
        amsterdam_pdf = " ".join(pdf_text(tickets_pdf(Order.objects.get(pk=amsterdam_order.pk))))

    (message,) = mail.outbox
    html = message.alternatives[0][0]
    assert LONDON_LABEL in message.body
    assert LONDON_LABEL in html
    assert "12.00 GBP" in message.body  # money through format_money, with the currency's decimals
    assert LONDON_LABEL in london_pdf
    assert AMSTERDAM_LABEL in amsterdam_pdf


# --- box office and the control panel --------------------------------------------------------


def test_the_box_office_and_the_control_panel_show_the_shows_time(theatres):
    client = _control(theatres)
    london, amsterdam = theatres.london, theatres.amsterdam

    sell_page = client.get(
        f"/control/box-office/events/{london.event.pk}/?distribution={london.box.pk}"
    ).content.decode()
    sold = client.post(
        f"/control/box-office/events/{london.event.pk}/",
        {
            f"qty-{london.type.pk}-{london.show.pk}": "1",
            "payment_method": "cash",
            "distribution": london.box.pk,
        },
    )
    receipt = client.get(sold["Location"]).content.decode()
    event_page = client.get(f"/control/events/{london.event.pk}/").content.decode()
    events_list = client.get("/control/events/").content.decode()

    assert LONDON_LABEL in sell_page
    assert "22 December 2030, 19:30 (Europe/London)" in receipt
    assert "Times in Europe/London." in event_page
    assert "Sun 22 Dec 2030, 19:30" in event_page
    assert "Sun 22 Dec 2030, 19:30 (Europe/London)" in events_list
    assert "Sun 22 Dec 2030, 19:30 (Europe/Amsterdam)" in events_list
    assert amsterdam.event.name in events_list


# --- the API ---------------------------------------------------------------------------------


def test_the_api_speaks_iso_8601_with_the_offset_of_the_events_zone(theatres):
    api = api_client(host=ALPHA.host, token=theatres.token)
    london, amsterdam = theatres.london, theatres.amsterdam

    london_dates = api.get("/api/v1/event-dates/", {"event": london.event.pk}).json()["results"]
    amsterdam_dates = api.get("/api/v1/event-dates/", {"event": amsterdam.event.pk}).json()["results"]
    naive = api.post(
        "/api/v1/event-dates/",
        {"event": london.event.pk, "start": "2030-12-23T19:30:00", "end": "2030-12-23T22:00:00"},
        format="json",
    )
    offset = api.post(
        "/api/v1/event-dates/",
        {"event": london.event.pk, "start": "2030-12-24T19:30:00+01:00", "end": "2030-12-24T22:00:00Z"},
        format="json",
    )
    event = api.get(f"/api/v1/events/{london.event.pk}/").json()

    assert london_dates[0]["start"] == "2030-12-22T19:30:00+00:00"
    assert london_dates[0]["time_zone"] == "Europe/London"
    assert amsterdam_dates[0]["start"] == "2030-12-22T19:30:00+01:00"
    assert naive.status_code == 201, naive.content
    assert naive.json()["start"] == "2030-12-23T19:30:00+00:00"  # read in London
    assert offset.status_code == 201, offset.content
    assert offset.json()["start"] == "2030-12-24T18:30:00+00:00"  # its offset kept, shown in London
    assert event["time_zone"] == "Europe/London"
    with schema_context(ALPHA.schema_name):
        assert EventDate.objects.get(pk=naive.json()["id"]).start == dt.datetime(
            2030, 12, 23, 19, 30, tzinfo=UTC
        )


# --- check-in: a ticket on its own day, in its event's zone ---------------------------------


def test_a_ticket_for_22_december_is_refused_on_2_december_and_admitted_on_the_day(theatres):
    with schema_context(ALPHA.schema_name):
        _order, ticket = _sell(theatres.london)
        tickets = Ticket.objects.all()

        with pytest.raises(CheckInRefused) as early:
            ticket_check_in(
                code=ticket.code, tickets=tickets, now=dt.datetime(2030, 12, 2, 19, 0, tzinfo=UTC)
            )
        admitted = ticket_check_in(
            code=ticket.code, tickets=tickets, now=dt.datetime(2030, 12, 22, 18, 45, tzinfo=UTC)
        )

    assert early.value.reason == "other_day"
    assert str(early.value) == "Not today: this ticket is for 22 December 2030."
    assert admitted.event_date == theatres.london.show
    assert not admitted.other_day


def test_the_day_is_the_events_own_not_utcs(theatres):
    # 23:30 UTC on 22 December: still the 22nd in London, already the 23rd in Amsterdam.
    late = dt.datetime(2030, 12, 22, 23, 30, tzinfo=UTC)
    with schema_context(ALPHA.schema_name):
        _o, london_ticket = _sell(theatres.london)
        _o, amsterdam_ticket = _sell(theatres.amsterdam)
        tickets = Ticket.objects.all()

        london = ticket_check_in(code=london_ticket.code, tickets=tickets, now=late)
        with pytest.raises(CheckInRefused) as amsterdam:
            ticket_check_in(code=amsterdam_ticket.code, tickets=tickets, now=late)

    assert london.event_date == theatres.london.show
    assert amsterdam.value.reason == "other_day"


def test_the_gate_page_refuses_another_days_ticket_and_may_admit_it_anyway(theatres):
    client = _control(theatres)
    with schema_context(ALPHA.schema_name):
        _order, ticket = _sell(theatres.london)

    refused = client.post("/control/check-in/", {"code": ticket.code})
    anyway = client.post("/control/check-in/", {"code": ticket.code, "admit_other_day": "on"})

    page = refused.content.decode()
    assert refused.status_code == 409
    assert "Not today: this ticket is for 22 December 2030." in page
    assert 'name="admit_other_day" value="on"' in page
    assert "Admit anyway" in page
    assert anyway.status_code == 200
    assert "Admitted anyway: not the ticket’s day." in anyway.content.decode()
    assert LONDON_LABEL in anyway.content.decode()
    with schema_context(ALPHA.schema_name):
        assert CheckIn.objects.filter(ticket=ticket).count() == 1
        entry = AuditLogEntry.objects.get(action="ticket.checked_in_other_day")
    assert entry.actor_email == "admin@example.com"
    assert entry.target_id == str(ticket.pk)
    assert entry.data["date"] == "2030-12-22"
    assert entry.data["time_zone"] == "Europe/London"
    assert (
        entry.data["today"] == timezone.now().astimezone(theatres.london.show.start.tzinfo).date().isoformat()
    )


def test_tonights_ticket_is_admitted_at_the_gate_with_its_time_in_its_zone(theatres):
    client = _control(theatres)
    with schema_context(ALPHA.schema_name):
        start = timezone.now() - dt.timedelta(minutes=10)
        tonight = events.event_date_create(
            event=theatres.london.event, start=start, end=start + dt.timedelta(hours=1)
        )
        ticket_type = events.ticket_type_create(
            event=theatres.london.event, event_date=tonight, name="Tonight", price=Decimal("12.00")
        )
        _order, ticket = _sell(theatres.london, ticket_type=ticket_type)

    admitted = client.post("/control/check-in/", {"code": ticket.code})

    assert admitted.status_code == 200
    assert "Admitted" in admitted.content.decode()
    assert "(Europe/London)" in admitted.content.decode()
    assert "Admitted anyway" not in admitted.content.decode()


def test_the_check_in_api_refuses_another_day_and_admits_anyway_when_asked(theatres):
    api = api_client(host=ALPHA.host, token=theatres.token)
    with schema_context(ALPHA.schema_name):
        _order, ticket = _sell(theatres.amsterdam)

    refused = api.post("/api/v1/check-ins/", {"code": ticket.code}, format="json")
    anyway = api.post("/api/v1/check-ins/", {"code": ticket.code, "admit_other_day": True}, format="json")

    assert refused.status_code == 409
    assert refused.json() == {
        "detail": "Not today: this ticket is for 22 December 2030.",
        "reason": "other_day",
    }
    assert anyway.status_code == 201
    assert anyway.json()["other_day"] is True
    with schema_context(ALPHA.schema_name):
        assert AuditLogEntry.objects.filter(action="ticket.checked_in_other_day").count() == 1


def test_a_location_in_another_zone_moves_its_events_dates_there(theatres):
    api = api_client(host=ALPHA.host, token=theatres.token)
    amsterdam = theatres.amsterdam

    created = api.post(
        "/api/v1/locations/",
        {
            "organizer": amsterdam.organizer.pk,
            "name": "London stage",
            "address": "1 Strand",
            "city": "London",
            "country": "GB",
            "time_zone": "Europe/London",
        },
        format="json",
    )
    wrong = api.post(
        "/api/v1/locations/",
        {
            "organizer": amsterdam.organizer.pk,
            "name": "X",
            "address": "Y",
            "city": "Z",
            "country": "NL",
            "time_zone": "Mars/Base",
        },
        format="json",
    )
    moved = api.patch(
        f"/api/v1/events/{amsterdam.event.pk}/", {"location": created.json()["id"]}, format="json"
    )
    dates = api.get("/api/v1/event-dates/", {"event": amsterdam.event.pk}).json()["results"]

    assert created.status_code == 201, created.content
    assert created.json()["time_zone"] == "Europe/London"
    assert wrong.status_code == 400
    assert list(wrong.json()) == ["time_zone"]
    assert moved.status_code == 200, moved.content
    assert moved.json()["time_zone"] == "Europe/London"
    assert dates[0]["start"] == "2030-12-22T18:30:00+00:00"  # the same moment, now read in London
