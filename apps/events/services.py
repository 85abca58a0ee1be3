"""Writes on locations, events, event dates, ticket types and replications."""

from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models import Model, QuerySet
from django.db.models.deletion import ProtectedError
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import ApprovalRequest, User
from apps.accounts.services import approval_request_open
from apps.core.audit import Actor, audit_log
from apps.core.emails import email_send
from apps.core.hooks import capacity_changed, event_changed
from apps.core.money import fits_currency
from apps.core.schemas import current_schema
from apps.events.exceptions import EventError, HasDependants
from apps.events.models import Event, EventDate, Location, ReplicationRequest, TicketType
from apps.events.replication import Plan, Slot, plan_slots
from apps.organizers.catalog import catalog_changed
from apps.organizers.models import Distribution, Organizer

SYSTEM = Actor(user=None)

# What a sale reads of the events app (apps.organizers.catalog): whatever writes these drops
# the cached catalog in its transaction, the event's channels included. Locations are not in
# it, but their country is: it picks the tax rule of their events' ticket types.
IN_CATALOG = (Event, EventDate, TicketType)

_M = TypeVar("_M", bound=Model)


# --- shared ---------------------------------------------------------------------------


def _save(instance: _M, actor: Actor, action: str, **data: Any) -> _M:
    instance.full_clean()
    instance.save()
    if isinstance(instance, IN_CATALOG):
        catalog_changed()
    audit_log(actor=actor, action=action, target=instance, **data)
    return instance


def _delete(instance: Model, actor: Actor, action: str, dependants: QuerySet[Model] | None = None) -> None:
    """Delete, or explain which rows depend on it (also those other apps protect, e.g. tickets)."""
    shown = list(dependants[:5]) if dependants is not None else []
    total = dependants.count() if dependants is not None and shown else 0
    if not shown:
        try:
            with transaction.atomic():
                audit_log(actor=actor, action=action, target=instance)
                instance.delete()
                if isinstance(instance, IN_CATALOG):
                    catalog_changed()
            return
        except ProtectedError as exc:
            protected = list(exc.protected_objects)
            shown, total = protected[:5], len(protected)
    names = ", ".join(str(obj) for obj in shown)
    more = total - len(shown)
    raise HasDependants(
        _("“%(name)s” cannot be deleted: %(dependants)s%(more)s depend on it.")
        % {
            "name": instance,
            "dependants": names,
            "more": _(" and %(n)d more") % {"n": more} if more > 0 else "",
        }
    )


def _changed(event_id: int) -> None:
    """Tell whoever shows events (the hub) that this one changed, in this transaction."""
    event_changed.send(current_schema(), event_id)


def _capacity_changed(dates: QuerySet[EventDate]) -> None:
    """Tell sales (its waiting lists) that these dates' capacity may have grown."""
    capacity_changed.send(current_schema(), list(dates.values_list("pk", flat=True)))


def _update(instance: _M, changes: dict[str, Any], actor: Actor, action: str) -> _M:
    for field, value in changes.items():
        setattr(instance, field, value)
    return _save(instance, actor, action, fields=sorted(changes))


# --- locations ------------------------------------------------------------------------


@transaction.atomic
def location_create(*, organizer: Organizer, actor: Actor = SYSTEM, **fields: Any) -> Location:
    return _save(Location(organizer=organizer, **fields), actor, "location.created")


@transaction.atomic
def location_update(*, location: Location, actor: Actor = SYSTEM, **changes: Any) -> Location:
    changes.pop("organizer", None)  # a location never moves to another organizer
    location = _update(location, changes, actor, "location.updated")
    if "capacity" in changes:
        _capacity_changed(EventDate.objects.filter(event__location=location))
    if "country" in changes:
        catalog_changed()  # which tax rule applies to its events' tickets (apps.sales.selectors.taxes)
    for event_id in location.events.filter(status=Event.Status.PUBLISHED).values_list("pk", flat=True):
        _changed(event_id)  # the hub shows the location's name and city
    return location


@transaction.atomic
def location_delete(*, location: Location, actor: Actor = SYSTEM) -> None:
    _delete(location, actor, "location.deleted", location.events.all())


# --- events ---------------------------------------------------------------------------


def _check_event_parts(
    organizer: Organizer, location: Location, distributions: Iterable[Distribution]
) -> None:
    if location.organizer_id != organizer.pk:
        raise EventError(_("“%(location)s” is a location of another organizer.") % {"location": location})
    foreign = [d for d in distributions if d.organizer_id != organizer.pk]
    if foreign:
        raise EventError(
            _("“%(distribution)s” is a distribution of another organizer.") % {"distribution": foreign[0]}
        )


@transaction.atomic
def event_create(
    *,
    organizer: Organizer,
    location: Location,
    name: str,
    distributions: Iterable[Distribution] | None = None,
    actor: Actor = SYSTEM,
    **fields: Any,
) -> Event:
    """Create an event at an existing location; offered in all its organizer's channels unless told."""
    distributions = list(organizer.distributions.all() if distributions is None else distributions)
    _check_event_parts(organizer, location, distributions)
    event = _save(Event(organizer=organizer, location=location, name=name, **fields), actor, "event.created")
    event.distributions.set(distributions)
    return event


@transaction.atomic
def event_update(*, event: Event, actor: Actor = SYSTEM, **changes: Any) -> Event:
    changes.pop("organizer", None)
    distributions = changes.pop("distributions", None)
    if "status" in changes and changes["status"] != event.status:
        raise EventError(_("Publish or cancel an event with its own action."))
    _check_event_parts(event.organizer, changes.get("location", event.location), distributions or [])
    event = _update(event, changes, actor, "event.updated")
    if distributions is not None:
        event.distributions.set(distributions)
    _changed(event.pk)
    return event


@transaction.atomic
def event_publish(*, event: Event, actor: Actor = SYSTEM) -> Event:
    if event.status == Event.Status.CANCELLED:
        raise EventError(_("A cancelled event cannot be published again."))
    if not event.dates.exists():
        raise EventError(_("Add at least one date before publishing."))
    event.status = Event.Status.PUBLISHED
    _save(event, actor, "event.published")
    _changed(event.pk)
    return event


@transaction.atomic
def event_unpublish(*, event: Event, actor: Actor = SYSTEM) -> Event:
    if event.status != Event.Status.PUBLISHED:
        raise EventError(_("Only a published event can go back to draft."))
    event.status = Event.Status.DRAFT
    _save(event, actor, "event.unpublished")
    _changed(event.pk)
    return event


@transaction.atomic
def event_cancel(*, event: Event, actor: Actor = SYSTEM) -> Event:
    """Stop an event for good; it keeps its dates and sales (refunds are the sales app's job)."""
    event.status = Event.Status.CANCELLED
    _save(event, actor, "event.cancelled")
    _changed(event.pk)
    return event


@transaction.atomic
def event_delete(*, event: Event, actor: Actor = SYSTEM) -> None:
    event_id = event.pk  # delete() clears it
    _delete(event, actor, "event.deleted", event.dates.all())
    _changed(event_id)


# --- dates and ticket types -----------------------------------------------------------


@transaction.atomic
def event_date_create(*, event: Event, actor: Actor = SYSTEM, **fields: Any) -> EventDate:
    event_date = _save(EventDate(event=event, **fields), actor, "event_date.created")
    _changed(event.pk)
    return event_date


@transaction.atomic
def event_date_update(*, event_date: EventDate, actor: Actor = SYSTEM, **changes: Any) -> EventDate:
    changes.pop("event", None)
    event_date = _update(event_date, changes, actor, "event_date.updated")
    _changed(event_date.event_id)
    if "capacity" in changes:
        capacity_changed.send(current_schema(), [event_date.pk])
    return event_date


@transaction.atomic
def event_date_delete(*, event_date: EventDate, actor: Actor = SYSTEM) -> None:
    event = event_date.event
    _delete(event_date, actor, "event_date.deleted")
    _changed(event.pk)


def _check_ticket_type(event: Event, event_date: EventDate | None, price: Decimal | None) -> None:
    if event_date is not None and event_date.event_id != event.pk:
        raise EventError(_("That date belongs to another event."))
    currency = event.organizer.currency
    if price is not None and not fits_currency(price, currency):
        raise EventError(_("%(currency)s prices cannot have that many decimals.") % {"currency": currency})


@transaction.atomic
def ticket_type_create(*, event: Event, actor: Actor = SYSTEM, **fields: Any) -> TicketType:
    _check_ticket_type(event, fields.get("event_date"), fields.get("price"))
    return _save(TicketType(event=event, **fields), actor, "ticket_type.created")


@transaction.atomic
def ticket_type_update(*, ticket_type: TicketType, actor: Actor = SYSTEM, **changes: Any) -> TicketType:
    changes.pop("event", None)
    _check_ticket_type(
        ticket_type.event, changes.get("event_date", ticket_type.event_date), changes.get("price")
    )
    ticket_type = _update(ticket_type, changes, actor, "ticket_type.updated")
    if "limit" in changes:  # a pass's limit counts on every date of its event
        dates = EventDate.objects.filter(event_id=ticket_type.event_id)
        _capacity_changed(
            dates if ticket_type.event_date_id is None else dates.filter(pk=ticket_type.event_date_id)
        )
    return ticket_type


@transaction.atomic
def ticket_type_delete(*, ticket_type: TicketType, actor: Actor = SYSTEM) -> None:
    _delete(ticket_type, actor, "ticket_type.deleted")


# --- replication ----------------------------------------------------------------------


def may_replicate_without_approval(user: User) -> bool:
    return user.replication_approved_at is not None


# Dates made per transaction: each batch commits its progress, so a long replication shows
# how far it is and resumes after the last batch if its worker stops.
REPLICATION_BATCH = 250


@transaction.atomic
def replication_request(*, event: Event, plan: Plan, actor: Actor) -> ReplicationRequest:
    """Replicate if the operator was approved once (now for a small plan, by the worker for
    one of more than EVENTS_REPLICATION_INLINE_MAX dates); else hold it and ask the platform.

    The plan is checked first (EventError), so nothing bad is ever held.
    """
    if event.status == Event.Status.CANCELLED:
        raise EventError(_("A cancelled event cannot be replicated."))
    slots = plan_slots(plan)
    if plan.get("kind") == "copy" and plan.get("location"):
        _copy_location(event, plan)
    operator = actor.user
    if not isinstance(operator, User):
        raise TypeError("replication_request needs an operator as its actor")
    request = ReplicationRequest.objects.create(
        event=event,
        requested_by=operator,
        plan=plan,
        status=ReplicationRequest.Status.AWAITING_APPROVAL,
        total_count=len(slots),
    )
    if may_replicate_without_approval(operator):
        if len(slots) <= settings.EVENTS_REPLICATION_INLINE_MAX:
            return replication_execute(request=request, actor=actor)
        return replication_queue(request=request, actor=actor)
    approval_request_open(
        kind=ApprovalRequest.Kind.EVENT_REPLICATION,
        operator=operator,
        subject_id=event.pk,
        subject_name=f"{event.name} ({event.organizer.name})",
        host=actor.host,
    )
    audit_log(actor=actor, action="replication.held", target=event, request=request.pk)
    return request


@transaction.atomic
def replication_queue(*, request: ReplicationRequest, actor: Actor = SYSTEM) -> ReplicationRequest:
    """Hand the request to the worker (apps.events.tasks.run_replication) once committed."""
    from apps.events.tasks import run_replication  # tasks call services: imported on use

    request.status = ReplicationRequest.Status.QUEUED
    request.save(update_fields=["status", "updated_at"])
    audit_log(actor=actor, action="replication.queued", target=request.event, request=request.pk)
    schema_name, request_id = current_schema(), request.pk
    # robust: a broker that is down does not undo the committed request; beat's sweep
    # (replications_resume_stalled) sends it again.
    transaction.on_commit(
        lambda: run_replication.delay(schema_name=schema_name, request_id=request_id), robust=True
    )
    return request


def replication_run(*, request_id: int) -> ReplicationRequest | None:
    """The worker's run of a queued request, as its operator; a failure is kept on it."""
    request = ReplicationRequest.objects.select_related("requested_by").filter(pk=request_id).first()
    if request is None or request.status not in (
        ReplicationRequest.Status.QUEUED,
        ReplicationRequest.Status.RUNNING,
    ):
        return request  # gone, done, failed, or (never queued) awaiting approval
    try:
        return replication_execute(request=request, actor=Actor(user=request.requested_by))
    except EventError as exc:
        replication_fail(request_id=request_id, reason=str(exc))
        return ReplicationRequest.objects.get(pk=request_id)


def replication_fail(*, request_id: int, reason: str) -> None:
    ReplicationRequest.objects.filter(pk=request_id).exclude(status=ReplicationRequest.Status.DONE).update(
        status=ReplicationRequest.Status.FAILED, failure_reason=reason
    )


def replications_resume_stalled(*, older_than_seconds: int = 300) -> list[int]:
    """Send again the queued or running requests of this schema that moved no further for a
    while (a lost message, a broker down when they were queued, a worker gone)."""
    from apps.events.tasks import run_replication  # tasks import services: imported on use

    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    stalled = list(
        ReplicationRequest.objects.filter(
            status__in=[ReplicationRequest.Status.QUEUED, ReplicationRequest.Status.RUNNING],
            updated_at__lt=cutoff,
        ).values_list("pk", flat=True)
    )
    for request_id in stalled:
        run_replication.delay(schema_name=current_schema(), request_id=request_id)
    return stalled


def _copy_location(event: Event, plan: Plan) -> Location:
    location = Location.objects.filter(pk=plan["location"], organizer_id=event.organizer_id).first()
    if location is None:
        raise EventError(_("Copy to a location of the same organizer."))
    return location


def replication_execute(*, request: ReplicationRequest, actor: Actor = SYSTEM) -> ReplicationRequest:
    """Create the plan's dates (and ticket types) in bulk, REPLICATION_BATCH dates per
    transaction, each batch recording the progress. Idempotent and resumable: a task
    delivered twice, or run again after a stop, creates nothing twice."""
    while True:
        with transaction.atomic():
            request = (
                ReplicationRequest.objects.select_for_update(of=("self",))
                .select_related("event__organizer", "target_event")
                .get(pk=request.pk)
            )
            if request.status in (ReplicationRequest.Status.DONE, ReplicationRequest.Status.FAILED):
                return request
            slots = plan_slots(request.plan)
            source = request.event
            if request.target_event is None:
                is_copy = request.plan["kind"] == "copy"
                request.target_event = _event_copy(source, request.plan, actor) if is_copy else source
            target = request.target_event
            catalog_changed()  # new dates and ticket types, in bulk (and maybe a new event)
            batch = slots[request.created_count : request.created_count + REPLICATION_BATCH]
            request.created_count += _dates_with_ticket_types(
                source, target, batch, capacity=request.plan.get("capacity")
            )
            request.total_count = len(slots)
            finished = request.created_count >= len(slots)
            request.status = ReplicationRequest.Status.DONE if finished else ReplicationRequest.Status.RUNNING
            if finished:
                request.executed_at = timezone.now()
                _changed(target.pk)  # once for all the new dates
                audit_log(
                    actor=actor,
                    action="replication.done",
                    target=target,
                    request=request.pk,
                    dates=request.created_count,
                )
            request.save()
        if finished:
            return request


def _event_copy(source: Event, plan: Plan, actor: Actor) -> Event:
    location = _copy_location(source, plan) if plan.get("location") else source.location
    copy = Event.objects.create(
        organizer=source.organizer,
        location=location,
        name=plan.get("name") or source.name,
        description=source.description,
        image=source.image,
        category=source.category,
        status=Event.Status.DRAFT,
    )
    copy.distributions.set(source.distributions.all())
    TicketType.objects.bulk_create(
        [_ticket_type_like(t, copy, None) for t in source.ticket_types.filter(event_date=None)]
    )
    audit_log(actor=actor, action="event.copied", target=copy, source=source.pk)
    return copy


def _ticket_type_like(template: TicketType, event: Event, event_date: EventDate | None) -> TicketType:
    return TicketType(
        event=event,
        event_date=event_date,
        name=template.name,
        price=template.price,
        limit=template.limit,
        sale_start=template.sale_start,
        sale_end=template.sale_end,
        min_per_order=template.min_per_order,
        max_per_order=template.max_per_order,
    )


def _dates_with_ticket_types(source: Event, target: Event, slots: list[Slot], *, capacity: int | None) -> int:
    """One INSERT for the dates, one for their ticket types: each new date gets one of each
    kind of date-bound ticket type the source event has (by name)."""
    dates = EventDate.objects.bulk_create(
        [EventDate(event=target, start=slot.start, end=slot.end, capacity=capacity) for slot in slots]
    )
    templates: dict[str, TicketType] = {}
    for ticket_type in source.ticket_types.exclude(event_date=None).order_by("pk"):
        templates.setdefault(ticket_type.name, ticket_type)
    TicketType.objects.bulk_create(
        [_ticket_type_like(template, target, date) for date in dates for template in templates.values()],
        batch_size=2000,
    )
    return len(dates)


def replications_release(*, operator_id: int) -> list[ReplicationRequest]:
    """After the platform's approval: run the operator's held requests and tell them."""
    operator = User.objects.get(pk=operator_id)
    done = []
    for request in ReplicationRequest.objects.filter(
        requested_by=operator, status=ReplicationRequest.Status.AWAITING_APPROVAL
    ).order_by("pk"):
        try:
            done.append(replication_execute(request=request, actor=Actor(user=operator)))
        except EventError as exc:
            ReplicationRequest.objects.filter(pk=request.pk).update(
                status=ReplicationRequest.Status.FAILED, failure_reason=str(exc)
            )
    if done:
        email_send(
            to=[operator.email],
            subject=_("Your event replication is approved"),
            body=render_to_string(
                "events/email/replication_released.txt", {"requests": done, "operator": operator}
            ),
        )
    return done


@transaction.atomic
def replication_right_grant(*, operator: User, granted_by_email: str) -> None:
    """The platform's one-time approval: from now on this operator replicates freely."""
    if operator.replication_approved_at is None:
        operator.replication_approved_at = timezone.now()
        operator.save(update_fields=["replication_approved_at"])
        audit_log(actor=Actor(user=None), action="replication.approved", target=operator, by=granted_by_email)
