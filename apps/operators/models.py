from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

User = settings.AUTH_USER_MODEL


class ConfigurationPermission(models.Model):
    """Operator ↔ organizer: may configure the organizer's events, fees and pages."""

    operator = models.ForeignKey(User, on_delete=models.CASCADE, related_name="configuration_permissions")
    organizer = models.ForeignKey(
        "organizers.Organizer", on_delete=models.CASCADE, related_name="configuration_permissions"
    )
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("configuration permission")
        verbose_name_plural = _("configuration permissions")
        constraints = [
            models.UniqueConstraint(fields=["operator", "organizer"], name="accounts_configuration_once")
        ]

    def __str__(self) -> str:
        return f"{self.operator} → {self.organizer}"


class SalePermission(models.Model):
    """Operator ↔ distribution: may sell and manage tickets in that sale channel."""

    operator = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sale_permissions")
    distribution = models.ForeignKey(
        "organizers.Distribution", on_delete=models.CASCADE, related_name="sale_permissions"
    )
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sale permission")
        verbose_name_plural = _("sale permissions")
        constraints = [
            models.UniqueConstraint(fields=["operator", "distribution"], name="accounts_sale_once")
        ]

    def __str__(self) -> str:
        return f"{self.operator} → {self.distribution}"


class Invitation(models.Model):
    """An e-mail invited to become an operator with exactly these permissions."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")

    email = models.EmailField(_("e-mail address"))
    organizers = models.ManyToManyField(
        "organizers.Organizer", blank=True, related_name="+", verbose_name=_("configuration permissions")
    )
    distributions = models.ManyToManyField(
        "organizers.Distribution", blank=True, related_name="+", verbose_name=_("sale permissions")
    )
    invited_by = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="invitations_sent"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            # One open invitation per address: re-inviting is answered with a clear message.
            models.UniqueConstraint(
                Lower("email"),
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="accounts_one_open_invitation_per_email",
            )
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def status(self) -> str:
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.revoked_at:
            return self.Status.REVOKED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.PENDING

    def get_status_display(self) -> str:
        return self.Status(self.status).label
