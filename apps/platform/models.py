from django.db import models
from django.utils.translation import gettext_lazy as _


class PlatformSettings(models.Model):
    """The platform owner's settings (one row)."""

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

    @classmethod
    def load(cls) -> "PlatformSettings":
        settings, _created = cls.objects.get_or_create(pk=1)
        return settings
