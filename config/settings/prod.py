"""Production: everything from the environment, HTTPS only."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

# Keys written in this repository (development, tests, the compose file of old): public.
PUBLISHED_SECRET_KEYS = frozenset(
    {
        "dev-only-insecure-key-change-me",
        "test-only-insecure-key",
        "compose-local-only-insecure-key",
        "collectstatic-build-only",
    }
)
_MAKE_ONE = "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
if not SECRET_KEY:  # noqa: F405
    raise ImproperlyConfigured(
        f"SECRET_KEY is not set. Production needs a secret key of its own: make one with {_MAKE_ONE} "
        "and set it in the environment (the same on every web, worker and beat process)."
    )
if SECRET_KEY in PUBLISHED_SECRET_KEYS or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:  # noqa: F405
    raise ImproperlyConfigured(
        "SECRET_KEY is a published development key or too weak (under 50 characters). "
        f"Make a new one with {_MAKE_ONE}."
    )

DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)  # noqa: F405
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)  # noqa: F405
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)  # noqa: F405
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)  # noqa: F405
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
