"""How much capacity one shop visitor may hold at a time, so that bots cannot keep a date
unsold by reserving it cart after cart.

A shop reservation names its holder: the random token its browser session keeps and the
client's network (apps.core.ratelimit.client_network). Before anything is taken, the
reserving transaction locks both (PostgreSQL advisory transaction locks, in sorted order so
two reservations never deadlock), counts what each already holds in pending, unexpired
orders, and refuses past SALES_HOLD_LIMIT_PER_SESSION or SALES_HOLD_LIMIT_PER_NETWORK
tickets. The locks last until COMMIT, when the new tickets are visible to the next count:
concurrent reservations of one holder queue, so none passes the limit with another.
"""

import math
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from apps.core.exceptions import RateLimited, waiting_time
from apps.core.schemas import current_schema
from apps.sales.selectors import tickets_held


@dataclass(frozen=True)
class Holder:
    """Who reserves in the shop: the session's holder token and the client's network."""

    session: str
    network: str


def holds_reserve(*, holder: Holder, adding: int, now: datetime) -> None:
    """Inside the reserving transaction, before it takes capacity: lock the holder, then
    raise RateLimited (with the seconds until its first hold is released) when `adding`
    more tickets would put its session or its network past the limits."""
    keys = sorted({f"{current_schema()}:hold:session:{holder.session}", *_network_keys(holder)})
    with connection.cursor() as cursor:
        for key in keys:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])
    limits = (
        (settings.SALES_HOLD_LIMIT_PER_SESSION, {"session": holder.session}, _session_refusal),
        (settings.SALES_HOLD_LIMIT_PER_NETWORK, {"network": holder.network}, _network_refusal),
    )
    for limit, whose, refusal in limits:
        if not limit or not next(iter(whose.values())):
            continue
        held, first_release = tickets_held(now=now, **whose)
        if held + adding > limit:
            wait = max(1, math.ceil((first_release - now).total_seconds())) if first_release else 60
            raise RateLimited(retry_after=wait, message=refusal(held=held, limit=limit, wait=wait))


def _network_keys(holder: Holder) -> list[str]:
    return [f"{current_schema()}:hold:network:{holder.network}"] if holder.network else []


def _session_refusal(*, held: int, limit: int, wait: int) -> str:
    if held:
        return _(
            "You already hold %(held)s tickets; at most %(limit)s can be reserved at a time. "
            "Check out or empty your cart first."
        ) % {"held": held, "limit": limit}
    return _("At most %(limit)s tickets can be reserved at a time.") % {"limit": limit}


def _network_refusal(*, held: int, limit: int, wait: int) -> str:
    return _("Too many tickets are reserved from your network right now: please try again in %(wait)s.") % {
        "wait": waiting_time(wait)
    }
