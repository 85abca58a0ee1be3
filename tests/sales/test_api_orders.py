"""The orders API for the organizer's staff: GET /api/v1/orders/ with the control panel's
search, filters and sort (query parameters; a bad one is a 400 naming it), an order's detail
(tickets with check-ins, card payments, fees, history; datetimes with offsets), and refund
and resend, each allowed by the permission module (Action.MANAGE_ORDER)."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from apps.core.models import AuditLogEntry, OutgoingEmail
from apps.sales.models import Order, Ticket
from apps.sales.services.orders import OrderLine, order_create
from tests.factories import ADMIN, CONFIGURER, OTHER, SELLER, denied_to_outsiders, role_matrix
from tests.sales.sales_data import sales_build
from tests.tenants import ALPHA

OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)$")


@pytest.fixture
def sales(world):
    return sales_build(world)


NAMES = ("bob_refunded", "hacker", "account_pending", "account_pass", "ann_gala", "ann_box")


@role_matrix(
    denied_to_outsiders(
        **{
            ADMIN: (200, list(NAMES)),
            CONFIGURER: (200, ["hacker", "account_pending", "account_pass", "ann_box"]),
            SELLER: (200, ["hacker", "ann_box"]),
            OTHER: (200, ["bob_refunded", "ann_gala"]),
        }
    )
)
def test_who_lists_which_orders_newest_first(world, sales, role, expected):
    response = world.client(role).get("/api/v1/orders/")

    status, names = expected if isinstance(expected, tuple) else (expected, None)
    assert response.status_code == status, response.content.decode()[:300]
    body = response.content.decode()
    assert "beta-only@example.com" not in body
    if names is None:
        assert "@example.com" not in body
        return
    assert [row["id"] for row in response.json()["results"]] == [getattr(sales, n).pk for n in names]


def _ids(world, query, role=ADMIN):
    response = world.client(role).get(f"/api/v1/orders/?{query}")
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def _pks(sales, *names):
    return [getattr(sales, name).pk for name in names]


def test_search_filters_and_sort_as_query_parameters(world, sales):
    programme, team = sales.programme, world.team
    with schema_context(ALPHA.schema_name):
        gala_ticket = sales.ann_gala.tickets.get().code

    assert _ids(world, f"q={sales.hacker.code.lower()}") == _pks(sales, "hacker")
    assert _ids(world, "q=ann@EXAMPLE") == _pks(sales, "ann_gala", "ann_box")
    assert _ids(world, f"q={gala_ticket}") == _pks(sales, "ann_gala")
    assert _ids(world, "status=refunded") == _pks(sales, "bob_refunded")
    assert _ids(world, f"event={programme.gala.pk}") == _pks(sales, "bob_refunded", "ann_gala")
    assert _ids(world, f"date={programme.day2.pk}") == _pks(sales, "account_pending", "account_pass")
    assert _ids(world, f"distribution={team.a_box.pk}&payment_method=cash") == _pks(
        sales, "hacker", "ann_box"
    )
    assert len(_ids(world, "placed_from=2020-01-01&placed_until=2099-12-31")) == 6
    assert _ids(world, "placed_until=2020-01-01") == []
    assert _ids(world, "sort=placed")[0] == sales.ann_box.pk
    by_total = _ids(world, "sort=-total")
    with schema_context(ALPHA.schema_name):
        totals = [Order.objects.get(pk=pk).total for pk in by_total]
    assert totals == sorted(totals, reverse=True)
    assert _ids(world, "sort=buyer")[0] == sales.hacker.pk  # "=HYPERLINK…" sorts first
    assert _ids(world, f"event={programme.gala.pk}", role=SELLER) == []  # not his to see


def test_bad_query_parameters_are_400s_naming_them(world, sales):
    response = world.client(ADMIN).get(
        "/api/v1/orders/?status=lost&event=abc&placed_from=2026-13-01&sort=sideways&payment_method=iou"
    )
    period = world.client(ADMIN).get("/api/v1/orders/?placed_from=2026-05-02&placed_until=2026-05-01")

    assert response.status_code == 400
    assert set(response.json()) == {"status", "event", "placed_from", "sort", "payment_method"}
    assert period.status_code == 400
    assert period.json() == {"placed_until": ["The end of the period comes before its start."]}


def test_the_list_takes_as_many_queries_for_one_order_as_for_thirty(world, programme):
    def sell(count):
        with schema_context(ALPHA.schema_name):
            for n in range(count):
                order_create(
                    distribution=world.team.a_box,
                    lines=[OrderLine(ticket_type=programme.day1_ticket, quantity=2)],
                    email=f"api{n}@example.com",
                    payment_method="cash",
                )

    def queries(url):
        client = world.client(SELLER)
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    urls = (
        "/api/v1/orders/",
        "/api/v1/orders/?q=api&sort=buyer",
        f"/api/v1/orders/?event={programme.concert.pk}",
    )
    sell(1)
    one = {url: queries(url) for url in urls}
    sell(29)

    assert {url: queries(url) for url in urls} == one


def test_an_orders_detail_has_tickets_check_ins_payments_and_history(world, sales):
    response = world.client(SELLER).get(f"/api/v1/orders/{sales.ann_box.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["code"] == sales.ann_box.code
    first, second = body["tickets"]
    assert first["attendee_name"] == "Zed ALPHA"
    assert len(first["check_ins"]) == 1
    assert second["check_ins"] == []
    assert body["payments"] == []
    assert body["application_fee"] == "0.000"
    assert [line["action"] for line in body["history"]] == ["order.created", "ticket.checked_in"]
    for value in (
        body["created_at"],
        body["paid_at"],
        first["check_ins"][0]["checked_in_at"],
        body["history"][0]["at"],
    ):
        assert OFFSET.match(value), value


@role_matrix(denied_to_outsiders(**{ADMIN: 200, CONFIGURER: 200, SELLER: 200, OTHER: 404}))
def test_who_reads_an_orders_detail(world, sales, role, expected):
    response = world.client(role).get(f"/api/v1/orders/{sales.ann_box.pk}/")

    assert response.status_code == expected


@role_matrix(denied_to_outsiders(**{ADMIN: 200, CONFIGURER: 200, SELLER: 200, OTHER: 404}))
def test_who_may_resend_the_tickets(world, sales, role, expected, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = world.client(role).post(f"/api/v1/orders/{sales.ann_box.pk}/resend/")

    assert response.status_code == expected
    assert len(mail.outbox) == (1 if expected == 200 else 0)
    if expected == 200:
        assert mail.outbox[0].to == ["Ann@Example.com"]


def test_resending_an_unpaid_orders_tickets_is_a_400(world, sales):
    response = world.client(ADMIN).post(f"/api/v1/orders/{sales.account_pending.pk}/resend/")

    assert response.status_code == 400
    assert response.json() == {"detail": "Only a paid order's tickets can be e-mailed."}


def test_refunding_chosen_tickets_through_the_api_tells_the_buyer(world, sales):
    with schema_context(ALPHA.schema_name):
        first, second = sales.ann_box.tickets.order_by("pk")

    refunded = world.client(SELLER).post(
        f"/api/v1/orders/{sales.ann_box.pk}/refund/", {"tickets": [second.pk]}, format="json"
    )
    unknown = world.client(SELLER).post(
        f"/api/v1/orders/{sales.ann_box.pk}/refund/", {"tickets": [999999]}, format="json"
    )
    empty = world.client(SELLER).post(
        f"/api/v1/orders/{sales.ann_box.pk}/refund/", {"tickets": []}, format="json"
    )
    other = world.client(OTHER).post(f"/api/v1/orders/{sales.ann_box.pk}/refund/", {}, format="json")

    assert refunded.status_code == 200
    assert [t["status"] for t in refunded.json()["tickets"]] == ["valid", "refunded"]
    assert unknown.status_code == 400
    assert "detail" in unknown.json()
    assert empty.status_code == 400
    assert "tickets" in empty.json()
    assert other.status_code == 404
    with schema_context(ALPHA.schema_name):
        assert Ticket.objects.get(pk=first.pk).status == Ticket.Status.VALID
        assert (
            OutgoingEmail.objects.filter(subject__contains=sales.ann_box.code, to=["Ann@Example.com"]).count()
            == 1
        )
        entry = AuditLogEntry.objects.get(action="order.refunded")
        assert entry.actor_email == "seller@example.com"
        assert entry.data["via"] == "cash"
    detail = world.client(SELLER).get(f"/api/v1/orders/{sales.ann_box.pk}/").json()
    assert "order.refunded" in [line["action"] for line in detail["history"]]
