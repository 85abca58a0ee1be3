"""Lookups cached across requests that never serve what a committed write changed.

Each cached entry belongs to a generation: a token stored in Redis under a name (routes,
accounts, catalog …) and a schema. Whatever writes what a generation covers calls
`generation_bump`, which replaces the token at once and again once the write is committed;
entries are stored with the token they were read under and only count while it is still
the current one. One MGET reads the token and the entries together, so a cached lookup is
a single Redis round trip. Reads that raced a write are dropped by the second bump: an
entry read from the database before the commit carries a token the commit replaced.

Keys name their schema themselves (the "lookups" cache has no tenant key function): a
write made while the connection is in another schema's context still drops the right
entries, and no entry of one schema is ever read in another.

Redis unreachable: the backend below (RedisCache) steps aside, so lookups read the database
and writes still save (an entry a bump could not drop expires after TIMEOUT_SECONDS at
worst); each failed call is logged. Both caches ("default" and "lookups") use it.
"""

import functools
import hashlib
import logging
import secrets
from collections.abc import Callable, Hashable, Mapping
from typing import Any, TypeVar, cast

from django.core.cache import BaseCache, caches
from django.core.cache.backends import redis as django_redis
from django.core.cache.backends.dummy import DummyCache
from django.db import transaction
from redis import Redis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

_What = TypeVar("_What", bound=Hashable)  # what a cached entry is looked up by (an id, a name)
_Value = TypeVar("_Value")


def _steps_aside(method: Callable[..., Any], fallback: Callable[..., Any]) -> Callable[..., Any]:
    """`method` of Django's Redis client, answering `fallback(*args)` when Redis is unreachable."""

    @functools.wraps(method)
    def guarded(self: django_redis.RedisCacheClient, *args: Any) -> Any:
        try:
            return method(self, *args)
        except RedisError as exc:
            logger.warning("cache unreachable, %s stepped aside: %s", method.__name__, exc)
            return fallback(*args)

    return guarded


class _RedisCacheClient(django_redis.RedisCacheClient):
    """Django's client, with two changes.

    One redis.Redis object per server: Django's makes one (and its table of response
    callbacks) for every cache call, which cost more than the call itself. A redis.Redis
    is thread-safe, and Django's caches are per thread anyway.

    Redis unreachable, the cache steps aside instead of raising, for every caller (ours,
    allauth's rate limits and TOTP replay check, DRF's throttles): a read is a miss, a
    write is not kept, `add` reports the value stored and `incr` counts from zero, so
    limits open rather than lock everyone out while Redis is down. Nothing whose loss
    would matter may therefore live only in the cache: single use, exactly once and
    de-duplication are decided by the database."""

    def get_client(self, key: Any = None, *, write: bool = False) -> Redis:
        # Django's client keeps its pools and Redis class in private attributes, not in the stubs.
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        clients: dict[int, Redis] = self.__dict__.setdefault("_clients_by_pool", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client

    get = _steps_aside(django_redis.RedisCacheClient.get, lambda _key, default: default)
    get_many = _steps_aside(django_redis.RedisCacheClient.get_many, lambda _keys: {})
    has_key = _steps_aside(django_redis.RedisCacheClient.has_key, lambda _key: False)
    add = _steps_aside(django_redis.RedisCacheClient.add, lambda *_: True)
    incr = _steps_aside(django_redis.RedisCacheClient.incr, lambda _key, delta: delta)
    set = _steps_aside(django_redis.RedisCacheClient.set, lambda *_: None)
    set_many = _steps_aside(django_redis.RedisCacheClient.set_many, lambda *_: None)
    touch = _steps_aside(django_redis.RedisCacheClient.touch, lambda *_: False)
    delete = _steps_aside(django_redis.RedisCacheClient.delete, lambda _key: False)
    delete_many = _steps_aside(django_redis.RedisCacheClient.delete_many, lambda _keys: None)
    clear = _steps_aside(django_redis.RedisCacheClient.clear, lambda: False)


class RedisCache(django_redis.RedisCache):
    """django.core.cache.backends.redis.RedisCache, one redis.Redis object per server,
    stepping aside when Redis is unreachable (see _RedisCacheClient)."""

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _RedisCacheClient


LOOKUPS = "lookups"
# Entries also expire: what a bump could not reach (a process killed between the commit and
# its second bump) is dropped after this long.
TIMEOUT_SECONDS = 300


def _cache() -> BaseCache:
    return caches[LOOKUPS]


def _enabled(cache: BaseCache) -> bool:
    """False when the "lookups" cache is Django's dummy (the test suite's default)."""
    return not isinstance(cache, DummyCache)


def _generation_key(schema_name: str, name: str) -> str:
    return f"generation:{schema_name}:{name}"


def entry_key(schema_name: str, name: str, *parts: Hashable) -> str:
    """The key of an entry of generation `name` in `schema_name`; `parts` identify it."""
    return ":".join(["lookup", schema_name, name, *map(str, parts)])


def secret_part(value: str) -> str:
    """A key part for a secret (an API token): its digest, never the secret itself."""
    return hashlib.sha256(value.encode()).hexdigest()


def _new_token() -> str:
    return secrets.token_hex(8)


def cached_many(
    *,
    schema_name: str,
    name: str,
    keys: Mapping[str, _What],
    load: Callable[[list[_What]], dict[_What, _Value]],
) -> dict[_What, _Value]:
    """{what: value} for the `keys` ({cache key: what}) found in the cache under the current
    generation, the others from `load([what, …])` (which returns {what: value}, leaving out
    what does not exist: absences are never cached)."""
    cache = _cache()
    if not _enabled(cache):
        return load(list(keys.values()))
    generation_key = _generation_key(schema_name, name)
    # Redis unreachable (the backend steps aside): nothing is found, all is loaded, not kept.
    found = cache.get_many([generation_key, *keys])
    generation = found.pop(generation_key, None)
    if generation is None:
        generation = _new_token()
        if not cache.add(generation_key, generation, None):
            generation = cache.get(generation_key) or generation
    values: dict[_What, _Value] = {}
    missing: list[_What] = []
    for key, what in keys.items():
        entry = found.get(key)
        if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == generation:
            values[what] = entry[1]
        else:
            missing.append(what)
    if missing:
        loaded = load(missing)
        by_what = {what: key for key, what in keys.items()}
        cache.set_many(
            {by_what[what]: (generation, value) for what, value in loaded.items()}, TIMEOUT_SECONDS
        )
        values.update(loaded)
    return values


def cached_one(*, schema_name: str, name: str, key: str, load: Callable[[], _Value]) -> _Value:
    """The value under `key` in generation `name`, else `load()`; None is never cached."""

    def load_one(_whats: list[str]) -> dict[str, _Value]:
        value = load()
        return {} if value is None else {key: value}

    found = cached_many(schema_name=schema_name, name=name, keys={key: key}, load=load_one)
    # Absent only when load() answered None (never cached), which is then what it returns.
    return cast(_Value, found.get(key))


def generation_bump(*, schema_name: str, name: str) -> None:
    """Drop every entry of generation `name` in `schema_name`: call it on every write of what
    the generation covers, inside the writing transaction."""
    cache = _cache()
    if not _enabled(cache):
        return
    key = _generation_key(schema_name, name)

    def bump() -> None:
        # Redis unreachable, the set is not kept and the write goes on (while it is down every
        # lookup reads the database); entries it could not drop expire within TIMEOUT_SECONDS.
        cache.set(key, _new_token(), None)

    bump()
    transaction.on_commit(bump, robust=True)
