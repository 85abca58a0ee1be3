"""Writes on the events hub's index (a public-schema table, see apps.hub.models).

The events services call these inside their own transaction, from the organization's
schema: with search_path `<organization>, public` and the hub's table only in public
(apps.hub is a shared app), a plain ORM query reaches the public table, and the index
commits or rolls back with the change to the event. This module takes events as given and
never imports the events app: the events services call in, not the other way round.
"""

from collections.abc import Iterable
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from django_tenants.utils import get_public_schema_name

from apps.hub.models import HubEvent, search_text
from apps.tenancy.models import Domain, Organization

UPSERT_FIELDS = [
    "organizer_name",
    "organizer_slug",
    "name",
    "category",
    "city",
    "country",
    "location_name",
    "next_start",
    "last_end",
    "date_count",
    "host",
    "search",
    "updated_at",
]


def _organization_schema() -> str:
    schema_name = connection.schema_name
    if schema_name == get_public_schema_name():
        raise RuntimeError("The events hub indexes an organization's events from its own schema.")
    return schema_name


def _is_template_site(schema_name: str) -> bool:
    # A template site is not served to the public: its events are never listed.
    return Organization.objects.filter(schema_name=schema_name, is_template=True).exists()


def organizer_hosts(*, schema_name: str) -> tuple[str, dict[str, str]]:
    """The organization's primary host and its hosts bound to one organizer, by slug (one query)."""
    primary, bound = "", {}
    domains = Domain.objects.filter(tenant__schema_name=schema_name).filter(
        Q(is_primary=True) | ~Q(organizer_slug="")
    )
    for domain in domains.order_by("domain"):
        if domain.organizer_slug:
            bound.setdefault(domain.organizer_slug, domain.domain)
        if domain.is_primary:
            primary = domain.domain
    return primary, bound


def _row(
    *,
    schema_name: str,
    event,
    next_start: datetime,
    last_end: datetime,
    date_count: int,
    hosts: tuple[str, dict[str, str]],
) -> HubEvent:
    organizer, location = event.organizer, event.location
    primary, bound = hosts
    return HubEvent(
        schema_name=schema_name,
        event_id=event.pk,
        organizer_name=organizer.name,
        organizer_slug=organizer.slug,
        name=event.name,
        category=event.category,
        city=location.city,
        country=str(location.country),
        location_name=location.name,
        next_start=next_start,
        last_end=last_end,
        date_count=date_count,
        host=bound.get(organizer.slug, primary),
        search=search_text(event.name, organizer.name, location.city, location.name),
    )


def _upsert(rows: list[HubEvent]) -> None:
    HubEvent.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["schema_name", "event_id"],
        update_fields=UPSERT_FIELDS,
        batch_size=1000,
    )


@transaction.atomic
def hub_event_refresh(*, event) -> HubEvent | None:
    """Index an event of the current organization as it is now: listed while it is published
    and has dates to come, removed otherwise. Returns the row, or None when not listed."""
    schema_name = _organization_schema()
    upcoming = (
        event.dates.filter(end__gte=timezone.now()).aggregate(
            next_start=Min("start"), last_end=Max("end"), date_count=Count("pk")
        )
        if event.status == type(event).Status.PUBLISHED and not _is_template_site(schema_name)
        else {"date_count": 0}
    )
    if not upcoming["date_count"]:
        hub_event_remove(schema_name=schema_name, event_id=event.pk)
        return None
    row = _row(
        schema_name=schema_name, event=event, hosts=organizer_hosts(schema_name=schema_name), **upcoming
    )
    _upsert([row])
    return row


def hub_event_remove(*, schema_name: str, event_id: int) -> None:
    HubEvent.objects.filter(schema_name=schema_name, event_id=event_id).delete()


@transaction.atomic
def hub_organization_replace(*, schema_name: str, events: Iterable) -> int:
    """Replace an organization's rows with `events`: its published events with dates to come,
    each annotated with next_start, last_end and date_count over those dates (the repair
    path of `manage.py hub_rebuild`). Returns the number of rows written."""
    hosts = organizer_hosts(schema_name=schema_name)
    rows = [
        _row(
            schema_name=schema_name,
            event=event,
            next_start=event.next_start,
            last_end=event.last_end,
            date_count=event.date_count,
            hosts=hosts,
        )
        for event in events
    ]
    HubEvent.objects.filter(schema_name=schema_name).exclude(
        event_id__in=[row.event_id for row in rows]
    ).delete()
    _upsert(rows)
    return len(rows)


def hub_organizations_forget(*, keep: Iterable[str]) -> int:
    """Drop the rows of every organization not in `keep` (gone, or no longer live)."""
    deleted, _by_model = HubEvent.objects.exclude(schema_name__in=list(keep)).delete()
    return deleted


def hub_rebuild(*, log=lambda line: None) -> tuple[int, int, int]:
    """Rebuild the index from every live organization's events (repair, and nightly to move
    past dates along); returns (events, organizations, stale rows removed)."""
    # The one place the hub reads the events app, and lazily: events imports hub.
    from django.db.models import Count, Max, Min, Q
    from django.utils import timezone
    from django_tenants.utils import get_public_schema_name, schema_context

    from apps.events.models import Event

    organizations = Organization.objects.filter(status=Organization.Status.READY, is_template=False).exclude(
        schema_name=get_public_schema_name()
    )
    live, total = [], 0
    for organization in organizations.order_by("schema_name"):
        with schema_context(organization.schema_name):
            upcoming = Q(dates__end__gte=timezone.now())
            events = list(
                Event.objects.filter(status=Event.Status.PUBLISHED)
                .annotate(
                    next_start=Min("dates__start", filter=upcoming),
                    last_end=Max("dates__end", filter=upcoming),
                    date_count=Count("dates", filter=upcoming),
                )
                .filter(date_count__gt=0)
                .select_related("organizer", "location")
            )
            count = hub_organization_replace(schema_name=organization.schema_name, events=events)
        live.append(organization.schema_name)
        total += count
        log(f"{organization.name} ({organization.schema_name}): {count} events")
    forgotten = hub_organizations_forget(keep=live)
    return total, len(live), forgotten
