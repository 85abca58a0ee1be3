"""The one-statement take of a one-date, one-ticket-type claim (apps.sales.inventory): both
counters or neither, each unit counted once, also when a counter row does not exist yet."""

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.sales import inventory
from apps.sales.exceptions import SoldOut
from apps.sales.models import DateStock, TicketTypeStock
from tests.sales.helpers import shop_build

pytestmark = pytest.mark.usefixtures("in_alpha")


def _claim(ticket_type, quantity=1) -> inventory.Claim:
    claim = inventory.Claim()
    claim.add(ticket_type_id=ticket_type.pk, date_ids=[ticket_type.event_date_id], quantity=quantity)
    return claim


def _counts(ticket_type):
    date = DateStock.objects.filter(event_date_id=ticket_type.event_date_id).first()
    kind = TicketTypeStock.objects.filter(ticket_type=ticket_type).first()
    return (date.held, date.sold) if date else None, (kind.held, kind.sold) if kind else None


def test_the_first_take_makes_both_counter_rows_and_counts_once():
    shop = shop_build(capacity=5)
    assert _counts(shop.day_ticket) == (None, None)

    inventory.take(_claim(shop.day_ticket, 2), state="sold")

    assert _counts(shop.day_ticket) == ((0, 2), (0, 2))


def test_a_take_with_both_rows_is_one_statement():
    shop = shop_build(capacity=5)
    inventory.take(_claim(shop.day_ticket), state="held")

    with CaptureQueriesContext(connection) as queries:
        inventory.take(_claim(shop.day_ticket), state="held")

    assert len(queries) == 1
    assert _counts(shop.day_ticket) == ((2, 0), (2, 0))


def test_a_missing_ticket_type_row_is_made_without_counting_the_date_twice():
    shop = shop_build(capacity=5)
    inventory.take(_claim(shop.day_ticket), state="sold")
    TicketTypeStock.objects.filter(ticket_type=shop.day_ticket).delete()

    inventory.take(_claim(shop.day_ticket), state="sold")

    assert _counts(shop.day_ticket) == ((0, 2), (0, 1))


def test_a_full_date_moves_no_counter():
    shop = shop_build(capacity=2)
    inventory.take(_claim(shop.day_ticket, 2), state="sold")

    with transaction.atomic():
        with pytest.raises(SoldOut) as refused:
            inventory.take(_claim(shop.day_ticket), state="sold")
        moved = _counts(shop.day_ticket)  # before any rollback: the statement moved nothing
        transaction.set_rollback(True)

    assert moved == ((0, 2), (0, 2))
    assert refused.value.part == "dates"
    assert refused.value.date_ids == [shop.day_ticket.event_date_id]
    assert _counts(shop.day_ticket) == ((0, 2), (0, 2))


def test_a_full_ticket_type_refuses_and_its_transaction_gives_the_date_back():
    shop = shop_build(capacity=10)
    limited = shop.date_ticket(0, limit=1, price=Decimal("5.00"))
    inventory.take(_claim(limited), state="sold")

    with pytest.raises(SoldOut) as refused, transaction.atomic():
        inventory.take(_claim(limited), state="sold")

    assert refused.value.part == "ticket_types"
    assert refused.value.ids == [limited.pk]
    assert _counts(limited) == ((0, 1), (0, 1))


def test_an_empty_claim_takes_nothing_and_sends_nothing():
    with CaptureQueriesContext(connection) as queries:
        inventory.take(inventory.Claim(), state="sold")

    assert len(queries) == 0


def test_a_full_date_is_refused_in_one_statement():
    shop = shop_build(capacity=1)
    inventory.take(_claim(shop.day_ticket), state="sold")

    with CaptureQueriesContext(connection) as queries, pytest.raises(SoldOut), transaction.atomic():
        inventory.take(_claim(shop.day_ticket), state="sold")

    statements = [q["sql"].split()[0] for q in queries.captured_queries]
    assert statements[:3] == ["SAVEPOINT", "WITH", "ROLLBACK"]  # (no INSERT of a counter row)
    assert statements.count("WITH") == 1
