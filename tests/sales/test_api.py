"""REST API of orders: box-office sales by operators with sale permission, reads, cancel."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from apps.events import services as events
from apps.sales.models import DateStock, Order, Ticket
from tests.factories import (
    ADMIN,
    CONFIGURER,
    OTHER,
    SELLER,
    denied_to_outsiders,
    role_matrix,
)
from tests.tenants import ALPHA


def _sale(world, programme, **changes):
    return {
        "distribution": world.team.a_box.pk,
        "email": "buyer@example.com",
        "payment_method": "cash",
        "positions": [{"ticket_type": programme.day1_ticket.pk, "quantity": 2}],
        **changes,
    }


@role_matrix(denied_to_outsiders(**{ADMIN: 201, SELLER: 201, CONFIGURER: 400, OTHER: 400}))
def test_who_may_sell_at_the_box_office(world, programme, role, expected):
    response = world.client(role).post("/api/v1/orders/", _sale(world, programme), format="json")

    world.check(role, response, expected)
    with schema_context(ALPHA.schema_name):
        assert Order.objects.count() == (1 if expected == 201 else 0)
    if expected == 201:
        body = response.json()
        assert body["status"] == "paid"
        assert body["total"] == "90.000"
        assert len(body["tickets"]) == 2
    if expected == 400:
        assert "distribution" in response.json()


def _orders(world, programme):
    with schema_context(ALPHA.schema_name):
        sold = world.client(ADMIN).post("/api/v1/orders/", _sale(world, programme), format="json")
        online = world.client(ADMIN).post(
            "/api/v1/orders/", _sale(world, programme, distribution=world.team.a_shop.pk), format="json"
        )
    return sold.json()["id"], online.json()["id"]


@pytest.mark.parametrize("query", [{"order": "²"}, {"event_date": "²"}, {"code": "A\x00B"}])
def test_tickets_filtered_by_nonsense_list_nothing(world, programme, query):
    world.client(ADMIN).post("/api/v1/orders/", _sale(world, programme), format="json")

    response = world.client(ADMIN).get("/api/v1/tickets/", query)

    assert response.status_code == 200
    assert response.json()["results"] == []


@role_matrix(
    denied_to_outsiders(
        **{
            ADMIN: (200, ["box", "shop"]),
            SELLER: (200, ["box"]),
            CONFIGURER: (200, ["box", "shop"]),
            OTHER: (200, []),
        }
    )
)
def test_who_sees_which_orders(world, programme, role, expected):
    box, shop = _orders(world, programme)

    response = world.client(role).get("/api/v1/orders/")

    world.check(
        role,
        response,
        expected,
        names_to_ids=lambda names: [{"box": box, "shop": shop}[n] for n in reversed(names)] if names else [],
    )


def test_a_sold_out_date_answers_409_and_sells_nothing(world, programme):
    with schema_context(ALPHA.schema_name):
        events.event_date_update(event_date=programme.day1, capacity=1)

    response = world.client(SELLER).post("/api/v1/orders/", _sale(world, programme), format="json")

    assert response.status_code == 409
    assert "Sold out" in response.json()["detail"]
    with schema_context(ALPHA.schema_name):
        assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"positions": []}, "positions"),
        ({"positions": [{"ticket_type": 999999}]}, "positions"),
        ({"positions": [{"ticket_type": "x"}]}, "positions"),
        ({"payment_method": "stripe"}, "payment_method"),
        ({"email": "not-an-email"}, "email"),
        ({"distribution": 999999}, "distribution"),
    ],
)
def test_bad_orders_get_field_messages(world, programme, change, field):
    response = world.client(SELLER).post("/api/v1/orders/", _sale(world, programme, **change), format="json")

    assert response.status_code == 400
    assert field in response.json()


def test_prices_come_from_the_ticket_type_not_the_request(world, programme):
    sale = _sale(world, programme, total="0.01")
    sale["positions"][0]["price"] = "0.01"

    response = world.client(SELLER).post("/api/v1/orders/", sale, format="json")

    assert response.status_code == 201
    assert response.json()["total"] == "90.000"


def test_an_event_not_sold_in_that_channel_is_refused(world, programme):
    with schema_context(ALPHA.schema_name):
        events.event_publish(event=programme.online)
    sale = _sale(world, programme, positions=[{"ticket_type": programme.online_ticket.pk}])

    response = world.client(SELLER).post("/api/v1/orders/", sale, format="json")

    assert response.status_code == 400
    assert "not sold through" in response.json()["detail"]


def test_cancelling_returns_the_seats(world, programme):
    created = world.client(SELLER).post("/api/v1/orders/", _sale(world, programme), format="json").json()

    cancelled = world.client(SELLER).post(f"/api/v1/orders/{created['id']}/cancel/")
    refused = world.client(OTHER).post(f"/api/v1/orders/{created['id']}/cancel/")

    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert refused.status_code == 404
    with schema_context(ALPHA.schema_name):
        assert DateStock.objects.get(event_date=programme.day1).sold == 0


def test_a_one_ticket_sale_takes_a_fixed_number_of_queries(world, programme):
    client = world.client(SELLER)
    sale = _sale(world, programme, positions=[{"ticket_type": programme.day1_ticket.pk, "quantity": 1}])
    client.post("/api/v1/orders/", sale, format="json")  # creates the counter rows

    with schema_context(ALPHA.schema_name), CaptureQueriesContext(connection) as queries:
        assert client.post("/api/v1/orders/", sale, format="json").status_code == 201

    # (17: the questions asked, read like the ticket types from the catalog, which the first
    # sale's currency lock dropped.)
    assert len(queries) <= 17, "\n".join(q["sql"][:200] for q in queries.captured_queries)


def test_refunding_through_the_api_voids_the_tickets_and_returns_the_seats(world, programme):
    created = world.client(SELLER).post("/api/v1/orders/", _sale(world, programme), format="json").json()
    one_ticket = created["tickets"][0]["id"]

    partial = world.client(SELLER).post(
        f"/api/v1/orders/{created['id']}/refund/", {"tickets": [one_ticket]}, format="json"
    )
    refused = world.client(OTHER).post(f"/api/v1/orders/{created['id']}/refund/", {}, format="json")
    bad = world.client(SELLER).post(
        f"/api/v1/orders/{created['id']}/refund/", {"tickets": ["x"]}, format="json"
    )
    rest = world.client(SELLER).post(f"/api/v1/orders/{created['id']}/refund/", {}, format="json")
    again = world.client(SELLER).post(f"/api/v1/orders/{created['id']}/refund/", {}, format="json")

    assert partial.status_code == 200
    assert partial.json()["status"] == "paid"
    assert refused.status_code == 404
    assert bad.status_code == 400
    assert "tickets" in bad.json()
    assert rest.json()["status"] == "refunded"
    assert again.status_code == 400
    with schema_context(ALPHA.schema_name):
        assert DateStock.objects.get(event_date=programme.day1).sold == 0


@role_matrix(denied_to_outsiders(**{ADMIN: 200, SELLER: 200, CONFIGURER: 200, OTHER: 200}))
def test_who_sees_which_tickets(world, programme, role, expected):
    created = world.client(ADMIN).post("/api/v1/orders/", _sale(world, programme), format="json").json()

    response = world.client(role).get("/api/v1/tickets/", {"order": created["id"]})

    world.check(role, response, expected)
    if expected == 200:
        codes = [t["code"] for t in response.json()["results"]]
        expected_codes = [] if role == OTHER else [t["code"] for t in created["tickets"]]
        assert codes == expected_codes


@role_matrix(
    denied_to_outsiders(
        **{
            ADMIN: (200, ["box", "shop"]),
            SELLER: (200, ["box"]),  # sells at A's box office only: never the shop's codes
            CONFIGURER: (200, ["box", "shop"]),
            OTHER: (200, []),
        }
    )
)
def test_tickets_follow_the_visibility_of_their_orders(world, programme, role, expected):
    box, shop = _orders(world, programme)
    with schema_context(ALPHA.schema_name):
        tickets = {
            name: list(Ticket.objects.filter(order_id=pk).order_by("pk").values_list("pk", flat=True))
            for name, pk in (("box", box), ("shop", shop))
        }
    client = world.client(role)

    listed = client.get("/api/v1/tickets/")
    by_order = {
        name: client.get("/api/v1/tickets/", {"order": pk}) for name, pk in (("box", box), ("shop", shop))
    }
    one = {name: client.get(f"/api/v1/tickets/{ids[0]}/") for name, ids in tickets.items()}

    world.check(
        role, listed, expected, names_to_ids=lambda names: [pk for name in names for pk in tickets[name]]
    )
    status, visible = expected if isinstance(expected, tuple) else (expected, [])
    for name in ("box", "shop"):
        world.check(role, by_order[name], status)
        if status == 200:
            assert [t["id"] for t in by_order[name].json()["results"]] == (
                tickets[name] if name in visible else []
            )
            assert one[name].status_code == (200 if name in visible else 404)
