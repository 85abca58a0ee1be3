"""Buyers on their own threads and database connections, started together (a barrier): the
concurrency tests' way to let PostgreSQL decide who wins."""

import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor

from django.db import connection, connections

from apps.sales.exceptions import SoldOut


def race(
    organization,
    buy: Callable[[int], object],
    buyers: int,
    refusals: Mapping[type[Exception], str] | None = None,
) -> list[str]:
    """Run `buy(i)` for every buyer at once; returns the outcomes: "ok", the name `refusals`
    gives an expected refusal ("sold out" for SoldOut by default), or any other error's repr."""
    refusals = refusals or {SoldOut: "sold out"}
    barrier = threading.Barrier(buyers)

    def one(i):
        try:
            connection.set_tenant(organization)
            barrier.wait(timeout=30)
            buy(i)
            return "ok"
        except tuple(refusals) as refused:
            return refusals[type(refused)]
        except Exception as exc:  # noqa: BLE001 - any other outcome fails the test, with its reason
            return repr(exc)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=buyers) as pool:
        return list(pool.map(one, range(buyers)))
