"""The waiting list's background work on a real Celery worker fed through Redis: capacity
raised in the control panel is offered to the line by the task queued on commit, in the
organization's own schema, and beat's sweep serves lists no trigger served, in every
organization; the offers' e-mails go out through the worker."""

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.core.models import OutgoingEmail
from apps.events import services as events
from apps.events.models import EventDate
from apps.sales.models import WaitingListEntry
from apps.sales.services.waiting_list import waiting_list_join
from apps.sales.tasks import serve_waiting_lists_everywhere
from tests.core.test_celery_worker import _wait_for, worker, worker_running  # noqa: F401 - the worker fixture
from tests.sales.helpers import paid_order, shop_build

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _sold_out_with_an_entry():
    shop = shop_build(capacity=1)
    paid_order(shop.box_office, shop.day_ticket, 1)
    entry = waiting_list_join(ticket_type=shop.day_ticket, email="fan@example.com", quantity=1)
    return shop, entry


def _offered(schema_name, entry_id):
    with schema_context(schema_name):
        return WaitingListEntry.objects.get(pk=entry_id).status == WaitingListEntry.Status.OFFERED


def test_raised_capacity_and_beats_sweep_are_offered_by_the_worker(worker, fresh_organization):  # noqa: F811
    raised = fresh_organization(name="Phi", slug="phi-org")
    swept = fresh_organization(name="Chi", slug="chi-org")
    with schema_context(swept.schema_name):
        swept_shop, swept_entry = _sold_out_with_an_entry()
        # A seat more, written behind the services' back: no trigger, only the sweep finds it.
        EventDate.objects.filter(pk=swept_shop.dates[0].pk).update(capacity=2)
    with schema_context(raised.schema_name):
        raised_shop, raised_entry = _sold_out_with_an_entry()

        events.event_date_update(event_date=raised_shop.dates[0], capacity=2)  # commits: the task goes

    _wait_for(
        lambda: _offered(raised.schema_name, raised_entry.pk),
        timeout=60,
        what=f"the offer of the raised capacity:\n{worker.read_text()}",
    )
    assert not _offered(swept.schema_name, swept_entry.pk)

    serve_waiting_lists_everywhere.delay(schema_name="public")  # what beat sends every 5 minutes

    _wait_for(
        lambda: _offered(swept.schema_name, swept_entry.pk),
        timeout=60,
        what=f"the sweep's offer:\n{worker.read_text()}",
    )
    for organization in (raised, swept):

        def e_mailed(schema_name=organization.schema_name):
            with schema_context(schema_name):
                return OutgoingEmail.objects.filter(
                    to=["fan@example.com"], sent_at__lte=timezone.now()
                ).exists()

        _wait_for(e_mailed, timeout=30, what=f"the offer's e-mail:\n{worker.read_text()}")
    log = worker.read_text()
    assert "waiting_list_serve" in log
    assert "serve_waiting_lists" in log
