"""A box-office sale reads what it needs (host, token, distribution, ticket types, fee rules)
from the cache: a fixed, small number of queries, and never a stale or foreign answer.

Every test first sells once, so that the cache holds what the next sale reads, then changes
something through the usual services and checks that the next sale sees it at once."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.core.audit import Actor
from apps.core.cache import entry_key
from apps.events import services as events
from apps.operators.services import sale_permission_revoke
from apps.organizers.catalog import CATALOG
from apps.organizers.services import distribution_rename, organizer_update
from apps.sales.models import Order, Ticket
from apps.sales.services.fees import fee_rule_delete, fee_rule_save
from apps.sales.services.taxes import tax_rule_delete, tax_rule_save
from tests.factories import (
    ADMIN,
    EVENT_TABLES,
    SELLER,
    api_client,
    clients_open,
    programme_build,
    twin_sequences,
)
from tests.lookups import lookups_cached  # noqa: F401 - the fixture
from tests.tenants import ALPHA, BETA

pytestmark = pytest.mark.usefixtures("lookups_cached")


def _sale(world, programme, **changes):
    return {
        "distribution": world.team.a_box.pk,
        "email": "buyer@example.com",
        "payment_method": "cash",
        "positions": [{"ticket_type": programme.day1_ticket.pk, "quantity": 1}],
        **changes,
    }


def _sell(world, programme, role=SELLER, **changes):
    return world.client(role).post("/api/v1/orders/", _sale(world, programme, **changes), format="json")


def _warm(world, programme, client=None) -> None:
    """Two sales: the first locks the organizer's currency (which drops the cached catalog),
    the second fills the cache again."""
    client = client or world.client(SELLER)
    for _i in range(2):
        assert client.post("/api/v1/orders/", _sale(world, programme), format="json").status_code == 201


# --- queries -------------------------------------------------------------------------------


def test_a_one_position_api_order_takes_six_queries_once_the_cache_is_warm(world, programme):
    client = world.client(SELLER)  # (building it reads the platform's base domain in public)
    sale = _sale(world, programme)
    _warm(world, programme, client)

    with CaptureQueriesContext(connection) as queries:
        response = client.post("/api/v1/orders/", sale, format="json")

    assert response.status_code == 201
    # The transaction (BEGIN, here a savepoint), the order, its ticket, the audit entry, the
    # two stock counters in one UPDATE statement, COMMIT. Host, token, distribution, ticket
    # type and fee rules come from the cache; the session keeps its search_path.
    assert len(queries) == 6, "\n".join(q["sql"][:120] for q in queries.captured_queries)
    assert [q["sql"].split()[0] for q in queries.captured_queries] == [
        "SAVEPOINT",
        "INSERT",
        "INSERT",
        "INSERT",
        "WITH",
        "RELEASE",
    ]


def test_a_one_position_api_order_takes_seventeen_queries_with_an_empty_cache(world, programme):
    _warm(world, programme)
    cache.clear()
    client = world.client(SELLER)  # (building it caches the platform's base domain again)

    with CaptureQueriesContext(connection) as queries:
        response = client.post("/api/v1/orders/", _sale(world, programme), format="json")

    assert response.status_code == 201
    # Besides the six above: SET search_path and the host's domain in the public schema, SET
    # search_path for the organization, the token with its user, the distribution, the ticket
    # type with its event and date, the event's channels, the client account's features (the
    # plan must include the box office), the questions asked, the fee rules, and which ticket
    # types sell a season pass (the sale is paid at once).
    assert len(queries) == 17, "\n".join(q["sql"][:120] for q in queries.captured_queries)


def test_the_response_lists_the_tickets_just_made_without_reading_them_again(world, programme):
    _warm(world, programme)

    response = _sell(world, programme, positions=[{"ticket_type": programme.day1_ticket.pk, "quantity": 3}])

    body = response.json()
    with schema_context(ALPHA.schema_name):
        tickets = list(Ticket.objects.filter(order_id=body["id"]).order_by("pk"))
    assert [t["id"] for t in body["tickets"]] == [t.pk for t in tickets]
    assert [t["code"] for t in body["tickets"]] == [t.code for t in tickets]
    assert {t["price"] for t in body["tickets"]} == {"45.000"}


# --- what the cache holds changes at once ----------------------------------------------------


def test_a_new_price_applies_to_the_next_sale(world, programme):
    _warm(world, programme)
    with schema_context(ALPHA.schema_name):
        events.ticket_type_update(ticket_type=programme.day1_ticket, price=Decimal("50.00"))

    response = _sell(world, programme)

    assert response.status_code == 201
    assert response.json()["total"] == "50.000"


def test_a_fee_rule_added_applies_to_the_next_sale(world, programme):
    _warm(world, programme)
    with schema_context(ALPHA.schema_name):
        fee_rule_save(organizer=world.team.a, fixed=Decimal("1.50"))

    response = _sell(world, programme)

    assert response.json()["fee_total"] == "1.500"
    assert response.json()["total"] == "46.500"


def test_a_fee_rule_deleted_no_longer_applies_to_the_next_sale(world, programme):
    with schema_context(ALPHA.schema_name):
        rule = fee_rule_save(organizer=world.team.a, fixed=Decimal("1.50"))
    _warm(world, programme)
    assert _sell(world, programme).json()["fee_total"] == "1.500"
    with schema_context(ALPHA.schema_name):
        fee_rule_delete(rule=rule)

    response = _sell(world, programme)

    assert response.json()["fee_total"] == "0.000"


def _tax(programme, rate, *, included=False, country="", rule=None):
    return tax_rule_save(
        organizer=programme.concert.organizer,
        name=f"VAT {country or 'anywhere'}",
        rate=Decimal(rate),
        price_includes_tax=included,
        country=country,
        ticket_types=[programme.day1_ticket],
        rule=rule,
    )


def test_a_tax_rule_added_changed_or_deleted_through_its_service_applies_to_the_next_sale(world, programme):
    _warm(world, programme)
    with schema_context(ALPHA.schema_name):
        rule = _tax(programme, "10")  # added on top of the 45.00
    added = _sell(world, programme).json()
    with schema_context(ALPHA.schema_name):
        _tax(programme, "20", included=True, rule=rule)
    changed = _sell(world, programme).json()
    with schema_context(ALPHA.schema_name):
        tax_rule_delete(rule=rule)

    deleted = _sell(world, programme).json()

    assert (added["total"], added["tax_total"]) == ("49.500", "4.500")
    assert added["tickets"][0]["tax_name"] == "VAT anywhere"
    assert (changed["total"], changed["tax_total"]) == ("45.000", "7.500")  # 45.00 − 45.00 / 1.2
    assert (deleted["total"], deleted["tax_total"]) == ("45.000", "0.000")


def test_a_warm_sale_reads_its_tax_rule_from_the_cache(world, programme):
    with schema_context(ALPHA.schema_name):
        _tax(programme, "10")
    client = world.client(SELLER)
    _warm(world, programme, client)

    with CaptureQueriesContext(connection) as queries:
        response = client.post("/api/v1/orders/", _sale(world, programme), format="json")

    assert response.json()["tax_total"] == "4.500"
    assert len(queries) == 6, "\n".join(q["sql"][:120] for q in queries.captured_queries)


def test_a_location_moved_to_another_country_takes_that_countrys_rule_at_once(world, programme):
    with schema_context(ALPHA.schema_name):
        _tax(programme, "9", country="NL")
        _tax(programme, "19", country="DE")
    _warm(world, programme)
    assert _sell(world, programme).json()["tax_total"] == "4.050"
    with schema_context(ALPHA.schema_name):
        events.location_update(location=programme.arena, country="DE")

    response = _sell(world, programme)

    assert response.json()["tax_total"] == "8.550"
    assert response.json()["tickets"][0]["tax_name"] == "VAT DE"


def test_twin_organizations_never_share_a_cached_tax_rule(world):
    twin = world.beta_twin()
    twin_sequences(ALPHA.schema_name, BETA.schema_name, tables=EVENT_TABLES)
    with schema_context(ALPHA.schema_name):
        programme = programme_build(world.team)
        events.event_publish(event=programme.concert)
        _tax(programme, "10")
    with schema_context(BETA.schema_name):
        clients_open(twin.a, twin.b, organization=world.beta)
        twin_programme = programme_build(twin)
        events.event_publish(event=twin_programme.concert)
        _tax(twin_programme, "20")
    assert twin_programme.day1_ticket.pk == programme.day1_ticket.pk
    _warm(world, programme)
    beta = api_client(host=BETA.host, token=twin.tokens["admin"])

    in_beta = beta.post("/api/v1/orders/", _sale(world, programme), format="json")
    in_alpha = _sell(world, programme)

    assert (in_beta.status_code, in_beta.json()["tax_total"]) == (201, "9.000")
    assert in_alpha.json()["tax_total"] == "4.500"
    # One entry per schema for the same ticket type id, each with its own organization's rule.
    pk = programme.day1_ticket.pk
    alpha_entry = caches["lookups"].get(entry_key(ALPHA.schema_name, CATALOG, "ticket-type", pk))
    beta_entry = caches["lookups"].get(entry_key(BETA.schema_name, CATALOG, "ticket-type", pk))
    assert alpha_entry is not None
    assert beta_entry is not None
    assert alpha_entry[1].applying_tax_rule["rate"] == "10.00"
    assert beta_entry[1].applying_tax_rule["rate"] == "20.00"
    assert entry_key(ALPHA.schema_name, CATALOG, "ticket-type", pk) != entry_key(
        BETA.schema_name, CATALOG, "ticket-type", pk
    )


def test_a_date_moved_into_the_past_is_not_sold_any_more(world, programme):
    _warm(world, programme)
    with schema_context(ALPHA.schema_name):
        start = timezone.now() - dt.timedelta(hours=3)
        events.event_date_update(event_date=programme.day1, start=start, end=start + dt.timedelta(hours=2))

    response = _sell(world, programme)

    assert response.status_code == 400
    assert "date that is over" in response.json()["detail"]


def test_a_ticket_type_whose_sale_ended_is_not_sold_any_more(world, programme):
    _warm(world, programme)
    with schema_context(ALPHA.schema_name):
        events.ticket_type_update(ticket_type=programme.day1_ticket, sale_end=timezone.now())

    response = _sell(world, programme)

    assert response.status_code == 400
    assert "not on sale now" in response.json()["detail"]


def test_a_renamed_distribution_is_named_so_at_once(world, programme):
    _warm(world, programme)
    with schema_context(ALPHA.schema_name):
        events.event_update(event=programme.concert, distributions=[world.team.a_shop])
    assert world.team.a_box.name in _sell(world, programme).json()["detail"]  # (cached again)
    with schema_context(ALPHA.schema_name):
        distribution_rename(distribution=world.team.a_box, name="Counter 2")

    response = _sell(world, programme)

    assert "not sold through Counter 2" in response.json()["detail"]


def test_an_unpublished_event_is_not_sold_any_more(world, programme):
    _warm(world, programme)
    with schema_context(ALPHA.schema_name):
        events.event_unpublish(event=programme.concert)

    response = _sell(world, programme)

    assert response.status_code == 400
    assert "not on sale" in response.json()["detail"]


def test_an_event_taken_out_of_the_box_office_is_not_sold_there_any_more(world, programme):
    _warm(world, programme)
    with schema_context(ALPHA.schema_name):
        events.event_update(event=programme.concert, distributions=[world.team.a_shop])

    response = _sell(world, programme)

    assert response.status_code == 400
    assert "not sold through" in response.json()["detail"]


def test_a_seller_whose_sale_permission_is_revoked_may_not_sell_any_more(world, programme):
    _warm(world, programme)
    with schema_context(ALPHA.schema_name):
        sale_permission_revoke(
            actor=Actor(user=world.team.admin),
            operator=world.team.seller,
            distribution=world.team.a_box,
        )

    response = _sell(world, programme)

    assert response.status_code == 400
    assert "distribution" in response.json()


def test_an_admin_made_a_plain_operator_sells_only_where_permitted(world, programme):
    assert _sell(world, programme, role=ADMIN).status_code == 201
    with schema_context(ALPHA.schema_name):
        admin = world.team.admin
        admin.is_admin = False
        admin.save()

    response = _sell(world, programme, role=ADMIN)

    assert response.status_code == 400
    assert "distribution" in response.json()


def test_a_currency_changed_before_the_first_sale_is_the_one_sold_in(world, programme):
    too_many = [{"ticket_type": programme.day1_ticket.pk, "quantity": 11}]
    assert _sell(world, programme, positions=too_many).status_code == 400  # (caches, sells nothing)
    with schema_context(ALPHA.schema_name):
        organizer_update(organizer=world.team.a, currency="CHF")

    response = _sell(world, programme)

    assert response.status_code == 201
    assert response.json()["currency"] == "CHF"


def test_the_first_sale_locks_the_currency_for_the_next_sales_too(world, programme):
    assert _sell(world, programme).status_code == 201

    with schema_context(ALPHA.schema_name), CaptureQueriesContext(connection) as queries:
        assert _sell(world, programme).status_code == 201

    assert not [q for q in queries.captured_queries if q["sql"].startswith('UPDATE "organizers_organizer"')]
    assert any(q["sql"].startswith('SELECT "organizers_distribution"') for q in queries.captured_queries)


# --- tenants ---------------------------------------------------------------------------------


def test_twin_organizations_with_the_same_ids_never_read_each_others_cached_catalog(world):
    twin = world.beta_twin()
    twin_sequences(ALPHA.schema_name, BETA.schema_name, tables=EVENT_TABLES)
    with schema_context(ALPHA.schema_name):
        programme = programme_build(world.team)
        events.event_publish(event=programme.concert)
    with schema_context(BETA.schema_name):
        clients_open(twin.a, twin.b, organization=world.beta)
        twin_programme = programme_build(twin)
        events.event_publish(event=twin_programme.concert)
        events.ticket_type_update(ticket_type=twin_programme.day1_ticket, price=Decimal("70.00"))
    assert twin_programme.day1_ticket.pk == programme.day1_ticket.pk
    assert twin.a_box.pk == world.team.a_box.pk
    _warm(world, programme)

    response = api_client(host=BETA.host, token=twin.tokens["admin"]).post(
        "/api/v1/orders/", _sale(world, programme), format="json"
    )

    assert response.status_code == 201
    assert response.json()["total"] == "70.000"
    with schema_context(BETA.schema_name):
        assert Order.objects.get(pk=response.json()["id"]).email == "buyer@example.com"
    with schema_context(ALPHA.schema_name):
        assert {o.total for o in Order.objects.all()} == {Decimal("45.000")}


def test_a_token_of_one_organization_is_refused_on_anothers_host(world, programme):
    _warm(world, programme)

    response = api_client(host=BETA.host, token=world.team.tokens["seller"]).post(
        "/api/v1/orders/", _sale(world, programme), format="json"
    )

    assert response.status_code == 401


# --- sold out --------------------------------------------------------------------------------


def test_once_a_date_is_sold_out_a_refusal_writes_nothing_before_its_one_statement(world, programme):
    with schema_context(ALPHA.schema_name):
        events.event_date_update(event_date=programme.day1, capacity=1)
    client = world.client(SELLER)
    sold = client.post("/api/v1/orders/", _sale(world, programme), format="json")
    assert sold.status_code == 201
    assert client.post("/api/v1/orders/", _sale(world, programme), format="json").status_code == 409

    with CaptureQueriesContext(connection) as queries:
        refused = client.post("/api/v1/orders/", _sale(world, programme), format="json")

    assert refused.status_code == 409
    assert not [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert [q["sql"].split()[0] for q in queries.captured_queries].count("WITH") == 1


def test_a_seat_given_back_after_a_sell_out_is_sold_again_whole(world, programme):
    with schema_context(ALPHA.schema_name):
        events.event_date_update(event_date=programme.day1, capacity=1)
    client = world.client(SELLER)
    sold = client.post("/api/v1/orders/", _sale(world, programme), format="json").json()
    assert client.post("/api/v1/orders/", _sale(world, programme), format="json").status_code == 409
    assert client.post(f"/api/v1/orders/{sold['id']}/cancel/").status_code == 200

    again = client.post("/api/v1/orders/", _sale(world, programme, email="next@example.com"), format="json")

    assert again.status_code == 201
    with schema_context(ALPHA.schema_name):
        order = Order.objects.get(pk=again.json()["id"])
        assert order.email == "next@example.com"
        assert order.tickets.count() == 1
        assert Ticket.objects.filter(event_date=programme.day1, status=Ticket.Status.VALID).count() == 1
