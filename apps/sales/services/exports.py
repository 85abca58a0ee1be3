"""Exports: an operator asks for a spreadsheet (orders, tickets and attendees, customers)
as CSV or XLSX; a worker builds it in the background with its progress on the row, and
stores it privately under the organization's schema (settings.STORAGES["exports"]).

- `export_request` writes the row (and the audit log) and queues `build_export` on commit.
- `export_build` (the task's body) claims the row once — a task delivered twice builds once,
  one whose worker died mid-way is taken again after STALE_AFTER — writes the table from
  what the requester may see at that moment (apps.sales.selectors.exports) row by row,
  saving its progress every few hundred rows, and keeps the file; a failure is recorded on
  the row (the page says so), never left running.
- `exports_purge` deletes exports (files and rows) after KEPT_FOR; the sweep
  (tasks.sweep_exports, every few minutes) runs it and queues again the exports whose task
  was lost or whose worker died.
"""

import logging
import tempfile
from datetime import datetime, timedelta

from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from apps.accounts.models import User
from apps.core.audit import Actor, audit_log
from apps.core.schemas import current_schema
from apps.core.spreadsheets import table_write
from apps.events.models import Event, EventDate
from apps.sales import tasks  # (tasks call these services: a cycle of modules, not of names)
from apps.sales.models import Export
from apps.sales.selectors.exports import Table, customers_table, orders_table, tickets_table

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=30)
KEPT_FOR = timedelta(days=7)  # then the file and its row are deleted (exports_purge)
IN_MEMORY_UP_TO = 8 * 1024 * 1024  # bytes; a larger file spills to a temporary file


@transaction.atomic
def export_request(
    *,
    kind: str,
    file_format: str,
    requested_by: User,
    actor: Actor,
    event: Event | None = None,
    event_date: EventDate | None = None,
    language: str = "",
) -> Export:
    """Ask for an export; it is built in the background. `event`/`event_date` narrow a
    tickets export to those attendees (the caller has checked that the requester sees them)."""
    kind, file_format = Export.Kind(kind), Export.Format(file_format)
    if kind != Export.Kind.TICKETS:
        event = event_date = None
    if event_date is not None:
        event = None
    export = Export.objects.create(
        kind=kind,
        file_format=file_format,
        requested_by=requested_by,
        event=event,
        event_date=event_date,
        language=language or translation.get_language() or "",
    )
    audit_log(actor=actor, action="export.requested", target=export, kind=kind, format=file_format)
    tasks.build_export.delay_on_commit(schema_name=current_schema(), export_id=export.pk)
    return export


def _table(export: Export) -> Table:
    user = export.requested_by
    if export.kind == Export.Kind.ORDERS:
        return orders_table(user)
    if export.kind == Export.Kind.CUSTOMERS:
        return customers_table(user)
    return tickets_table(user, event=export.event, event_date=export.event_date)


def _claimed(export_id: int) -> bool:
    """Take the export for this run: waiting, or left running by a worker that died."""
    now = timezone.now()
    return bool(
        Export.objects.filter(pk=export_id)
        .filter(
            Q(status=Export.Status.PENDING)
            | Q(status=Export.Status.RUNNING, started_at__lt=now - STALE_AFTER)
        )
        .update(status=Export.Status.RUNNING, started_at=now, done_rows=0)
    )


def _file_name(export: Export) -> str:
    stamp = timezone.localtime(export.created_at, timezone.get_fixed_timezone(0)).strftime("%Y%m%d-%H%M")
    scope = (
        f"-date{export.event_date_id}"
        if export.event_date_id
        else f"-event{export.event_id}"
        if export.event_id
        else ""
    )
    return f"{export.kind}{scope}-{stamp}.{export.file_format}"


def export_build(*, export_id: int) -> Export:
    """Build export `export_id` once (see the module); returns it as it stands."""
    if not _claimed(export_id):
        return Export.objects.get(pk=export_id)
    export = Export.objects.select_related("requested_by", "event", "event_date__event").get(pk=export_id)
    try:
        with translation.override(export.language or None):
            table = _table(export)
            Export.objects.filter(pk=export.pk).update(total_rows=table.total)
            title = str(Export.Kind(export.kind).label)

            def progress(count: int) -> None:
                Export.objects.filter(pk=export.pk).update(done_rows=count)

            with tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_UP_TO) as stream:
                count = table_write(
                    export.file_format, stream, table.header, table.rows, title=title, progress=progress
                )
                size = stream.tell()
                stream.seek(0)
                export.file.save(_file_name(export), File(stream), save=False)
    except Exception as exc:
        logger.exception("export %s failed", export_id)
        Export.objects.filter(pk=export_id).update(
            status=Export.Status.FAILED, finished_at=timezone.now(), failure_reason=type(exc).__name__[:300]
        )
        return Export.objects.get(pk=export_id)
    export.status = Export.Status.DONE
    export.total_rows = max(table.total, count)
    export.done_rows = count
    export.size = size
    export.finished_at = timezone.now()
    export.save(update_fields=["status", "total_rows", "done_rows", "size", "file", "finished_at"])
    return export


def exports_purge(*, now: datetime | None = None) -> int:
    """Delete the exports asked for more than KEPT_FOR ago, files first; returns how many.
    Their download links have lapsed by then (apps.sales.views.control_exports)."""
    old = Export.objects.filter(created_at__lt=(now or timezone.now()) - KEPT_FOR)
    count = 0
    for export in old.iterator():
        if export.file:
            export.file.delete(save=False)
        export.delete()
        count += 1
    return count
