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

Redis unreachable: lookups read the database and writes still save (an entry a bump could
not drop expires after TIMEOUT_SECONDS at worst); each miss is logged.
"""

import hashlib
import logging
import secrets
from collections.abc import Callable, Hashable
from typing import Any

from django.core.cache import caches
from django.core.cache.backends import redis as django_redis
from django.core.cache.backends.dummy import DummyCache
from django.db import transaction
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


class _RedisCacheClient(django_redis.RedisCacheClient):
    """Django's client makes a redis.Redis object (and its table of response callbacks) for
    every cache call; that cost more than the call itself. One per server is kept: a
    redis.Redis is thread-safe, and Django's caches are per thread anyway."""

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients_by_pool", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    """django.core.cache.backends.redis.RedisCache, one redis.Redis object per server."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _RedisCacheClient


LOOKUPS = "lookups"
# Entries also expire: what a bump could not reach (a process killed between the commit and
# its second bump) is dropped after this long.
TIMEOUT_SECONDS = 300


def _cache():
    return caches[LOOKUPS]


def _enabled(cache) -> bool:
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
    *, schema_name: str, name: str, keys: dict[str, Hashable], load: Callable[[list], dict]
) -> dict:
    """{what: value} for the `keys` ({cache key: what}) found in the cache under the current
    generation, the others from `load([what, …])` (which returns {what: value}, leaving out
    what does not exist: absences are never cached)."""
    cache = _cache()
    if not _enabled(cache):
        return load(list(keys.values()))
    generation_key = _generation_key(schema_name, name)
    try:
        found = cache.get_many([generation_key, *keys])
        generation = found.pop(generation_key, None)
        if generation is None:
            generation = _new_token()
            if not cache.add(generation_key, generation, None):
                generation = cache.get(generation_key) or generation
    except RedisError:
        logger.warning("lookups cache unreachable: %s of %s read from the database", name, schema_name)
        return load(list(keys.values()))
    values, missing = {}, []
    for key, what in keys.items():
        entry = found.get(key)
        if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == generation:
            values[what] = entry[1]
        else:
            missing.append(what)
    if missing:
        loaded = load(missing)
        by_what = {what: key for key, what in keys.items()}
        try:
            cache.set_many(
                {by_what[what]: (generation, value) for what, value in loaded.items()}, TIMEOUT_SECONDS
            )
        except RedisError:
            logger.warning("lookups cache unreachable: %s of %s not kept", name, schema_name)
        values.update(loaded)
    return values


def cached_one(*, schema_name: str, name: str, key: str, load: Callable[[], Any]) -> Any:
    """The value under `key` in generation `name`, else `load()`; None is never cached."""

    def load_one(_whats):
        value = load()
        return {} if value is None else {key: value}

    return cached_many(schema_name=schema_name, name=name, keys={key: key}, load=load_one).get(key)


def generation_bump(*, schema_name: str, name: str) -> None:
    """Drop every entry of generation `name` in `schema_name`: call it on every write of what
    the generation covers, inside the writing transaction."""
    cache = _cache()
    if not _enabled(cache):
        return
    key = _generation_key(schema_name, name)

    def bump() -> None:
        # Redis unreachable: the write goes on (while it is down every lookup reads the
        # database); entries it could not drop expire within TIMEOUT_SECONDS at worst.
        try:
            cache.set(key, _new_token(), None)
        except RedisError:
            logger.error("lookups cache unreachable: %s of %s not dropped", name, schema_name)

    bump()
    transaction.on_commit(bump, robust=True)
