from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
