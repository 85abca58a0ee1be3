"""Settings shared by every environment; deploy-time values come from the environment."""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="")  # dev and test set their own; prod refuses a missing one
DEBUG = env.bool("DEBUG", default=False)
# The demo platform (manage.py seed_demo) logs in with a published password and TOTP secret:
# only where this is on (development and tests; production only when asked for).
DEMO_ENABLED = env.bool("TESSERA_DEMO", default=False)

# The platform owner's own host; organizations live on <slug>.PLATFORM_DOMAIN or custom domains.
PLATFORM_DOMAIN = env("PLATFORM_DOMAIN", default="localhost")
PLATFORM_NAME = env("PLATFORM_NAME", default="Tessera")
# Port in links that e-mails and redirects build (empty behind a proxy on 80/443).
PLATFORM_PORT = env("PLATFORM_PORT", default="")
# How long a platform admin's support session in a client's site lasts, at most.
SUPPORT_SESSION_MINUTES = env.int("SUPPORT_SESSION_MINUTES", default=60)
# Host names no organization may take as its slug.
RESERVED_SLUGS = frozenset(
    {"www", "api", "admin", "platform", "static", "media", "mail", "control", "public"}
)

# Every host is checked against the Domain table by the tenant middleware, which answers
# an unknown host with a 404; the list below only widens what Django parses.
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["*"])

# --- Applications: django-tenants decides which tables live in public vs every schema.
SHARED_APPS = [
    # apps.tenancy first: its migrate_schemas (which also migrates the template) wins.
    "apps.tenancy",
    "django_tenants",
    "apps.core",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "django_countries",
    "knox",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.facebook",
    "allauth.mfa",
    "apps.accounts",
    "apps.platform",
    "apps.plans",
    "apps.billing",
    "apps.hub",
    "apps.payments",
]

TENANT_APPS = [
    "apps.core",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.admin",
    "knox",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.mfa",
    "apps.accounts",
    "apps.organizers",
    "apps.operators",
    "apps.events",
    "apps.sales",
    "apps.payments",
]

INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenancy.Organization"
TENANT_DOMAIN_MODEL = "tenancy.Domain"
# New organizations are cloned from this schema (migrated by our migrate_schemas).
TENANT_BASE_SCHEMA = "tenant_template"
TENANT_CREATION_FAKES_MIGRATIONS = True
# SET search_path once per connection and schema switch, not before every query (the
# installed django-tenants forgets it on rollback, so an aborted SET is never trusted).
TENANT_LIMIT_SET_CALLS = True
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
ROOT_URLCONF = "config.urls_tenant"
DEFAULT_NOT_FOUND_TENANT_VIEW = "apps.tenancy.views.unknown_host"

DATABASES = {"default": env.db_url("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/tessera")}
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

MIDDLEWARE = [
    # First, so every answer carries them: error pages and the unknown-host 404 included.
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "apps.core.middleware.HealthCheckMiddleware",
    "apps.tenancy.middleware.TenantMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "apps.accounts.middleware.SessionSchemaMiddleware",
    "apps.accounts.middleware.TemplateSiteMiddleware",
    "apps.organizers.middleware.OrganizerMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "apps.accounts.middleware.SupportSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.platform.context_processors.brand",
                "apps.billing.context_processors.billing_notice",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# --- Content-Security-Policy (django-csp): our own origin only, no inline script or style
# (behaviour in static/js attached by data-* attributes, styles in static/css). Pages that
# load Stripe.js widen it for Stripe's hosts alone (apps.payments.csp). An owner who needs
# another host adds it to CSP_<DIRECTIVE>_EXTRA, e.g. CSP_IMG_SRC_EXTRA=https://cdn.example.com.
CSP_EXTRA = {
    directive: env.list(f"CSP_{directive.upper().replace('-', '_')}_EXTRA", default=[])
    for directive in ("script-src", "style-src", "img-src", "font-src", "connect-src", "frame-src")
}
CSP_REPORT_URI = env("CSP_REPORT_URI", default="")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", *CSP_EXTRA["script-src"]],
        "style-src": ["'self'", *CSP_EXTRA["style-src"]],
        # data: for the SVG icons that Pico's and Swagger UI's style sheets embed.
        "img-src": ["'self'", "data:", *CSP_EXTRA["img-src"]],
        "font-src": ["'self'", *CSP_EXTRA["font-src"]],
        "connect-src": ["'self'", *CSP_EXTRA["connect-src"]],
        # No frame-src: default-src answers; pages with Stripe.js set Stripe's frames alone.
        **({"frame-src": CSP_EXTRA["frame-src"]} if CSP_EXTRA["frame-src"] else {}),
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        **({"report-uri": CSP_REPORT_URI} if CSP_REPORT_URI else {}),
    }
}
# Features no page uses are off for the page and every frame in it (Stripe's included).
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# --- Users: one User table per schema (public = platform admins; organization = operators, customers).
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# Links are valid in their own schema only (apps.core.tokens): confirmations are stored random
# keys, not allauth's default signed row id (the same id exists in every schema).
ACCOUNT_EMAIL_CONFIRMATION_HMAC = False
ACCOUNT_PASSWORD_RESET_TOKEN_GENERATOR = "apps.accounts.tokens.SchemaPasswordResetTokenGenerator"  # noqa: S105
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_ADAPTER = "apps.accounts.adapter.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "apps.accounts.adapter.SocialAccountAdapter"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env("ACCOUNT_DEFAULT_HTTP_PROTOCOL", default="http")
# Facebook's app id and secret come from the platform settings (SocialAccountAdapter), not from here.
SOCIALACCOUNT_PROVIDERS = {
    "facebook": {
        "METHOD": "oauth2",
        "SCOPE": ["email", "public_profile"],
        # allauth does not take Facebook's e-mail addresses as verified: the usual confirmation applies.
        "VERIFIED_EMAIL": False,
    }
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# Failed logins: 10 a minute per address, and 5 in 5 minutes per account *from one address*
# (AccountAdapter keys the account's count by address too): a stranger's wrong passwords
# never lock the owner out elsewhere.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}

# --- Clients and rate limits (apps.core.ratelimit). How many proxies in front of the site
# append to X-Forwarded-For (0: none, the client is REMOTE_ADDR). Each limit is attempts per
# client address (per user for order creation) in a window: "5/h", "30/m", "10/300s"; an
# empty value switches it off.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
RATE_LIMITS = {
    "signup": env("RATE_LIMIT_SIGNUP", default="10/h"),  # client signups (each clones a schema)
    "api_token": env("RATE_LIMIT_API_TOKEN", default="20/m"),  # POST /api/v1/auth/token/
    "api_order_create": env("RATE_LIMIT_API_ORDER_CREATE", default="120/m"),  # POST /api/v1/orders/
    "reservation": env("RATE_LIMIT_RESERVATION", default="30/10m"),  # tickets put in a shop cart
    "waiting_list": env("RATE_LIMIT_WAITING_LIST", default="10/h"),  # shop visitors joining a waiting list
    "voucher": env("RATE_LIMIT_VOUCHER", default="30/10m"),  # codes typed or linked in the shop
}

# --- Sessions and cookies: host-only, so no cookie crosses from one organization's host to another.
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Redis: cache keys carry the schema; Celery uses the same server.
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
# Both caches step aside when Redis is unreachable (apps.core.cache.RedisCache); a Redis that
# stops answering costs a request at most this long per call, not redis-py's 5 s.
CACHE_REDIS_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
CACHES = {
    "default": {
        "BACKEND": "apps.core.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="tessera"),
        "OPTIONS": CACHE_REDIS_OPTIONS,
    },
    # Lookups cached across requests (host routing, API tokens, what is on sale), dropped on
    # every write by apps.core.cache: their keys name their schema themselves.
    "lookups": {
        "BACKEND": "apps.core.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="tessera"),
        "OPTIONS": CACHE_REDIS_OPTIONS,
    },
    # Rate-limit counters (apps.core.ratelimit): keys name their schema themselves.
    "ratelimit": {
        "BACKEND": "apps.core.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="tessera"),
        "OPTIONS": CACHE_REDIS_OPTIONS,
    },
}


def broker_url_from_redis_url(url: str) -> str:
    """Celery spells a Unix-socket Redis as redis+socket://; Django's cache as unix://."""
    if url.startswith("unix://"):
        path, _sep, query = url.removeprefix("unix://").partition("?")
        db = dict(part.split("=", 1) for part in query.split("&") if "=" in part).get("db", "0")
        return f"redis+socket://{path}?virtual_host={db}"
    return url


CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=broker_url_from_redis_url(REDIS_URL))
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "apps.core.tasks.send_email": {"queue": "email"},
    "apps.tenancy.tasks.*": {"queue": "provisioning"},
    "apps.platform.tasks.provision_*": {"queue": "provisioning"},
    "apps.billing.tasks.*": {"queue": "billing"},
    "apps.sales.tasks.send_order_confirmation": {"queue": "email"},
}
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {
        "task": "apps.tenancy.tasks.clear_expired_sessions_everywhere",
        "schedule": 60 * 60 * 6,
        "kwargs": {"schema_name": "public"},
    },
    "rebuild-events-hub": {
        "task": "apps.hub.tasks.rebuild_hub",
        "schedule": 60 * 60 * 24,
        "kwargs": {"schema_name": "public"},
    },
    "run-billing": {
        "task": "apps.billing.tasks.run_billing",
        "schedule": crontab(hour=6, minute=0),
        "kwargs": {"schema_name": "public"},
    },
    "charge-due-invoices": {
        "task": "apps.billing.tasks.charge_due_invoices",
        "schedule": crontab(hour=7, minute=0),
        "kwargs": {"schema_name": "public"},
    },
    "refresh-clients-monthly-sales": {
        "task": "apps.billing.tasks.refresh_sales_months",
        "schedule": 60 * 10,
        "kwargs": {"schema_name": "public"},
    },
    # Offers freed seats to waiting lists that no trigger served (the triggers' safety net).
    "serve-waiting-lists": {
        "task": "apps.sales.tasks.serve_waiting_lists_everywhere",
        "schedule": 60 * 5,
        "kwargs": {"schema_name": "public"},
    },
    "expire-unpaid-orders": {
        "task": "apps.sales.tasks.expire_orders_everywhere",
        "schedule": 60,
        "kwargs": {"schema_name": "public"},
    },
    # Side effects whose task was lost (broker down at the commit, Redis lost its queue): the
    # rows still unsent after apps.core.emails.PENDING_AFTER are sent again, at least once.
    "send-pending-emails": {
        "task": "apps.tenancy.tasks.send_pending_emails_everywhere",
        "schedule": 60 * 2,
        "kwargs": {"schema_name": "public"},
    },
    "send-pending-order-confirmations": {
        "task": "apps.sales.tasks.send_pending_confirmations_everywhere",
        "schedule": 60 * 2,
        "kwargs": {"schema_name": "public"},
    },
    "sweep-exports": {  # exports whose task was lost are queued again; old ones deleted
        "task": "apps.sales.tasks.sweep_exports_everywhere",
        "schedule": 60 * 2,
        "kwargs": {"schema_name": "public"},
    },
    "send-pending-invoices": {
        "task": "apps.billing.tasks.send_pending_invoices",
        "schedule": 60 * 2,
        "kwargs": {"schema_name": "public"},
    },
    "retry-stalled-signups": {
        "task": "apps.platform.tasks.provision_stalled_signups",
        "schedule": 60 * 5,
        "kwargs": {"schema_name": "public"},
    },
    "retry-stalled-provisioning": {
        "task": "apps.tenancy.tasks.retry_stalled_provisioning",
        "schedule": 60 * 5,
        "kwargs": {"schema_name": "public"},
    },
    "refund-unusable-payments": {
        "task": "apps.payments.tasks.refund_due_everywhere",
        "schedule": 60 * 5,
        "kwargs": {"schema_name": "public"},
    },
    "verify-custom-domains": {
        "task": "apps.tenancy.tasks.verify_pending_custom_domains",
        "schedule": 60 * 10,
        "kwargs": {"schema_name": "public"},
    },
    "resume-stalled-replications": {
        "task": "apps.events.tasks.resume_stalled_replications_everywhere",
        "schedule": 60 * 5,
        "kwargs": {"schema_name": "public"},
    },
    "release-unverified-custom-domains": {
        "task": "apps.tenancy.tasks.release_unverified_custom_domains",
        "schedule": 60 * 60,
        "kwargs": {"schema_name": "public"},
    },
}

# --- E-mail.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default=f"no-reply@{PLATFORM_DOMAIN}")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Stripe (platform account; organizers connect their own accounts).
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_CONNECT_CLIENT_ID = env("STRIPE_CONNECT_CLIENT_ID", default="")
STRIPE_API_BASE = env("STRIPE_API_BASE", default="https://api.stripe.com")
# Stripe.js must come from Stripe (PCI); tests point it at the fake server's copy.
STRIPE_JS_URL = env("STRIPE_JS_URL", default="https://js.stripe.com/v3/")
# The buyer's return page asks Stripe about a payment at most once in this many seconds.
PAYMENTS_RECONCILE_SECONDS = env.int("PAYMENTS_RECONCILE_SECONDS", default=5)

# --- REST API.
# API tokens: django-rest-knox's hashed tokens in our model (apps.accounts.models.ApiToken),
# valid API_TOKEN_TTL_DAYS (0: until revoked), per schema like the users they log in.
KNOX_TOKEN_MODEL = "accounts.ApiToken"  # noqa: S105 - a model name
# knox's own migrations would create its unused (swapped-out) table: the app runs without them.
MIGRATION_MODULES = {"knox": None}
API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", default=30)
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=API_TOKEN_TTL_DAYS) if API_TOKEN_TTL_DAYS else None,
    "AUTH_HEADER_PREFIX": "Token",
}
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "apps.core.api_schema.TesseraAutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.accounts.authentication.CachedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "EXCEPTION_HANDLER": "apps.core.api.exception_handler",
    # DRF's parsers, JSON with its nesting bounded (apps.core.json_input).
    "DEFAULT_PARSER_CLASSES": [
        "apps.core.json_input.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tessera API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI comes from our static files (static/vendor/swagger-ui), never a CDN.
    "SWAGGER_UI_DIST": "/static/vendor/swagger-ui",
    "SWAGGER_UI_FAVICON_HREF": "/static/vendor/swagger-ui/favicon-32x32.png",
    "ENUM_NAME_OVERRIDES": {
        "DistributionKindEnum": "apps.organizers.models.Distribution.Kind",
        "ReplicationKindEnum": ["recurrence", "copy"],
        "BillingAccountStatusEnum": "apps.billing.models.BillingAccount.Status",
        "FeatureEnum": "apps.plans.models.Feature",
        # Every country field (a plan's price, the invoice issuer's) shares one choice set.
        "CountryEnum": "django_countries.countries",
        # An order's and a ticket's states and payment methods: one choice set each, whether
        # in an order, its detail or the list's query parameters.
        "OrderStatusEnum": "apps.sales.models.Order.Status",
        "OrderPaymentMethodEnum": "apps.sales.models.Order.PaymentMethod",
        "TicketStatusEnum": "apps.sales.models.Ticket.Status",
    },
}

# --- Internationalisation: English and French ship.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media: media are stored per organization (<MEDIA_ROOT>/<schema>/...).
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
STORAGES = {
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    # Exports (apps.sales.models.Export): private, under <EXPORTS_ROOT>/<schema>/exports/, never
    # served by URL; downloaded through their requester's link only.
    "exports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env("EXPORTS_ROOT", default=str(BASE_DIR / "private" / "exports"))},
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"tenant_context": {"()": "django_tenants.log.TenantContextFilter"}},
    "formatters": {
        "tenant_context": {"format": "[%(schema_name)s:%(domain_url)s] %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["tenant_context"],
            "formatter": "tenant_context",
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# --- Custom domains: verified by a DNS TXT record. Empty nameservers = the system resolver;
# tests point these at a local DNS server.
DOMAIN_VERIFICATION_NAMESERVERS = env.list("DOMAIN_VERIFICATION_NAMESERVERS", default=[])
DOMAIN_VERIFICATION_PORT = env.int("DOMAIN_VERIFICATION_PORT", default=53)
DOMAIN_VERIFICATION_PREFIX = "_tessera-verify"
# A custom domain still unverified this many days after it was added is released (a beat
# task removes it), so nobody can hold a name they do not own.
CUSTOM_DOMAIN_RELEASE_DAYS = env.int("CUSTOM_DOMAIN_RELEASE_DAYS", default=7)

# --- Events: a replication of more dates than this runs on the worker (the page shows its
# progress); smaller ones are made within the request.
EVENTS_REPLICATION_INLINE_MAX = env.int("EVENTS_REPLICATION_INLINE_MAX", default=50)

# --- Sales: how long tickets in a cart or an unpaid order stay reserved.
SALES_RESERVATION_MINUTES = env.int("SALES_RESERVATION_MINUTES", default=15)
# How many tickets the shop's carts and unpaid orders of one browser session, and of one
# client network (an address; IPv6: its /64), may hold at once in an organization (0: no limit).
SALES_HOLD_LIMIT_PER_SESSION = env.int("SALES_HOLD_LIMIT_PER_SESSION", default=20)
SALES_HOLD_LIMIT_PER_NETWORK = env.int("SALES_HOLD_LIMIT_PER_NETWORK", default=60)
# How long the seats of a waiting list's offer stay held for its buyer (apps.sales.services.waiting_list).
SALES_WAITING_LIST_OFFER_HOURS = env.int("SALES_WAITING_LIST_OFFER_HOURS", default=24)
