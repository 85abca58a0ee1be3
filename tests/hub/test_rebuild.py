"""`manage.py hub_rebuild` repairs the index from the live organizations' schemas."""

from io import StringIO

from django.core.management import call_command
from django_tenants.utils import schema_context

from apps.events.models import Event
from apps.hub.models import HubEvent
from apps.tenancy.models import Organization
from tests.hub.helpers import event_with_dates, organizer_of
from tests.tenants import ALPHA, BETA


def test_hub_rebuild_rewrites_the_index_from_every_live_organization(organizations):
    with schema_context(ALPHA.schema_name):
        listed = event_with_dates(organizer_of(ALPHA), name="Alpha listed", days=(3, 9))
        hidden = event_with_dates(organizer_of(ALPHA), name="Alpha hidden")
        event_with_dates(organizer_of(ALPHA), name="Alpha draft", publish=False)
        # Changes the services did not see (a bulk fix in SQL, say): a stale index.
        Event.objects.filter(pk=hidden.pk).update(status=Event.Status.DRAFT)
        Event.objects.filter(pk=listed.pk).update(name="Alpha renamed")
        first_date = listed.dates.first()
    with schema_context(BETA.schema_name):
        event_with_dates(organizer_of(BETA), name="Beta listed")
    expected = {
        (row.schema_name, row.event_id): (row.next_start, row.last_end, row.date_count, row.host)
        for row in HubEvent.objects.exclude(event_id=hidden.pk, schema_name=ALPHA.schema_name)
    }
    HubEvent.objects.filter(schema_name=BETA.schema_name).delete()  # lost
    HubEvent.objects.create(  # left by an organization that is gone
        schema_name="gone",
        event_id=1,
        organizer_name="Gone",
        organizer_slug="gone",
        name="Gone",
        category="other",
        city="Nowhere",
        country="NL",
        location_name="Nowhere",
        next_start=first_date.start,
        last_end=first_date.end,
        date_count=1,
        host="gone.localhost",
        search="gone",
    )
    Organization.objects.create(schema_name="failed_org", name="Failed", slug="failed-org", status="failed")
    out = StringIO()

    call_command("hub_rebuild", stdout=out)

    rows = {(row.schema_name, row.event_id): row for row in HubEvent.objects.all()}
    assert {key: (r.next_start, r.last_end, r.date_count, r.host) for key, r in rows.items()} == expected
    assert rows[(ALPHA.schema_name, listed.pk)].name == "Alpha renamed"
    assert rows[(ALPHA.schema_name, listed.pk)].date_count == 2
    output = out.getvalue()
    assert f"{ALPHA.name} ({ALPHA.schema_name}): 1 events" in output
    assert f"{BETA.name} ({BETA.schema_name}): 1 events" in output
    assert "failed_org" not in output  # only live organizations are visited
    assert "1 rows of other organizations removed" in output


def test_the_nightly_task_rebuilds_the_index(organizations):
    from django.conf import settings
    from django.utils import timezone

    from apps.hub.models import HubEvent
    from apps.hub.tasks import rebuild_hub

    now = timezone.now()
    HubEvent.objects.create(
        schema_name="gone_schema",
        event_id=1,
        organizer_name="Gone",
        organizer_slug="gone",
        name="Gone",
        category="other",
        city="Nowhere",
        country="NL",
        location_name="Nowhere",
        next_start=now,
        last_end=now,
        date_count=1,
        host="gone.localhost",
        search="gone",
    )
    entry = settings.CELERY_BEAT_SCHEDULE["rebuild-events-hub"]

    rebuild_hub.apply_async(kwargs=entry["kwargs"])

    assert entry["task"] == rebuild_hub.name
    assert not HubEvent.objects.filter(schema_name="gone_schema").exists()
