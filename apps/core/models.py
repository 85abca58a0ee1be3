from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.branding import DEFAULT_ACCENT, DEFAULT_PRIMARY, default_platform_name, hex_color
from apps.core.singletons import PublicSingleton


class AuditLogEntry(models.Model):
    """Who did what, when and from which host; one table per schema."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_email = models.EmailField(_("actor"), blank=True, help_text=_("Kept if the user is deleted."))
    action = models.CharField(_("action"), max_length=64, db_index=True)
    target_type = models.CharField(_("target type"), max_length=64, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    target_repr = models.CharField(_("target"), max_length=255, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    host = models.CharField(_("host"), max_length=253, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-pk"]
        # The history of one thing (an order's page: apps.sales.selectors.orders.order_history).
        indexes = [models.Index(fields=["target_type", "target_id"], name="core_audit_target")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_email or '-'} {self.action} {self.target_repr}"


class OutgoingEmail(models.Model):
    """An e-mail to send, written in the transaction that decided it (one table per schema).
    Its row, not a cache key, says whether it went: a task delivered twice, a flushed Redis
    or a schema recreated under the same name never sends it twice nor skips it."""

    to = models.JSONField(_("to"))
    subject = models.TextField(_("subject"))
    body = models.TextField(_("body"))
    html_body = models.TextField(_("HTML body"), blank=True)
    from_email = models.CharField(_("from"), max_length=320, blank=True)
    reply_to = models.JSONField(_("reply to"), default=list, blank=True)
    created_at = models.DateTimeField(_("queued"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        # What the sweep reads (apps.core.emails.emails_pending): the unsent ones only.
        indexes = [
            models.Index(fields=["created_at"], condition=models.Q(sent_at=None), name="core_email_unsent")
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.to)}"


class Branding(PublicSingleton):
    """The platform's brand (one row, public schema): every page without an organizer's own
    brand wears it, and so do the platform's invoices and e-mails."""

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
    show_powered_by = models.BooleanField(
        _("show “Powered by Tessera”"),
        default=False,
        help_text=_("Off: nothing on any site names Tessera."),
    )

    class Meta:
        verbose_name = _("platform brand")
        verbose_name_plural = _("platform brand")

    def __str__(self) -> str:
        return self.name
