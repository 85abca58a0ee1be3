import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.branding import DEFAULT_ACCENT, DEFAULT_PRIMARY
from apps.organizers.models import hex_color
from apps.organizers.validators import validate_currency

validate_stripe_secret_key = RegexValidator(
    r"^(sk|rk)_(test|live)_[0-9A-Za-z]+$", _("A Stripe secret key starts with sk_test_ or sk_live_.")
)
validate_stripe_publishable_key = RegexValidator(
    r"^pk_(test|live)_[0-9A-Za-z]+$", _("A Stripe publishable key starts with pk_test_ or pk_live_.")
)
validate_stripe_webhook_secret = RegexValidator(
    r"^whsec_[0-9A-Za-z]+$", _("A Stripe webhook signing secret starts with whsec_.")
)
validate_stripe_connect_client_id = RegexValidator(
    r"^ca_[0-9A-Za-z]+$", _("A Stripe Connect client id starts with ca_.")
)
# Dot-separated labels of letters, digits and inner hyphens; "localhost" is a fine dev domain.
validate_host_name = RegexValidator(
    r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$",
    _("Enter a host name such as example.com."),
    flags=re.IGNORECASE,
)


def validate_name_servers(value: str) -> None:
    for line in value.splitlines():
        if line.strip():
            validate_host_name(line.strip().rstrip("."))


def default_platform_name() -> str:
    """The PLATFORM_NAME environment variable only seeds the stored name."""
    return settings.PLATFORM_NAME


def default_base_domain() -> str:
    return settings.PLATFORM_DOMAIN


def mask_secret(value: str) -> str:
    """`sk_test_…4242`: the key's kind and its last four characters, never the rest."""
    if not value:
        return ""
    prefix = value[: value.rfind("_") + 1] if "_" in value else ""
    return f"{prefix}…{value[-4:]}"


class PlatformSettings(models.Model):
    """The platform owner's settings (one row): brand, registration mode, Stripe account."""

    class Mode(models.TextChoices):
        SELF_SERVICE = "self_service", _("Self-service: every organizer gets its own organization")
        FULL_SERVICE = "full_service", _("Full-service: every organizer joins the owner's organization")

    # Fields whose change needs the platform admin's password, and those never shown back.
    STRIPE_FIELDS = (
        "stripe_secret_key",
        "stripe_publishable_key",
        "stripe_webhook_secret",
        "stripe_connect_client_id",
    )
    FACEBOOK_FIELDS = ("facebook_app_id", "facebook_app_secret")
    # Credentials: changing any needs the platform admin's password.
    CREDENTIAL_FIELDS = STRIPE_FIELDS + FACEBOOK_FIELDS
    SECRET_FIELDS = ("stripe_secret_key", "stripe_webhook_secret", "facebook_app_secret")

    name = models.CharField(_("platform name"), max_length=100, default=default_platform_name)
    logo = models.ImageField(_("logo"), upload_to="platform/logos/", blank=True)
    primary_color = models.CharField(
        _("primary colour"), max_length=7, default=DEFAULT_PRIMARY, validators=[hex_color]
    )
    accent_color = models.CharField(
        _("accent colour"), max_length=7, default=DEFAULT_ACCENT, validators=[hex_color]
    )
    support_email = models.EmailField(_("support e-mail address"), blank=True)
    legal_footer = models.TextField(
        _("legal footer"), blank=True, help_text=_("Shown at the foot of the platform's pages.")
    )
    default_currency = models.CharField(
        _("default currency"), max_length=3, default="EUR", validators=[validate_currency]
    )
    base_domain = models.CharField(
        _("base domain"),
        max_length=253,
        default=default_base_domain,
        validators=[validate_host_name],
        help_text=_("Client sites get <address>.<base domain>."),
    )
    name_servers = models.TextField(
        _("name servers"),
        blank=True,
        validators=[validate_name_servers],
        help_text=_("Shown to clients who bring their own domain; one per line."),
    )
    mode = models.CharField(
        _("organizer registration"), max_length=16, choices=Mode.choices, default=Mode.SELF_SERVICE
    )
    owner_organization = models.ForeignKey(
        "tenancy.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner's organization"),
        help_text=_("In full-service mode new organizers join it, and share its customers."),
    )
    stripe_secret_key = models.CharField(
        _("Stripe secret key"), max_length=255, blank=True, validators=[validate_stripe_secret_key]
    )
    stripe_publishable_key = models.CharField(
        _("Stripe publishable key"), max_length=255, blank=True, validators=[validate_stripe_publishable_key]
    )
    stripe_webhook_secret = models.CharField(
        _("Stripe webhook signing secret"),
        max_length=255,
        blank=True,
        validators=[validate_stripe_webhook_secret],
    )
    stripe_connect_client_id = models.CharField(
        _("Stripe Connect client id"),
        max_length=255,
        blank=True,
        validators=[validate_stripe_connect_client_id],
    )
    facebook_app_id = models.CharField(
        _("Facebook app id"),
        max_length=64,
        blank=True,
        validators=[RegexValidator(r"^[0-9]+$", _("A Facebook app id is made of digits."))],
        help_text=_("Empty: no “Continue with Facebook” on any site."),
    )
    facebook_app_secret = models.CharField(_("Facebook app secret"), max_length=255, blank=True)
    show_powered_by = models.BooleanField(
        _("show “Powered by Tessera”"),
        default=False,
        help_text=_("Off: nothing on any site names Tessera."),
    )

    class Meta:
        verbose_name = _("platform settings")
        verbose_name_plural = _("platform settings")

    def __str__(self) -> str:
        return str(_("Platform settings"))

    def clean(self):
        if self.mode == self.Mode.FULL_SERVICE and self.owner_organization_id is None:
            raise ValidationError(
                {"owner_organization": _("Full-service mode needs the owner's organization.")}
            )
        if bool(self.facebook_app_id) != bool(self.facebook_app_secret):
            raise ValidationError(
                {"facebook_app_secret": _("Facebook login needs both the app id and the app secret.")}
            )

    @property
    def name_server_list(self) -> list[str]:
        return [line.strip() for line in self.name_servers.splitlines() if line.strip()]

    @property
    def stripe_secret_key_masked(self) -> str:
        return mask_secret(self.stripe_secret_key)

    @property
    def facebook_login_enabled(self) -> bool:
        return bool(self.facebook_app_id and self.facebook_app_secret)

    @property
    def stripe_webhook_secret_masked(self) -> str:
        return mask_secret(self.stripe_webhook_secret)

    @classmethod
    def load(cls) -> "PlatformSettings":
        settings, _created = cls.objects.get_or_create(pk=1)
        return settings


# Addresses the platform host uses itself (or may soon): an info page may not take them.
RESERVED_PAGE_SLUGS = frozenset(
    {
        "platform",
        "register",
        "events",
        "admin",
        "api",
        "accounts",
        "i18n",
        "healthz",
        "static",
        "media",
        "pricing",
    }
)

validate_page_slug_format = RegexValidator(
    r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$",
    _("Use lowercase letters, digits and hyphens, e.g. about-us."),
)


def validate_page_slug_free(value: str) -> None:
    if value.lower() in RESERVED_PAGE_SLUGS:
        raise ValidationError(
            _("The address /%(slug)s/ belongs to the platform itself; choose another."),
            code="reserved",
            params={"slug": value},
        )


class InfoPage(models.Model):
    """A page of the platform owner's site (about, contact, terms…) at /<slug>/ on the
    platform host. Its body is plain text: paragraphs, never HTML. A signup page shows its
    body and then the client signup form."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Text page")
        SIGNUP = "signup", _("Signup page: the text, then the client signup form")

    title = models.CharField(_("title"), max_length=200)
    slug = models.CharField(
        _("address"),
        max_length=50,
        unique=True,
        validators=[validate_page_slug_format, validate_page_slug_free],
        help_text=_("The page is at /<address>/ on the platform's site."),
        error_messages={"unique": _("Another page already has this address.")},
    )
    body = models.TextField(
        _("text"), blank=True, help_text=_("Plain text; an empty line starts a new paragraph.")
    )
    kind = models.CharField(_("page type"), max_length=16, choices=Kind.choices, default=Kind.TEXT)
    is_published = models.BooleanField(_("published"), default=False)
    show_in_nav = models.BooleanField(
        _("show in the navigation"), default=False, help_text=_("Linked in the site's menu once published.")
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("info page")
        verbose_name_plural = _("info pages")
        ordering = ["sort_order", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"/{self.slug}/"


class ClientSignup(models.Model):
    """A client's signup from the platform's signup page, until its site is live.

    Holds what the signup form gave (the password only as a hash) while the site is
    provisioned in the background; the signup page shows its status until it is ready.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to start")
        PROVISIONING = "provisioning", _("Setting up your site")
        READY = "ready", _("Your site is ready")
        FAILED = "failed", _("Set-up failed")

    FINISHED = (Status.READY, Status.FAILED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    # The registration mode when the client signed up: provisioning follows it even if the
    # owner switches modes meanwhile.
    mode = models.CharField(
        _("registration mode"),
        max_length=16,
        choices=PlatformSettings.Mode.choices,
        default=PlatformSettings.Mode.SELF_SERVICE,
    )
    plan = models.ForeignKey(
        "billing.Plan", on_delete=models.PROTECT, related_name="+", verbose_name=_("plan")
    )
    organization = models.ForeignKey(
        "tenancy.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("organization"),
    )
    organization_name = models.CharField(_("organization"), max_length=200)
    organizer_name = models.CharField(_("organizer"), max_length=200)
    slug = models.SlugField(_("address"), max_length=63)
    legal_name = models.CharField(_("legal name"), max_length=200)
    country = models.CharField(_("country"), max_length=2)
    currency = models.CharField(_("currency"), max_length=3)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail address"))
    password_hash = models.CharField(max_length=128, editable=False)
    language = models.CharField(_("language"), max_length=10, blank=True)
    terms_accepted_at = models.DateTimeField(_("terms accepted"))
    host = models.CharField(_("site address"), max_length=253, blank=True)
    operator_id = models.PositiveIntegerField(null=True, blank=True, editable=False)
    organizer_id = models.PositiveIntegerField(null=True, blank=True, editable=False)
    failure_reason = models.TextField(
        _("failure reason"), blank=True, help_text=_("For the platform admins; the client never sees it.")
    )
    failure_message = models.TextField(_("message to the client"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    landed_at = models.DateTimeField(_("landed"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("client signup")
        verbose_name_plural = _("client signups")
        ordering = ["-created_at"]
        constraints = [
            # One live signup per address: two clients racing for a slug cannot both get it.
            models.UniqueConstraint(
                fields=["slug"],
                condition=~models.Q(status="failed"),
                name="platform_clientsignup_one_live_per_slug",
                violation_error_message=_("This address is already taken."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.organizer_name} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY
