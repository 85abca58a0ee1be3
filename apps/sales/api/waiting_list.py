"""The waiting lists through the API: an organizer's staff list a date's entries
(`?event_date=`), put a buyer in line (the shop's rules), send an entry its offer now, or
take it off the list. Who may: the permission module's MANAGE_WAITING_LIST on the date."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.audit import Actor
from apps.core.exceptions import NotAllowed
from apps.events.selectors import ticket_types_visible_to
from apps.operators.api.permissions import IsOperator
from apps.operators.permissions import Action, can
from apps.sales.models import Order, WaitingListEntry
from apps.sales.selectors.waiting_list import waiting_list_entries_visible_to
from apps.sales.services import waiting_list


class WaitingListEntrySerializer(serializers.ModelSerializer):
    order: "serializers.SlugRelatedField[Order]" = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = WaitingListEntry
        fields = [
            "id",
            "event_date",
            "ticket_type",
            "email",
            "quantity",
            "language",
            "status",
            "created_at",
            "offered_at",
            "offer_expires_at",
            "order",
        ]
        read_only_fields = [
            "id",
            "event_date",
            "status",
            "created_at",
            "offered_at",
            "offer_expires_at",
            "order",
        ]
        extra_kwargs = {"quantity": {"min_value": 1, "max_value": 1000}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and "ticket_type" in self.fields:
            ticket_types = ticket_types_visible_to(request.user).select_related(
                "event__organizer", "event__location", "event_date"
            )
            self.fields["ticket_type"].queryset = ticket_types


class WaitingListEntryViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Entries of the waiting lists one manages, in the order they joined (filter by
    `event_date`). Times are ISO 8601 with offsets."""

    permission_classes = [IsOperator]
    serializer_class = WaitingListEntrySerializer

    def get_queryset(self):
        queryset = waiting_list_entries_visible_to(self.request.user).select_related("order", "event_date")
        event_date = self.request.query_params.get("event_date")
        if event_date:
            queryset = (
                queryset.filter(event_date_id=event_date)
                if event_date.isascii() and event_date.isdigit()
                else queryset.none()
            )
        return queryset.order_by("created_at", "id")

    @extend_schema(
        parameters=[OpenApiParameter("event_date", OpenApiTypes.INT, description="An event date's id.")]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def _require(self, event_date) -> None:
        if not can(self.request.user, Action.MANAGE_WAITING_LIST, event_date):
            raise NotAllowed(
                _("You need configuration permission on this organizer to manage its waiting lists.")
            )

    def create(self, request, *args, **kwargs):
        """Put a buyer in line for a sold-out dated ticket type (the shop's rules hold: 400
        while tickets are on sale, or for an address already in line)."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket_type = serializer.validated_data["ticket_type"]
        self._require(ticket_type.event_date or ticket_type)
        entry = waiting_list.waiting_list_join(
            ticket_type=ticket_type,
            email=serializer.validated_data["email"],
            quantity=serializer.validated_data["quantity"],
            language=serializer.validated_data.get("language", ""),
            actor=Actor.from_request(request),
        )
        return Response(self.get_serializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: WaitingListEntrySerializer})
    @action(detail=True, methods=["post"])
    def offer(self, request, pk=None):
        """Send this entry its offer now, out of turn: 409 when its seats are not free."""
        entry = self.get_object()
        self._require(entry.event_date)
        entry = waiting_list.waiting_list_offer_now(entry_id=entry.pk, actor=Actor.from_request(request))
        return Response(self.get_serializer(entry).data)

    def destroy(self, request, *args, **kwargs):
        """Take the entry off the list (kept, as removed); an open offer's cart is cancelled."""
        entry = self.get_object()
        self._require(entry.event_date)
        waiting_list.waiting_list_remove(entry_id=entry.pk, actor=Actor.from_request(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
