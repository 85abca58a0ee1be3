"""The spreadsheets operators ask for (organization schema): apps.sales.services.exports
builds them, apps.sales.views.control_exports serves them."""

import secrets

from django.conf import settings
from django.core.files.storage import storages
from django.db import connection, models
from django.utils.translation import gettext_lazy as _


def _exports_storage():
    """Exports are kept apart from public media (settings.STORAGES["exports"]): never served
    by URL, only through their download link (apps.sales.views.control_exports)."""
    return storages["exports"]


def export_file_path(export: "Export", filename: str) -> str:
    """<schema>/exports/<requester id>/<random>/<file name>: an organization's exports under
    its own folder, each in a folder no one can guess."""
    return f"{connection.schema_name}/exports/{export.requested_by_id}/{secrets.token_hex(12)}/{filename}"


class Export(models.Model):
    """A spreadsheet one operator asked for: built in the background (apps.sales.tasks
    .build_export) from what its requester may see at that time, downloaded by them only."""

    class Kind(models.TextChoices):
        ORDERS = "orders", _("Orders")
        TICKETS = "tickets", _("Tickets and attendees")
        CUSTOMERS = "customers", _("Customers")

    class Format(models.TextChoices):
        XLSX = "xlsx", _("Excel (.xlsx)")
        CSV = "csv", _("CSV (.csv)")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Being built")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("what"), max_length=16, choices=Kind.choices)
    file_format = models.CharField(_("format"), max_length=8, choices=Format.choices, default=Format.XLSX)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exports"
    )
    # The attendees of one event or one event date (tickets only); neither: all one may see.
    event = models.ForeignKey(
        "events.Event", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    event_date = models.ForeignKey(
        "events.EventDate", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    language = models.CharField(max_length=10, blank=True)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    done_rows = models.PositiveIntegerField(_("rows written"), default=0)
    file = models.FileField(storage=_exports_storage, upload_to=export_file_path, max_length=300, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    failure_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("asked for"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["requested_by", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind}.{self.file_format} #{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(100, self.done_rows * 100 // self.total_rows)

    @property
    def filename(self) -> str:
        return self.file.name.rsplit("/", 1)[-1] if self.file else ""
