"""An export built by a real Celery worker fed through Redis, in the requester's schema:
the progress is on the row while it runs, the file lands under that schema, and its
requester downloads it from the organization's own host."""

import io

import openpyxl
import pytest
from django.test import Client
from django_tenants.utils import schema_context

from apps.core.audit import Actor
from apps.sales.models import Export, Order
from apps.sales.services.exports import export_request
from apps.sales.services.orders import OrderLine, order_create
from apps.sales.views.control_exports import download_link
from apps.tenancy.models import Domain
from tests.core.test_celery_worker import _wait_for, worker, worker_running  # noqa: F401 - the worker fixture
from tests.factories import OperatorFactory
from tests.sales.helpers import shop_build
from tests.sales.sales_data import HYPERLINK

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_the_worker_builds_an_orders_export_in_its_schema(worker, fresh_organization):  # noqa: F811
    organization = fresh_organization(name="Phi", slug="phi-org")
    with schema_context(organization.schema_name):
        shop = shop_build(capacity=50)
        codes = [
            order_create(
                distribution=shop.box_office,
                lines=[OrderLine(ticket_type=shop.day_ticket, quantity=1)],
                email=f"buyer{n}@example.com",
                buyer_name=HYPERLINK if n == 0 else f"Buyer {n}",
                payment_method=Order.PaymentMethod.CASH,
            ).code
            for n in range(3)
        ]
        admin = OperatorFactory(email="phi-admin@example.com", is_admin=True)
        export = export_request(
            kind="orders", file_format="xlsx", requested_by=admin, actor=Actor(user=admin), language="en"
        )  # committed: the task goes to the worker

        def built():
            return Export.objects.get(pk=export.pk).is_finished

        _wait_for(built, timeout=60, what=f"the export:\n{worker.read_text()}")
        export.refresh_from_db()
        assert export.status == Export.Status.DONE, export.failure_reason
        assert (export.total_rows, export.done_rows) == (3, 3)
        assert export.file.name.startswith(f"{organization.schema_name}/exports/")
        link = download_link(export)
        host = Domain.objects.filter(tenant=organization).values_list("domain", flat=True).first()
        client = Client(HTTP_HOST=host)
        client.force_login(admin)
    assert "build_export" in worker.read_text()

    response = client.get(link)

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert [row[0] for row in rows] == codes
    assert rows[0][7] == HYPERLINK
    assert sheet.cell(row=2, column=8).data_type == "s"
