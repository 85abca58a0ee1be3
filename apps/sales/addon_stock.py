"""Add-on stock counters: the only code that moves AddOnStock (apps.sales.models.addons).

The pattern of apps.sales.inventory: taking stock is one conditional UPDATE that PostgreSQL
re-checks on the newest row version under the row lock, so concurrent takers queue on the
row and the last ones find it full. Rows are locked in id order, and always after the
tickets' capacity counters (callers take add-ons last), so takers never deadlock.
"""

from collections import Counter
from collections.abc import Iterable

from django.db import connection
from django.db.models import Model

from apps.sales.exceptions import AddOnSoldOut
from apps.sales.inventory import State
from apps.sales.models import AddOn, AddOnStock, OrderAddOn


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


# {state} is "held" or "sold" (never user input); the rest are parameters.
_TAKE_SQL = f"""
UPDATE {_table(AddOnStock)} AS stock SET {{state}} = stock.{{state}} + wanted.n
FROM unnest(%(ids)s::bigint[], %(counts)s::int[]) AS wanted(id, n), {_table(AddOn)} AS add_on
WHERE stock.add_on_id = wanted.id AND add_on.id = wanted.id
  AND (add_on.stock IS NULL OR stock.held + stock.sold + wanted.n <= add_on.stock)
RETURNING stock.add_on_id
"""  # noqa: S608 - only table names are formatted in; values are parameters
_ENSURE_SQL = (
    f"INSERT INTO {_table(AddOnStock)} (add_on_id, held, sold) "  # noqa: S608 - a table name
    "SELECT unnest(%(ids)s::bigint[]), 0, 0 ON CONFLICT DO NOTHING"
)
_LOCK_SQL = (
    f"SELECT 1 FROM {_table(AddOnStock)} WHERE add_on_id = ANY(%(ids)s) "  # noqa: S608 - a table name
    "ORDER BY add_on_id FOR UPDATE"
)
_EXISTING_SQL = f"SELECT add_on_id FROM {_table(AddOnStock)} WHERE add_on_id = ANY(%(ids)s)"  # noqa: S608
_MOVE_SQL = (
    f"UPDATE {_table(AddOnStock)} AS stock SET {{source}} = stock.{{source}} - wanted.n{{add_target}} "  # noqa: S608
    "FROM unnest(%(ids)s::bigint[], %(counts)s::int[]) AS wanted(id, n) WHERE stock.add_on_id = wanted.id"
)


def claim_of_lines(lines: Iterable[OrderAddOn]) -> Counter[int]:
    """{add-on id: units} the lines use."""
    claim: Counter[int] = Counter()
    for line in lines:
        claim[line.add_on_id] += line.quantity
    return claim


def take(claim: Counter[int], *, state: State) -> None:
    """Count `claim` as held or sold, or raise AddOnSoldOut naming the add-ons that are short.
    Runs in the caller's transaction, which AddOnSoldOut must leave (rolling back what moved)."""
    if not claim:
        return
    ids = sorted(claim)
    params = {"ids": ids, "counts": [claim[i] for i in ids]}
    with connection.cursor() as cursor:
        taken = _take_locked(cursor, params, state)
        if len(taken) < len(ids):
            # A counter row may be missing (an add-on made outside add_on_save): make it, once.
            # Never before: an INSERT … ON CONFLICT waits on rows others lock, out of order.
            cursor.execute(_EXISTING_SQL, params)
            if len({row[0] for row in cursor.fetchall()}) < len(ids):
                cursor.execute(_ENSURE_SQL, params)
                taken = _take_locked(cursor, params, state)
    if len(taken) < len(ids):
        raise AddOnSoldOut(ids=[i for i in ids if i not in taken])


def _take_locked(cursor, params: dict[str, list[int]], state: State) -> set[int]:
    """The conditional UPDATE, its rows locked first in id order when there are several."""
    if len(params["ids"]) > 1:
        cursor.execute(_LOCK_SQL, params)
    cursor.execute(_TAKE_SQL.format(state=state), params)
    return {row[0] for row in cursor.fetchall()}


def give_back(claim: Counter[int], *, state: State) -> None:
    """Undo a take: held or sold units return to the stock."""
    _move(claim, source=state, target=None)


def settle(claim: Counter[int]) -> None:
    """Held units become sold ones (their order got paid)."""
    _move(claim, source="held", target="sold")


def _move(claim: Counter[int], *, source: State, target: State | None) -> None:
    if not claim:
        return
    ids = sorted(claim)
    params = {"ids": ids, "counts": [claim[i] for i in ids]}
    add_target = f", {target} = stock.{target} + wanted.n" if target else ""
    with connection.cursor() as cursor:
        if len(ids) > 1:
            cursor.execute(_LOCK_SQL, params)
        cursor.execute(_MOVE_SQL.format(source=source, add_target=add_target), params)
