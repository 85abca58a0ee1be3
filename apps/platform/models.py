import uuid

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import FacebookApp
from apps.billing.models import InvoiceIssuer
from apps.core.models import Branding
from apps.core.singletons import PublicSingleton
from apps.payments.models import PlatformStripeAccount
from apps.plans.models import PricingSettings
from apps.tenancy.models import HostSettings


class PlatformSettings(PublicSingleton):
    """The platform's own settings (one row, public schema): how organizers register. The rest of its settings page is stored by the apps
    that own it (see PlatformConfiguration)."""

    class Mode(models.TextChoices):
        SELF_SERVICE = "self_service", _("Self-service: every organizer gets its own organization")
        FULL_SERVICE = "full_service", _("Full-service: every organizer joins the owner's organization")

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

    class Meta:
        verbose_name = _("platform settings")
        verbose_name_plural = _("platform settings")

    def __str__(self) -> str:
        return str(_("Platform settings"))

    def clean(self) -> None:
        if self.mode == self.Mode.FULL_SERVICE and self.owner_organization_id is None:
            raise ValidationError(
                {"owner_organization": _("Full-service mode needs the owner's organization.")}
            )


class PlatformConfiguration:
    """What the platform's settings page shows and saves as one: each part a one-row table
    of the app that owns it. Reads a setting by its name from the part that holds it
    (`configuration.stripe_secret_key`); platform_settings_update writes them all at once."""

    PARTS: dict[str, type[PublicSingleton]] = {
        "brand": Branding,
        "hosts": HostSettings,
        "stripe": PlatformStripeAccount,
        "facebook": FacebookApp,
        "pricing": PricingSettings,
        "invoicing": InvoiceIssuer,
        "platform": PlatformSettings,
    }
    STRIPE_FIELDS = PlatformStripeAccount.FIELDS
    FACEBOOK_FIELDS = FacebookApp.FIELDS
    # Credentials: changing any needs the platform admin's password.
    CREDENTIAL_FIELDS = STRIPE_FIELDS + FACEBOOK_FIELDS
    SECRET_FIELDS = PlatformStripeAccount.SECRET_FIELDS + FacebookApp.SECRET_FIELDS  # never shown back

    def __init__(
        self,
        *,
        brand: Branding,
        hosts: HostSettings,
        stripe: PlatformStripeAccount,
        facebook: FacebookApp,
        pricing: PricingSettings,
        platform: PlatformSettings,
        invoicing: InvoiceIssuer | None = None,
    ) -> None:
        self.brand = brand
        self.hosts = hosts
        self.stripe = stripe
        self.facebook = facebook
        self.pricing = pricing
        self.invoicing = invoicing if invoicing is not None else InvoiceIssuer.stored()
        self.platform = platform

    @classmethod
    def part_of(cls, name: str) -> str:
        """The part ("brand", "hosts", …) whose table holds the setting of that name."""
        for part, model in cls.PARTS.items():
            if name in _field_names(model):
                return part
        raise KeyError(name)

    def row_of(self, name: str) -> PublicSingleton:
        return getattr(self, self.part_of(name))

    def __getattr__(self, name: str):
        # Only called for what the instance itself lacks: a setting, or a part's property.
        for part in self.PARTS:
            row = self.__dict__.get(part)
            if row is not None and hasattr(row, name):
                return getattr(row, name)
        raise AttributeError(name)


def _field_names(model: type[models.Model]) -> set[str]:
    return {field.name for field in model._meta.concrete_fields if not field.primary_key}


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
    plan = models.ForeignKey("plans.Plan", on_delete=models.PROTECT, related_name="+", verbose_name=_("plan"))
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
