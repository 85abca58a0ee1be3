"""The client's address and the site's own rate limits: one place for both.

Every limit that counts per visitor (signup, shop reservations, API throttles, allauth's
login limits through the account adapter) reads the address from `client_address`, which
trusts exactly `settings.TRUSTED_PROXY_COUNT` proxies in front of the site.

Counters live in Redis (the "ratelimit" cache) under keys that name their schema, one key
per fixed window: an attempt is counted with one atomic INCR before it is judged, so
concurrent attempts never pass together past the limit, and refused attempts count too.
Redis unreachable: the cache backend steps aside (apps.core.cache.RedisCache: `incr` counts
from zero, logged), so every limit opens; nothing answers 500 for want of a counter.
"""

import ipaddress
import math
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest

from apps.core.cache import secret_part
from apps.core.exceptions import RateLimited
from apps.core.schemas import current_schema

RATELIMIT = "ratelimit"
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^(\d+)/(\d*)([smhd])$")


def client_address(request: HttpRequest) -> str:
    """The visitor's IP address. With TRUSTED_PROXY_COUNT = n > 0, the n-th X-Forwarded-For
    entry from the right: the one the outermost of our proxies appended (what precedes it is
    the visitor's to forge). With 0, or a header shorter than that, REMOTE_ADDR."""
    trusted = settings.TRUSTED_PROXY_COUNT
    address = request.META.get("REMOTE_ADDR", "")
    if trusted > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= trusted:
            address = forwarded[-trusted]
    try:
        return str(ipaddress.ip_address(address.strip("[]")))
    except ValueError:
        return request.META.get("REMOTE_ADDR", "") or "unknown"


def client_network(request: HttpRequest) -> str:
    """What limits count per visitor: the address, an IPv6 one cut to its /64 (one host
    usually holds a whole /64, as allauth's RATE_LIMIT_IPV6_PREFIX assumes too)."""
    address = client_address(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network(f"{parsed}/64", strict=False).network_address)
    return address


@dataclass(frozen=True)
class Rate:
    """`limit` attempts per `seconds`, written "5/h", "30/m" or "10/300s" in settings."""

    limit: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> "Rate":
        match = _RATE.match(text.strip())
        if not match:
            raise ValueError(f"not a rate (like 5/h or 10/300s): {text!r}")
        amount, count, unit = match.groups()
        return cls(limit=int(amount), seconds=int(count or 1) * _UNITS[unit])


def rate_of(scope: str) -> Rate | None:
    """settings.RATE_LIMITS[scope], or None when that limit is switched off (None or "")."""
    text = settings.RATE_LIMITS.get(scope)
    return Rate.parse(text) if text else None


def rate_limit_hit(*, scope: str, ident: str, rate: Rate | None = None, now: float | None = None) -> None:
    """Count one attempt at `scope` by `ident` (a client network, a user id …) and raise
    RateLimited, with the seconds until the window ends, once it goes past the limit."""
    rate = rate or rate_of(scope)
    if rate is None:
        return
    now = time.time() if now is None else now
    window = int(now // rate.seconds)
    key = f"ratelimit:{current_schema()}:{scope}:{secret_part(ident)}:{window}"
    cache = caches[RATELIMIT]
    # The key outlives its window a little; the next window has a key of its own, so a
    # counter is never read again once its window is over.
    cache.add(key, 0, timeout=rate.seconds + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the two calls: this attempt opens it again
        cache.set(key, 1, timeout=rate.seconds + 1)
        count = 1
    if count > rate.limit:
        raise RateLimited(retry_after=max(1, math.ceil((window + 1) * rate.seconds - now)))
