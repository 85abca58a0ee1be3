"""Test settings: real PostgreSQL and Redis, fast hashing, e-mails kept in memory."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-insecure-key")
os.environ.setdefault("EMAIL_URL", "memorymail://")
os.environ.setdefault("TESSERA_DEMO", "true")

from .base import *  # noqa: E402,F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# A Redis database of the suite's own, so tests never see a developer's data.
REDIS_URL = env("TESSERA_TEST_REDIS_URL", default="redis://127.0.0.1:6379/15")  # noqa: F405
CACHES["default"]["LOCATION"] = REDIS_URL  # noqa: F405
CACHES["ratelimit"]["LOCATION"] = REDIS_URL  # noqa: F405
# Lookups cached across requests (apps.core.cache) are off in the suite: every test reads the
# database, as the query counts of list pages and the on-commit callbacks tests count assume.
# Tests of the caching itself turn it on with the `lookups_cached` fixture (tests/lookups.py).
CACHES["lookups"] = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}  # noqa: F405
LOOKUPS_CACHE_WHEN_TESTED = {  # what `lookups_cached` puts in its place: production's, on REDIS_URL
    "BACKEND": "apps.core.cache.RedisCache",
    "LOCATION": REDIS_URL,
    "KEY_PREFIX": "tessera",
    "OPTIONS": CACHE_REDIS_OPTIONS,  # noqa: F405
}
CELERY_BROKER_URL = broker_url_from_redis_url(REDIS_URL)  # noqa: F405
# Tasks run eagerly in-process unless a test starts a real worker.
CELERY_TASK_ALWAYS_EAGER = env.bool("TESSERA_CELERY_EAGER", default=True)  # noqa: F405
CELERY_TASK_EAGER_PROPAGATES = True
MEDIA_ROOT = BASE_DIR / ".data" / "test-media"  # noqa: F405
STORAGES["exports"] = {  # noqa: F405
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": str(BASE_DIR / ".data" / "test-exports")},  # noqa: F405
}
WHITENOISE_AUTOREFRESH = True  # serve from the finders, no collectstatic needed
