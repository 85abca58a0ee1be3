"""REST resources of season passes (/api/v1/pass-types/, /api/v1/passes/): read by whoever
configures their organizer (Action.MANAGE_PASSES), and a date booked for a pass's holder
(POST /api/v1/passes/{id}/book/) through the same service as the holder's account page."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.audit import Actor
from apps.core.exceptions import NotAllowed
from apps.operators.api.permissions import IsOperator
from apps.operators.permissions import Action, can
from apps.organizers.models import Distribution
from apps.sales.models import Order, Pass, PassBooking, PassType
from apps.sales.selectors.passes import pass_bookable, pass_types_visible_to, passes_visible_to
from apps.sales.services.pass_bookings import pass_book


class PassTypeSerializer(serializers.ModelSerializer):
    events = serializers.ListField(
        child=serializers.IntegerField(),
        source="event_ids",
        read_only=True,
        help_text="Ids of the events covered.",
    )
    sold = serializers.IntegerField(read_only=True, help_text="Passes of this type sold.")

    class Meta:
        model = PassType
        fields = [
            "id",
            "organizer",
            "name",
            "ticket_type",
            "mode",
            "valid_from",
            "valid_until",
            "events",
            "booking_price",
            "max_uses",
            "renewal_of",
            "holders_from",
            "sold",
        ]
        read_only_fields = fields


class PassBookingSerializer(serializers.ModelSerializer):
    order = serializers.CharField(source="ticket.order.code", read_only=True, allow_null=True, default=None)

    class Meta:
        model = PassBooking
        fields = ["id", "event_date", "ticket", "order", "status", "created_at"]
        read_only_fields = fields


class PassSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="ticket.code", read_only=True, help_text="What the gate scans.")
    order = serializers.CharField(source="ticket.order.code", read_only=True)
    uses_left = serializers.IntegerField(read_only=True, allow_null=True, help_text="Null: no limit.")
    valid = serializers.SerializerMethodField(help_text="Its ticket is valid and its order paid.")
    bookings = PassBookingSerializer(many=True, read_only=True)

    class Meta:
        model = Pass
        fields = [
            "id",
            "pass_type",
            "holder_name",
            "code",
            "order",
            "uses",
            "uses_left",
            "valid",
            "bookings",
            "created_at",
        ]
        read_only_fields = fields

    def get_valid(self, season_pass: Pass) -> bool:
        return season_pass.ticket.status == "valid" and season_pass.ticket.order.status == Order.Status.PAID


class PassBookSerializer(serializers.Serializer):
    ticket_type = serializers.IntegerField(
        min_value=1, help_text="A ticket type of one date the pass may book (of an event it covers)."
    )


class PassTypeViewSet(viewsets.ReadOnlyModelViewSet):
    """Pass types of the organizers the caller configures."""

    permission_classes = [IsOperator]
    serializer_class = PassTypeSerializer

    def get_queryset(self):
        return pass_types_visible_to(self.request.user).prefetch_related("events")


class PassViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Passes sold of the pass types the caller sees (filter by `pass_type` or `code`), with
    their holder, uses and bookings."""

    permission_classes = [IsOperator]
    serializer_class = PassSerializer

    def get_queryset(self):
        queryset = (
            passes_visible_to(self.request.user)
            .select_related("ticket__order", "pass_type")
            .prefetch_related("bookings__ticket__order")
            .order_by("pk")
        )
        pass_type = self.request.query_params.get("pass_type")
        if pass_type:
            queryset = (
                queryset.filter(pass_type_id=pass_type)
                if pass_type.isascii() and pass_type.isdigit()
                else queryset.none()
            )
        code = self.request.query_params.get("code")
        if code and "\x00" in code:  # PostgreSQL refuses NUL in text: no pass has it
            return queryset.none()
        return queryset.filter(ticket__code=code) if code else queryset

    @extend_schema(request=PassBookSerializer, responses={201: PassBookingSerializer, 409: None})
    @action(detail=True, methods=["post"])
    def book(self, request, pk=None):
        """Book a date for the pass's holder (booking mode): a ticket at the pass's booking
        price through the online shop, counting the date's capacity and one of the pass's uses
        (409 when none is left, the date is booked already or sold out)."""
        season_pass = self.get_object()
        if not can(request.user, Action.MANAGE_PASSES, season_pass.pass_type):
            raise NotAllowed(
                _("You need configuration permission on this organizer to book with its passes.")
            )
        serializer = PassBookSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        bookable = {t.pk: t for t in pass_bookable(season_pass)}
        ticket_type = bookable.get(serializer.validated_data["ticket_type"])
        if ticket_type is None:
            raise serializers.ValidationError({"ticket_type": [_("Not a date this pass may book now.")]})
        organizer = season_pass.pass_type.organizer
        order = season_pass.ticket.order
        booking = pass_book(
            season_pass=season_pass,
            ticket_type=ticket_type,
            distribution=organizer.distributions.filter(kind=Distribution.Kind.ONLINE_SHOP)
            .order_by("pk")
            .first(),
            customer=season_pass.customer,
            email=order.email,
            actor=Actor.from_request(request),
        )
        return Response(PassBookingSerializer(booking).data, status=status.HTTP_201_CREATED)
