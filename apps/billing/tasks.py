from celery import shared_task

from apps.billing import services
from apps.core.celery import SchemaTask


@shared_task(base=SchemaTask)
def refresh_sales_months(*, schema_name: str) -> int:
    return services.sales_months_refresh()
