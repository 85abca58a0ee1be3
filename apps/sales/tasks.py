from celery import shared_task

from apps.core.celery import SchemaTask
from apps.sales.selectors import orders_awaiting_confirmation
from apps.sales.selectors.exports import exports_awaiting_build
from apps.sales.services import confirmations, exports, orders, waiting_list
from apps.tenancy.services import live_schema_names


@shared_task(base=SchemaTask, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_order_confirmation(*, schema_name: str, order_id: int) -> bool:
    return confirmations.order_confirmation_send(order_id=order_id)


@shared_task(base=SchemaTask)
def expire_orders(*, schema_name: str) -> int:
    return orders.orders_expire()


@shared_task(base=SchemaTask)
def expire_orders_everywhere(*, schema_name: str) -> int:
    """Fan out one expiry run per live organization schema."""
    schemas = [name for name in live_schema_names() if name != "public"]
    for name in schemas:
        expire_orders.delay(schema_name=name)
    return len(schemas)


@shared_task(base=SchemaTask)
def send_pending_confirmations(*, schema_name: str) -> int:
    """Send again the tickets e-mails whose task was lost (at least once: the order decides)."""
    pending = orders_awaiting_confirmation()
    for order_id in pending:
        send_order_confirmation.delay(schema_name=schema_name, order_id=order_id)
    return len(pending)


@shared_task(base=SchemaTask)
def send_pending_confirmations_everywhere(*, schema_name: str) -> int:
    """Fan out one sweep of lost tickets e-mails per live organization schema."""
    schemas = [name for name in live_schema_names() if name != "public"]
    for name in schemas:
        send_pending_confirmations.delay(schema_name=name)
    return len(schemas)


@shared_task(base=SchemaTask, time_limit=60 * 60, soft_time_limit=55 * 60)
def build_export(*, schema_name: str, export_id: int) -> str:
    """Build an operator's export (apps.sales.services.exports); returns its status."""
    return exports.export_build(export_id=export_id).status


@shared_task(base=SchemaTask)
def sweep_exports(*, schema_name: str) -> int:
    """Queue again the exports whose task was lost or whose worker died, and delete those
    past their time; returns how many were queued."""
    pending = exports_awaiting_build(stale_after=exports.STALE_AFTER)
    for export_id in pending:
        build_export.delay(schema_name=schema_name, export_id=export_id)
    exports.exports_purge()
    return len(pending)


@shared_task(base=SchemaTask)
def sweep_exports_everywhere(*, schema_name: str) -> int:
    """Fan out one sweep of exports per live organization schema."""
    schemas = [name for name in live_schema_names() if name != "public"]
    for name in schemas:
        sweep_exports.delay(schema_name=name)
    return len(schemas)


@shared_task(base=SchemaTask, acks_late=True, time_limit=5 * 60)
def waiting_list_serve(*, schema_name: str, event_date_id: int) -> int:
    """Offer a date's free seats to its waiting list; returns how many entries were offered."""
    return len(waiting_list.waiting_list_serve(event_date_id=event_date_id))


@shared_task(base=SchemaTask, time_limit=15 * 60)
def serve_waiting_lists(*, schema_name: str) -> int:
    """Serve every waiting list with free seats (the safety net of the triggers)."""
    return waiting_list.waiting_lists_serve_all()


@shared_task(base=SchemaTask)
def serve_waiting_lists_everywhere(*, schema_name: str) -> int:
    """Fan out one waiting-list sweep per live organization schema."""
    schemas = [name for name in live_schema_names() if name != "public"]
    for name in schemas:
        serve_waiting_lists.delay(schema_name=name)
    return len(schemas)
