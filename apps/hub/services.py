"""Writes on the events hub's index (a public-schema table, see apps.hub.models).

The events services send `apps.core.hooks.event_changed` inside their own transaction, from
the organization's schema; the hub hears it (HubConfig.ready) and re-reads the event there
as plain values (apps.events.selectors.listed_event). With search_path `<organization>,
public` and the hub's table only in public (apps.hub is a shared app), a plain ORM query
reaches the public table, and the index commits or rolls back with the change to the event.
The hub never imports the events models.
"""

from collections.abc import Callable, Iterable

from django.db import transaction
from django.db.models import Q
from django_tenants.utils import get_public_schema_name, schema_context

from apps.core.schemas import current_schema
from apps.events.selectors import ListedEvent, listed_event, listed_events
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
    "time_zone",
    "host",
    "search",
    "updated_at",
]


def _organization_schema() -> str:
    schema_name = current_schema()
    if schema_name == get_public_schema_name():
        raise RuntimeError("The events hub indexes an organization's events from its own schema.")
    return schema_name


def _is_template_site(schema_name: str) -> bool:
    # A template site is not served to the public: its events are never listed.
    template: bool = Organization.objects.filter(schema_name=schema_name, is_template=True).exists()
    return template


def organizer_hosts(*, schema_name: str) -> tuple[str, dict[str, str]]:
    """The organization's primary host and its hosts bound to one organizer, by slug (one query)."""
    primary = ""
    bound: dict[str, str] = {}
    domains = Domain.objects.filter(tenant__schema_name=schema_name).filter(
        Q(is_primary=True) | ~Q(organizer_slug="")
    )
    for domain in domains.order_by("domain"):
        if domain.organizer_slug:
            bound.setdefault(domain.organizer_slug, domain.domain)
        if domain.is_primary:
            primary = domain.domain
    return primary, bound


def _row(*, schema_name: str, event: ListedEvent, hosts: tuple[str, dict[str, str]]) -> HubEvent:
    primary, bound = hosts
    return HubEvent(
        schema_name=schema_name,
        event_id=event.event_id,
        organizer_name=event.organizer_name,
        organizer_slug=event.organizer_slug,
        name=event.name,
        category=event.category,
        city=event.city,
        country=event.country,
        location_name=event.location_name,
        next_start=event.next_start,
        last_end=event.last_end,
        date_count=event.date_count,
        time_zone=event.time_zone,
        host=bound.get(event.organizer_slug, primary),
        search=search_text(event.name, event.organizer_name, event.city, event.location_name),
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
def hub_event_refresh(*, schema_name: str, event_id: int) -> HubEvent | None:
    """Index an event of the current organization as it is now: listed while it is published
    and has dates to come, removed otherwise (deleted included). Returns the row, or None when
    not listed. Heard on `event_changed`, in the events service's transaction."""
    if _organization_schema() != schema_name:
        raise RuntimeError(f"The events hub indexes {schema_name}'s events from its own schema.")
    event = None if _is_template_site(schema_name) else listed_event(event_id=event_id)
    if event is None:
        hub_event_remove(schema_name=schema_name, event_id=event_id)
        return None
    row = _row(schema_name=schema_name, event=event, hosts=organizer_hosts(schema_name=schema_name))
    _upsert([row])
    return row


def hub_event_changed(schema_name: str, event_id: int) -> None:
    """What the hub does on `apps.core.hooks.event_changed` (listening since HubConfig.ready)."""
    hub_event_refresh(schema_name=schema_name, event_id=event_id)


def hub_event_remove(*, schema_name: str, event_id: int) -> None:
    HubEvent.objects.filter(schema_name=schema_name, event_id=event_id).delete()


@transaction.atomic
def hub_organization_replace(*, schema_name: str, events: Iterable[ListedEvent]) -> int:
    """Replace an organization's rows with `events` (its listed events: the repair path of
    `manage.py hub_rebuild`). Returns the number of rows written."""
    hosts = organizer_hosts(schema_name=schema_name)
    rows = [_row(schema_name=schema_name, event=event, hosts=hosts) for event in events]
    HubEvent.objects.filter(schema_name=schema_name).exclude(
        event_id__in=[row.event_id for row in rows]
    ).delete()
    _upsert(rows)
    return len(rows)


def hub_organizations_forget(*, keep: Iterable[str]) -> int:
    """Drop the rows of every organization not in `keep` (gone, or no longer live)."""
    deleted, _by_model = HubEvent.objects.exclude(schema_name__in=list(keep)).delete()
    return deleted


def _no_log(line: str) -> None:
    pass


def hub_rebuild(*, log: Callable[[str], object] = _no_log) -> tuple[int, int, int]:
    """Rebuild the index from every live organization's events (repair, and nightly to move
    past dates along); returns (events, organizations, stale rows removed)."""
    organizations = Organization.objects.filter(status=Organization.Status.READY, is_template=False).exclude(
        schema_name=get_public_schema_name()
    )
    live: list[str] = []
    total = 0
    for organization in organizations.order_by("schema_name"):
        with schema_context(organization.schema_name):
            count = hub_organization_replace(schema_name=organization.schema_name, events=listed_events())
        live.append(organization.schema_name)
        total += count
        log(f"{organization.name} ({organization.schema_name}): {count} events")
    forgotten = hub_organizations_forget(keep=live)
    return total, len(live), forgotten
