"""Capacity counters: the only code that moves DateStock and TicketTypeStock.

Taking capacity is one conditional UPDATE per counter table. Under READ COMMITTED,
PostgreSQL re-checks the WHERE clause on the newest row version once it holds the row
lock, so concurrent takers queue on the row and the last ones see it full: held + sold
never exceeds capacity, whatever the interleaving. Rows are locked in one order (dates,
then ticket types, each by id) so that takers of several rows never deadlock.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from django.db import connection
from django.db.models import Model

from apps.events.models import Event, EventDate, Location, TicketType
from apps.sales.exceptions import SoldOut
from apps.sales.models import DateStock, TicketTypeStock

State = Literal["held", "sold"]


@dataclass
class Claim:
    """How many units of each date's and each ticket type's capacity some tickets use."""

    dates: Counter[int] = field(default_factory=Counter)
    ticket_types: Counter[int] = field(default_factory=Counter)

    def add(self, *, ticket_type_id: int, date_ids: Iterable[int], quantity: int = 1) -> None:
        self.ticket_types[ticket_type_id] += quantity
        for date_id in date_ids:
            self.dates[date_id] += quantity

    def __bool__(self) -> bool:
        return bool(self.dates or self.ticket_types)


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


# {state} is "held" or "sold" (never user input); the rest are parameters.
_TAKE_DATES_SQL = f"""
UPDATE {_table(DateStock)} AS stock SET {{state}} = stock.{{state}} + wanted.n
FROM unnest(%(ids)s::bigint[], %(counts)s::int[]) AS wanted(id, n),
     {_table(EventDate)} AS event_date
     JOIN {_table(Event)} AS event ON event.id = event_date.event_id
     JOIN {_table(Location)} AS location ON location.id = event.location_id
WHERE stock.event_date_id = wanted.id AND event_date.id = wanted.id
  AND (COALESCE(event_date.capacity, location.capacity) IS NULL
       OR stock.held + stock.sold + wanted.n <= COALESCE(event_date.capacity, location.capacity))
RETURNING stock.event_date_id
"""  # noqa: S608 - only table names are formatted in; values are parameters

_TAKE_TICKET_TYPES_SQL = f"""
UPDATE {_table(TicketTypeStock)} AS stock SET {{state}} = stock.{{state}} + wanted.n
FROM unnest(%(ids)s::bigint[], %(counts)s::int[]) AS wanted(id, n),
     {_table(TicketType)} AS ticket_type
WHERE stock.ticket_type_id = wanted.id AND ticket_type.id = wanted.id
  AND (ticket_type."limit" IS NULL OR stock.held + stock.sold + wanted.n <= ticket_type."limit")
RETURNING stock.ticket_type_id
"""  # noqa: S608 - only table names are formatted in; values are parameters

# Both counters of a one-date, one-ticket-type claim: the ticket type's UPDATE only runs once
# the date's is done and took its row (its WHERE reads the count of the first), so rows are
# locked date first, like everywhere else, and a full date leaves the ticket type untouched.
_TAKE_BOTH_SQL = f"""
WITH dates AS (
    UPDATE {_table(DateStock)} AS stock SET {{state}} = stock.{{state}} + wanted.n
    FROM unnest(%(date_ids)s::bigint[], %(date_counts)s::int[]) AS wanted(id, n),
         {_table(EventDate)} AS event_date
         JOIN {_table(Event)} AS event ON event.id = event_date.event_id
         JOIN {_table(Location)} AS location ON location.id = event.location_id
    WHERE stock.event_date_id = wanted.id AND event_date.id = wanted.id
      AND (COALESCE(event_date.capacity, location.capacity) IS NULL
           OR stock.held + stock.sold + wanted.n <= COALESCE(event_date.capacity, location.capacity))
    RETURNING stock.event_date_id
), ticket_types AS (
    UPDATE {_table(TicketTypeStock)} AS stock SET {{state}} = stock.{{state}} + wanted.n
    FROM unnest(%(type_ids)s::bigint[], %(type_counts)s::int[]) AS wanted(id, n),
         {_table(TicketType)} AS ticket_type
    WHERE stock.ticket_type_id = wanted.id AND ticket_type.id = wanted.id
      AND (ticket_type."limit" IS NULL OR stock.held + stock.sold + wanted.n <= ticket_type."limit")
      AND (SELECT count(*) FROM dates) = %(dates_wanted)s
    RETURNING stock.ticket_type_id
)
SELECT (SELECT count(*) FROM dates), (SELECT count(*) FROM ticket_types),
       (SELECT count(*) FROM {_table(DateStock)} WHERE event_date_id = ANY(%(date_ids)s::bigint[]))
"""  # noqa: S608 - only table names are formatted in; values are parameters

_LOCK_SQL = "SELECT 1 FROM {table} WHERE {key} = ANY(%(ids)s) ORDER BY {key} FOR UPDATE"
_ENSURE_SQL = (
    "INSERT INTO {table} ({key}, held, sold) SELECT unnest(%(ids)s::bigint[]), 0, 0 ON CONFLICT DO NOTHING"
)

_MOVE_SQL = (
    "UPDATE {table} AS stock SET {source} = stock.{source} - wanted.n{add_target} "
    "FROM unnest(%(ids)s::bigint[], %(counts)s::int[]) AS wanted(id, n) WHERE stock.{key} = wanted.id"
)

_COUNTERS = (
    (DateStock, "event_date_id", "dates", _TAKE_DATES_SQL),
    (TicketTypeStock, "ticket_type_id", "ticket_types", _TAKE_TICKET_TYPES_SQL),
)


def take(claim: Claim, *, state: State) -> None:
    """Count `claim` as held or sold, or raise SoldOut naming what is full.

    Runs inside the caller's transaction (rows stay locked until it ends) and may have moved
    some counters when it raises: the caller lets SoldOut leave its atomic block, which rolls
    them back. No savepoint of its own. A claim of one date and one ticket type (a sale of
    one kind of ticket) is one statement; the caller makes it its last before COMMIT, so the
    hot counter row stays locked for a single round trip.
    """
    if not claim:
        return
    if len(claim.dates) <= 1 and len(claim.ticket_types) <= 1:
        _take_single(claim, state)
        return
    for model, key, part, sql in _COUNTERS:
        wanted = getattr(claim, part)
        if not wanted:
            continue
        ids = sorted(wanted)
        params = {"ids": ids, "counts": [wanted[i] for i in ids]}
        with connection.cursor() as cursor:
            if len(ids) > 1:
                cursor.execute(_ENSURE_SQL.format(table=_table(model), key=key), params)
                cursor.execute(_LOCK_SQL.format(table=_table(model), key=key), params)
            cursor.execute(sql.format(state=state), params)
            taken = {row[0] for row in cursor.fetchall()}
            if not taken and len(ids) == 1:
                # Its counter row may not exist yet (first sale): make it, then try again.
                cursor.execute(_ENSURE_SQL.format(table=_table(model), key=key), params)
                cursor.execute(sql.format(state=state), params)
                taken = {row[0] for row in cursor.fetchall()}
        if len(taken) < len(ids):
            raise SoldOut(part=part, ids=[i for i in ids if i not in taken], date_ids=sorted(claim.dates))


def _take_single(claim: Claim, state: State) -> None:
    """At most one date row and one ticket type row: both conditional UPDATEs in one
    statement, the date's first (the ticket type's waits for it: the lock order of take)."""
    dates, ticket_types = claim.dates, claim.ticket_types
    date_params: dict[str, list[int]] = {"ids": list(dates), "counts": list(dates.values())}
    type_params: dict[str, list[int]] = {"ids": list(ticket_types), "counts": list(ticket_types.values())}
    params: dict[str, list[int] | int] = {
        "date_ids": date_params["ids"],
        "date_counts": date_params["counts"],
        "type_ids": type_params["ids"],
        "type_counts": type_params["counts"],
        "dates_wanted": len(dates),
    }
    sql = _TAKE_BOTH_SQL.format(state=state)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        taken_dates, taken_types, dates_counted = cursor.fetchone()
        if taken_dates < len(dates) and dates_counted < len(dates):
            # Nothing moved: the date's counter row does not exist yet (first sale). Make it,
            # then try again once.
            cursor.execute(_ENSURE_SQL.format(table=_table(DateStock), key="event_date_id"), date_params)
            cursor.execute(sql, params)
            taken_dates, taken_types, dates_counted = cursor.fetchone()
        if taken_dates < len(dates):
            raise SoldOut(part="dates", ids=list(dates), date_ids=list(dates))
        if taken_types < len(ticket_types):
            # The date is taken; the ticket type's row may not exist yet: make it, take it alone.
            cursor.execute(
                _ENSURE_SQL.format(table=_table(TicketTypeStock), key="ticket_type_id"), type_params
            )
            cursor.execute(_TAKE_TICKET_TYPES_SQL.format(state=state), type_params)
            if not cursor.fetchall():
                raise SoldOut(part="ticket_types", ids=list(ticket_types), date_ids=list(dates))


def give_back(claim: Claim, *, state: State) -> None:
    """Undo a take: held or sold units return to the pool."""
    _move(claim, source=state, target=None)


def settle(claim: Claim) -> None:
    """Held units become sold ones (an order got paid while holding them)."""
    _move(claim, source="held", target="sold")


def _move(claim: Claim, *, source: State, target: State | None) -> None:
    for model, key, part, _sql in _COUNTERS:
        wanted = getattr(claim, part)
        if not wanted:
            continue
        ids = sorted(wanted)
        params = {"ids": ids, "counts": [wanted[i] for i in ids]}
        add_target = f", {target} = stock.{target} + wanted.n" if target else ""
        with connection.cursor() as cursor:
            if len(ids) > 1:
                cursor.execute(_LOCK_SQL.format(table=_table(model), key=key), params)
            cursor.execute(
                _MOVE_SQL.format(table=_table(model), key=key, source=source, add_target=add_target), params
            )
