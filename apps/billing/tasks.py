from datetime import date

from celery import shared_task

# Modules, not names: the services enqueue these tasks (apps.billing.tasks) in turn.
from apps.billing.selectors import invoices
from apps.billing.services import collection, invoicing, run, sales_months
from apps.core.celery import SchemaTask


@shared_task(base=SchemaTask)
def refresh_sales_months(*, schema_name: str) -> int:
    return sales_months.sales_months_refresh()


@shared_task(base=SchemaTask)
def run_billing(*, schema_name: str) -> int:
    """Daily (beat): fan out one invoicing task per account due today."""
    return run.billing_run()


@shared_task(base=SchemaTask, acks_late=True)
def invoice_account(*, schema_name: str, account_id: int, on: str) -> int | None:
    invoice = run.account_invoice_for_period(account_id=account_id, on=date.fromisoformat(on))
    return invoice.pk if invoice else None


@shared_task(base=SchemaTask, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invoice(*, schema_name: str, invoice_id: int) -> bool:
    return invoicing.invoice_send(invoice_id=invoice_id)


@shared_task(base=SchemaTask, acks_late=True)
def charge_invoice(*, schema_name: str, invoice_id: int) -> str:
    return collection.invoice_charge(invoice_id=invoice_id)


@shared_task(base=SchemaTask)
def charge_due_invoices(*, schema_name: str) -> int:
    """Daily (beat): charges due today, first tries whose task was lost and the retries."""
    return collection.invoices_charge_due()


@shared_task(base=SchemaTask)
def send_pending_invoices(*, schema_name: str) -> int:
    """Send again the invoice e-mails whose task was lost (at least once: the invoice decides)."""
    pending = invoices.invoices_awaiting_email()
    for invoice_id in pending:
        send_invoice.delay(schema_name=schema_name, invoice_id=invoice_id)
    return len(pending)
