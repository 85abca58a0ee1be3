from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin


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
