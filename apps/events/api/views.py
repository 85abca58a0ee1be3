from django.db.models import Count
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from apps.core.audit import Actor
from apps.core.exceptions import NotInPlan
from apps.events import selectors, services
from apps.events.api.serializers import (
    EventDateSerializer,
    EventSerializer,
    LocationSerializer,
    RecurrencePlanSerializer,
    ReplicationResultSerializer,
    ReplicationSerializer,
    TicketTypeSerializer,
)
from apps.events.exceptions import replication_not_in_plan
from apps.events.models import ReplicationRequest
from apps.events.replication import plan_slots
from apps.operators.api.base import ServiceViewSet
from apps.operators.api.permissions import IsOperator
from apps.operators.permissions import Action, can


def _datetime_param(request, name: str):
    """An ISO date-time query parameter; None when absent, 400 when it is not a date-time
    (parse_datetime answers None for a bad format and raises for a bad value like month 13)."""
    value = request.query_params.get(name, "")
    if not value:
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValidationError({name: [_("Enter an ISO date and time, like 2027-05-31T18:00:00Z.")]})
    return parsed


class ConfiguredViewSet(ServiceViewSet):
    """Read what you see; write with configuration permission on the organizer."""

    write_action = Action.CONFIGURE


ORGANIZER = OpenApiParameter("organizer", int, description="Only this organizer's.")


@extend_schema_view(list=extend_schema(parameters=[ORGANIZER]))
class LocationViewSet(ConfiguredViewSet):
    serializer_class = LocationSerializer
    create_service, update_service, delete_service = (
        services.location_create,
        services.location_update,
        services.location_delete,
    )
    instance_kwarg = "location"
    parent_field = "organizer"

    def get_queryset(self):
        queryset = selectors.locations_visible_to(self.request.user).order_by("name", "pk")
        return self.filter_by_ids(queryset, organizer="organizer_id")


DATE_FROM = OpenApiParameter(
    "date_from", str, description="With a date ending at or after this ISO date-time."
)
DATE_TO = OpenApiParameter("date_to", str, description="With a date starting before this ISO date-time.")


@extend_schema_view(
    list=extend_schema(
        parameters=[
            ORGANIZER,
            OpenApiParameter("status", str, enum=["draft", "published", "cancelled"]),
            DATE_FROM,
            DATE_TO,
        ]
    )
)
class EventViewSet(ConfiguredViewSet):
    serializer_class = EventSerializer
    create_service, update_service, delete_service = (
        services.event_create,
        services.event_update,
        services.event_delete,
    )
    instance_kwarg = "event"
    parent_field = "organizer"

    def get_queryset(self):
        queryset = selectors.events_visible_to(self.request.user).annotate(
            date_count=Count("dates", distinct=True)
        )
        queryset = self.filter_by_ids(queryset, organizer="organizer_id", location="location_id")
        params = self.request.query_params
        if params.get("status"):
            queryset = queryset.filter(status=params["status"])
        date_from, date_to = (
            _datetime_param(self.request, "date_from"),
            _datetime_param(self.request, "date_to"),
        )
        # one filter() call: the same date must end after date_from and start before date_to
        in_range = {}
        if date_from:
            in_range["dates__end__gte"] = date_from
        if date_to:
            in_range["dates__start__lt"] = date_to
        if in_range:
            queryset = queryset.filter(**in_range)
        return (
            queryset.select_related("location", "organizer")
            .prefetch_related("distributions")
            .distinct()
            .order_by("name", "pk")
        )

    def _status_action(self, service):
        event = self.get_object()
        self.check_write(event)
        event = service(event=event, actor=Actor.from_request(self.request))
        return Response(EventSerializer(event, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses=EventSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._status_action(services.event_publish)

    @extend_schema(request=None, responses=EventSerializer)
    @action(detail=True, methods=["post"])
    def unpublish(self, request, pk=None):
        return self._status_action(services.event_unpublish)

    @extend_schema(request=None, responses=EventSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._status_action(services.event_cancel)

    @extend_schema(
        request=RecurrencePlanSerializer,
        responses={
            201: ReplicationResultSerializer,
            200: ReplicationResultSerializer,
            202: ReplicationResultSerializer,
        },
    )
    @action(detail=True, methods=["post"])
    def replicate(self, request, pk=None):
        """Create many dates in one go (a recurrence, or a copy of the event to listed dates).

        `preview: true` only lists them. An operator's first replication waits for a one-time
        approval by the platform: it is then answered 403 and held until approved.
        """
        event = self.get_object()
        self.check_write(event)
        if not can(request.user, Action.REPLICATE, event):
            raise NotInPlan(replication_not_in_plan(event.organizer))
        plan_serializer = RecurrencePlanSerializer(data=request.data)
        plan_serializer.is_valid(raise_exception=True)
        plan = plan_serializer.to_plan()
        if plan_serializer.validated_data["preview"]:
            slots = plan_slots(plan)
            return Response(
                {
                    "id": None,
                    "status": "preview",
                    "created_count": 0,
                    "dates": [{"start": s.start.isoformat(), "end": s.end.isoformat()} for s in slots],
                }
            )
        replication = services.replication_request(event=event, plan=plan, actor=Actor.from_request(request))
        if replication.status == ReplicationRequest.Status.AWAITING_APPROVAL:
            return Response(
                {
                    "id": replication.pk,
                    "status": replication.status,
                    "created_count": 0,
                    "detail": _(
                        "Your first replication needs a one-time approval by the platform. We told the "
                        "platform admins; this request (#%(id)d) runs as soon as they approve, and later "
                        "replications need no approval."
                    )
                    % {"id": replication.pk},
                },
                status=status.HTTP_403_FORBIDDEN,
            )
        if replication.status == ReplicationRequest.Status.QUEUED:
            return Response(
                {
                    "id": replication.pk,
                    "status": replication.status,
                    "created_count": 0,
                    "total_count": replication.total_count,
                    "detail": _(
                        "The %(count)d dates are being created in the background: follow them at "
                        "/api/v1/replications/%(id)d/."
                    )
                    % {"count": replication.total_count, "id": replication.pk},
                },
                status=status.HTTP_202_ACCEPTED,
            )
        return Response(
            {
                "id": replication.pk,
                "status": replication.status,
                "created_count": replication.created_count,
                "total_count": replication.total_count,
            },
            status=status.HTTP_201_CREATED,
        )


class ReplicationViewSet(viewsets.ReadOnlyModelViewSet):
    """Replications of the events you see, newest first, with their progress."""

    serializer_class = ReplicationSerializer
    permission_classes = [IsOperator]

    def get_queryset(self):
        return ReplicationRequest.objects.filter(
            event__in=selectors.events_visible_to(self.request.user)
        ).order_by("-created_at", "-pk")


EVENT = OpenApiParameter("event", int, description="Only this event's.")


@extend_schema_view(
    list=extend_schema(
        parameters=[
            EVENT,
            ORGANIZER,
            OpenApiParameter("start_from", str, description="Starting at or after this ISO date-time."),
            OpenApiParameter("start_to", str, description="Starting before this ISO date-time."),
        ]
    )
)
class EventDateViewSet(ConfiguredViewSet):
    serializer_class = EventDateSerializer
    create_service, update_service, delete_service = (
        services.event_date_create,
        services.event_date_update,
        services.event_date_delete,
    )
    instance_kwarg = "event_date"
    parent_field = "event"

    def get_queryset(self):
        queryset = selectors.event_dates_visible_to(self.request.user).select_related(
            "event__location", "event__organizer"
        )
        queryset = self.filter_by_ids(queryset, event="event_id", organizer="event__organizer_id")
        start_from = _datetime_param(self.request, "start_from")
        start_to = _datetime_param(self.request, "start_to")
        if start_from:
            queryset = queryset.filter(start__gte=start_from)
        if start_to:
            queryset = queryset.filter(start__lt=start_to)
        return queryset.order_by("start", "pk")


@extend_schema_view(list=extend_schema(parameters=[EVENT, OpenApiParameter("event_date", int)]))
class TicketTypeViewSet(ConfiguredViewSet):
    serializer_class = TicketTypeSerializer
    create_service, update_service, delete_service = (
        services.ticket_type_create,
        services.ticket_type_update,
        services.ticket_type_delete,
    )
    instance_kwarg = "ticket_type"
    parent_field = "event"

    def get_queryset(self):
        queryset = selectors.ticket_types_visible_to(self.request.user).select_related(
            "event__organizer", "event__location"
        )
        return self.filter_by_ids(queryset, event="event_id", event_date="event_date_id").order_by(
            "event", "pk"
        )
