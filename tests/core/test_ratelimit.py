"""apps.core.ratelimit: the one client address every limit counts by (as many proxies trusted
as TRUSTED_PROXY_COUNT says), and counters that stay exact when attempts arrive together,
name their schema, and step aside when Redis is down."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import caches
from django.test import RequestFactory
from django_tenants.utils import schema_context

from apps.core.exceptions import RateLimited
from apps.core.ratelimit import Rate, client_address, client_network, rate_limit_hit
from tests.tenants import ALPHA, BETA


def _request(remote="198.51.100.7", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_with_no_proxy_trusted_the_client_is_remote_addr(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_address(_request(forwarded="192.0.2.1")) == "198.51.100.7"


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (1, "192.0.2.1, 203.0.113.9", "203.0.113.9"),  # the visitor forged the first entry
        (2, "192.0.2.1, 203.0.113.9, 10.0.0.2", "203.0.113.9"),  # two proxies appended
        (2, "203.0.113.9", "198.51.100.7"),  # shorter than the proxies: not through them
        (1, "not an address", "198.51.100.7"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_behind_proxies_the_address_the_outermost_one_saw(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count

    assert client_address(_request(forwarded=forwarded)) == expected


def test_an_ipv6_client_counts_as_its_slash_64(settings):
    one = client_network(_request(remote="2001:db8:1:2::1"))
    other = client_network(_request(remote="2001:db8:1:2:ffff::9"))

    assert one == other == "2001:db8:1:2::"


def test_rates_are_read_as_attempts_per_window():
    assert Rate.parse("5/h") == Rate(limit=5, seconds=3600)
    assert Rate.parse("30/m") == Rate(limit=30, seconds=60)
    assert Rate.parse("10/300s") == Rate(limit=10, seconds=300)
    with pytest.raises(ValueError, match="not a rate"):
        Rate.parse("many")


def test_past_the_limit_the_refusal_says_when_to_come_back(db):
    rate = Rate(limit=2, seconds=60)
    rate_limit_hit(scope="test", ident="a", rate=rate, now=1200.0)
    rate_limit_hit(scope="test", ident="a", rate=rate, now=1210.0)

    with pytest.raises(RateLimited) as refused:
        rate_limit_hit(scope="test", ident="a", rate=rate, now=1230.0)

    assert refused.value.retry_after == 30
    assert refused.value.status_code == 429
    rate_limit_hit(scope="test", ident="b", rate=rate, now=1230.0)  # another client
    rate_limit_hit(scope="test", ident="a", rate=rate, now=1260.0)  # the next window


def test_attempts_arriving_together_never_pass_past_the_limit(db):
    """Forty threads, each with its own Redis connection, hit one limit of 10 at once."""
    rate = Rate(limit=10, seconds=600)
    barrier = threading.Barrier(40)

    def attempt(_i):
        barrier.wait(timeout=30)
        try:
            rate_limit_hit(scope="test-race", ident="one client", rate=rate)
        except RateLimited:
            return "refused"
        finally:
            caches["ratelimit"].close()
        return "passed"

    with ThreadPoolExecutor(max_workers=40) as pool:
        outcomes = list(pool.map(attempt, range(40)))

    assert outcomes.count("passed") == 10
    assert outcomes.count("refused") == 30


def test_counters_are_kept_per_schema_under_keys_naming_it(organizations):
    rate = Rate(limit=1, seconds=600)
    with schema_context(ALPHA.schema_name):
        rate_limit_hit(scope="test", ident="same", rate=rate)
    with schema_context(BETA.schema_name):
        rate_limit_hit(scope="test", ident="same", rate=rate)  # beta's own counter

    keys = caches["ratelimit"]._cache.get_client().keys("*ratelimit:*")
    assert any(f"ratelimit:{ALPHA.schema_name}:test:".encode() in key for key in keys)
    assert any(f"ratelimit:{BETA.schema_name}:test:".encode() in key for key in keys)


def test_with_redis_down_limits_step_aside(settings, caplog):
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {**settings.CACHES["ratelimit"], "LOCATION": "redis://127.0.0.1:1/0"},
    }
    for _ in range(3):
        rate_limit_hit(scope="test", ident="a", rate=Rate(limit=1, seconds=60))

    assert "cache unreachable" in caplog.text


def test_an_empty_setting_switches_a_limit_off(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup": ""}
    for _ in range(50):
        rate_limit_hit(scope="signup", ident="a")


@pytest.mark.parametrize(
    ("host", "path"), [("localhost", "/api/v1/auth/token/"), (ALPHA.host, "/api/v1/orders/")]
)
def test_throttled_operations_document_their_429_and_retry_after(client, organizations, host, path):
    import yaml

    schema = yaml.safe_load(client.get("/api/schema/", HTTP_HOST=host).content)

    refusal = schema["paths"][path]["post"]["responses"]["429"]
    assert "Retry-After" in refusal["headers"]
