"""The `lookups_cached` fixture: the "lookups" cache (apps.core.cache), off in the suite
(config/settings/test.py), on as in production for the tests of caching. Use it with
`pytestmark = pytest.mark.usefixtures("lookups_cached")` after importing it."""

import pytest


@pytest.fixture
def lookups_cached(settings):
    settings.CACHES = {**settings.CACHES, "lookups": settings.LOOKUPS_CACHE_WHEN_TESTED}
    from django.core.cache import caches

    caches["lookups"].clear()
    return caches["lookups"]
