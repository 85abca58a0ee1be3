import re
from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

from apps.core.singletons import PublicSingleton

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


def default_base_domain() -> str:
    return settings.PLATFORM_DOMAIN


class Organization(TenantMixin):
    """The holding that owns customer identities and organizer data: one PostgreSQL schema."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being set up")
        READY = "ready", _("Live")
        FAILED = "failed", _("Set-up failed")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=63, unique=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    failure_reason = models.TextField(_("failure reason"), blank=True)
    template_schema = models.CharField(
        _("cloned from"),
        max_length=63,
        blank=True,
        help_text=_("The template schema this organization's schema was cloned from."),
    )
    is_template = models.BooleanField(
        _("template site"),
        default=False,
        help_text=_(
            "Kept only to be cloned: not served to the public, and only platform admins "
            "(in a support session) enter it."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    provisioned_at = models.DateTimeField(_("live since"), null=True, blank=True)

    # Schemas are created by apps.tenancy.services.organization_provision (clone in a
    # transaction), never as a side effect of save().
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY


class Domain(DomainMixin):
    """A host name that routes to an organization, optionally to one organizer's storefront."""

    organizer_slug = models.SlugField(
        _("organizer"),
        max_length=63,
        blank=True,
        help_text=_("When set, this host serves that organizer's storefront and control panel."),
    )
    # A client's own domain routes only once verified (a DNS TXT record with the token).
    is_custom = models.BooleanField(_("client's own domain"), default=False)
    verification_token = models.CharField(_("verification token"), max_length=64, blank=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    last_checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    last_check_error = models.CharField(_("last check result"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("added"), auto_now_add=True, null=True)

    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")

    def __str__(self) -> str:
        return self.domain

    @property
    def release_at(self) -> datetime | None:
        """When an unverified custom domain is released (CUSTOM_DOMAIN_RELEASE_DAYS after it
        was added); None once verified, or for the platform's own hosts."""
        if not self.is_custom or self.verified_at is not None or self.created_at is None:
            return None
        return self.created_at + timedelta(days=settings.CUSTOM_DOMAIN_RELEASE_DAYS)


class HostSettings(PublicSingleton):
    """The platform's hosts (one row, public schema): the base domain client hosts end with,
    and the name servers shown to clients who bring their own domain."""

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

    class Meta:
        verbose_name = _("host settings")
        verbose_name_plural = _("host settings")

    def __str__(self) -> str:
        return self.base_domain

    @property
    def name_server_list(self) -> list[str]:
        return [line.strip() for line in self.name_servers.splitlines() if line.strip()]
