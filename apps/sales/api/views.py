import hashlib
import json
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, views, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from apps.core.api import RATE_LIMITED_RESPONSE, RETRY_AFTER_HEADER, UserRateThrottle
from apps.core.audit import Actor
from apps.core.exceptions import NotAllowed, NotInPlan
from apps.operators.api.base import ServiceViewSet
from apps.operators.api.permissions import IsOperator
from apps.operators.permissions import BOX_OFFICE, Action, can, organizers_visible_to, plan_allows
from apps.sales import selectors
from apps.sales.api.answers import (
    AnswerSerializer,
    AnswersUpdateSerializer,
    QuestionSerializer,
    answers_errors,
    answers_form_for,
)
from apps.sales.api.serializers import (
    AdmissionSerializer,
    CheckInSerializer,
    FeeRuleSerializer,
    OrderCreateSerializer,
    OrderDetailSerializer,
    OrderFilterSerializer,
    OrderSerializer,
    RefundSerializer,
    TicketSerializer,
)
from apps.sales.exceptions import CheckInRefused, box_office_not_in_plan
from apps.sales.models import FeeRule, Ticket
from apps.sales.selectors import orders as order_list
from apps.sales.selectors.questions import answers_listed, check_in_answers, questions_readable_by
from apps.sales.services.check_in import ticket_check_in
from apps.sales.services.confirmations import order_confirmation_resend
from apps.sales.services.fees import fee_rule_delete, fee_rule_save
from apps.sales.services.orders import order_cancel, order_create, order_create_once
from apps.sales.services.payments import order_refund
from apps.sales.services.questions import answers_save

IDEMPOTENCY_HEADER = "Idempotency-Key"


def _idempotency_key(request) -> str:
    key = request.headers.get(IDEMPOTENCY_HEADER, "")
    if key and (len(key) > 255 or not key.isprintable() or not key.isascii()):
        raise ValidationError({IDEMPOTENCY_HEADER: [_("Use 1 to 255 printable ASCII characters.")]})
    return key


def _order_created(order, *, replayed: bool) -> Response:
    response = Response(OrderSerializer(order).data, status=status.HTTP_201_CREATED)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


class OrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Orders the caller may see; box-office sales (paid at the counter) and cancellation."""

    permission_classes = [IsOperator]
    serializer_class = OrderSerializer
    throttle_scope = "api_order_create"

    def get_throttles(self):
        return [UserRateThrottle()] if self.action == "create" else []

    def get_queryset(self):
        if self.action == "list":
            filters = OrderFilterSerializer(data=self.request.query_params)
            filters.is_valid(raise_exception=True)
            data = filters.validated_data
            return order_list.orders_listed(
                self.request.user,
                order_list.OrderFilters(
                    search=data.get("q", ""),
                    status=data.get("status", ""),
                    event=data.get("event"),
                    event_date=data.get("date"),
                    distribution=data.get("distribution"),
                    placed_from=data.get("placed_from"),
                    placed_until=data.get("placed_until"),
                    payment_method=data.get("payment_method", ""),
                    sort=data["sort"],
                ),
            ).prefetch_related("tickets", "add_ons")
        queryset = selectors.orders_visible_to(self.request.user).prefetch_related("tickets", "add_ons")
        return queryset.order_by("-created_at", "-pk")

    @extend_schema(
        parameters=[OrderFilterSerializer],
        responses={200: OrderSerializer(many=True), 400: None},
        description="The orders the caller may see (carts aside): an organization admin every one, "
        "an organizer's configurer that organizer's, a seller those of the channels they sell in; "
        "searched, filtered and sorted by the query parameters, newest first by default.",
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses=OrderDetailSerializer)
    def retrieve(self, request, *args, **kwargs):
        """An order with its tickets (and check-ins), card payments (Stripe ids, platform fee,
        refunds), fees and history."""
        order = self.get_object()
        tickets = order_list.order_tickets(order)
        payments = order_list.order_payments(order)
        order.ticket_list = tickets
        order.payments = payments
        order.absorbed_fee_total = order_list.order_fees(order, tickets)["absorbed"]
        order.application_fee = sum((payment.application_fee for payment in payments), Decimal(0))
        order.history = [
            {"at": line.at, "action": line.action, "by": line.by, "data": line.data}
            for line in order_list.order_history(order, tickets)
        ]
        order.answer_list = answers_listed(order)
        return Response(OrderDetailSerializer(order).data)

    @extend_schema(
        request=AnswersUpdateSerializer, responses={200: AnswerSerializer(many=True), 400: None, 403: None}
    )
    @action(detail=True, methods=["post"])
    def answers(self, request, pk=None):
        """Correct an order's answers (those given; the others stay): the organizer's staff, at
        any time. 400 with the errors per answer ({"answers": [{"question", "ticket", "errors"}]})."""
        order = self.get_object()
        self._require_sale_rights(order)
        serializer = AnswersUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tickets = list(order.tickets.select_related("ticket_type__event").order_by("pk"))
        form, unknown = answers_form_for(
            given=serializer.validated_data["answers"],
            organizer_id=order.organizer_id,
            event_ids={t.ticket_type.event_id for t in tickets},
            tickets=tickets,
            order=order,
        )
        if unknown or not form.is_valid():
            return Response({"answers": answers_errors(form, unknown)}, status=status.HTTP_400_BAD_REQUEST)
        answers_save(order=order, answers=form.answers(), actor=Actor.from_request(request))
        return Response(AnswerSerializer(answers_listed(order), many=True).data)

    @extend_schema(
        request=OrderCreateSerializer,
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="Any unique string (1–255 printable characters): a retry with the same key "
                "and body returns the first request's order (header Idempotent-Replayed: true) "
                "instead of selling again; the same key with another body is a 409.",
            ),
            RETRY_AFTER_HEADER,
        ],
        responses={201: OrderSerializer, 409: None, 429: RATE_LIMITED_RESPONSE},
    )
    def create(self, request):
        key = _idempotency_key(request)
        fingerprint = hashlib.sha256(
            json.dumps(request.data, sort_keys=True, default=str).encode()
        ).hexdigest()
        if key:
            earlier = selectors.order_of_request(caller=request.user, key=key, fingerprint=fingerprint)
            if earlier is not None:
                return _order_created(earlier, replayed=True)
        serializer = OrderCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # The field let in only distributions the caller sells in (cached); the plan is the rest
        # of Action.SELL_AT_BOX_OFFICE.
        if not plan_allows(data["distribution"].organizer_id, BOX_OFFICE):
            raise NotInPlan(box_office_not_in_plan(data["distribution"].organizer))
        answers_form, unknown = answers_form_for(
            given=data["answers"],
            organizer_id=data["distribution"].organizer_id,
            event_ids={line.ticket_type.event_id for line in data["positions"]},
            tickets=[
                Ticket(ticket_type=line.ticket_type)
                for line in data["positions"]
                for _i in range(line.quantity)
            ],
        )
        if unknown or not answers_form.is_valid():
            return Response(
                {"answers": answers_errors(answers_form, unknown)}, status=status.HTTP_400_BAD_REQUEST
            )
        arguments = {
            "answers": answers_form.answers(),
            "distribution": data["distribution"],
            "lines": data["positions"],
            "email": data["email"],
            "buyer_name": data["buyer_name"],
            "payment_method": data["payment_method"],
            "sold_by": request.user,
            "sell_beyond_buyer_limit": data["sell_beyond_buyer_limit"],
            "add_ons": data["add_on_requests"],
            "voucher": data["voucher"],
            "actor": Actor.from_request(request),
        }
        if not key:
            return _order_created(order_create(**arguments), replayed=False)
        order, replayed = order_create_once(
            caller=request.user, idempotency_key=key, fingerprint=fingerprint, **arguments
        )
        return _order_created(order, replayed=replayed)

    def _require_sale_rights(self, order) -> None:
        if not can(self.request.user, Action.MANAGE_ORDER, order):
            raise NotAllowed(_("You need sale permission on this order's distribution to change it."))

    @extend_schema(request=RefundSerializer, responses={200: OrderSerializer, 400: None})
    @action(detail=True, methods=["post"])
    def refund(self, request, pk=None):
        """Refund a paid order, or some of its tickets (`tickets`: their ids) or add-ons
        (`add_ons`: ids of its add-on lines): by card through
        Stripe, at the counter recorded as given back there; the buyer is told by e-mail."""
        order = self.get_object()
        self._require_sale_rights(order)
        serializer = RefundSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = order_refund(
            order_id=order.pk,
            ticket_ids=serializer.validated_data.get("tickets"),
            add_on_ids=serializer.validated_data.get("add_ons"),
            actor=Actor.from_request(request),
        )
        return Response(OrderSerializer(order).data)

    @extend_schema(request=None, responses={200: OrderSerializer, 400: None})
    @action(detail=True, methods=["post"])
    def resend(self, request, pk=None):
        """E-mail a paid order's tickets to its buyer again (400 for an unpaid order)."""
        order = self.get_object()
        self._require_sale_rights(order)
        order = order_confirmation_resend(order_id=order.pk, actor=Actor.from_request(request))
        return Response(OrderSerializer(order).data)

    @extend_schema(request=None, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        order = self.get_object()
        if not can(request.user, Action.MANAGE_ORDER, order):
            raise NotAllowed(_("You need sale permission on this order's distribution to cancel it."))
        order = order_cancel(order_id=order.pk, actor=Actor.from_request(request))
        return Response(OrderSerializer(order).data)


class CheckInView(views.APIView):
    """Scan a ticket at the gate: 201 admitted, or 409 with the reason (`reason`: unknown,
    cancelled, refunded, unpaid, already, date, wrong_date, other_day, no_date_today). A ticket is admitted on
    its date's day in its event's time zone; `admit_other_day` admits it on another (audited)."""

    permission_classes = [IsOperator]

    @extend_schema(request=CheckInSerializer, responses={201: AdmissionSerializer})
    def post(self, request):
        serializer = CheckInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            admission = ticket_check_in(
                code=serializer.validated_data["code"],
                event_date_id=serializer.validated_data.get("event_date"),
                tickets=selectors.tickets_visible_to(request.user),
                operator=request.user,
                admit_other_day=serializer.validated_data["admit_other_day"],
                actor=Actor.from_request(request),
            )
        except CheckInRefused as refused:
            return Response(
                {"detail": str(refused), "reason": refused.reason}, status=status.HTTP_409_CONFLICT
            )
        data = AdmissionSerializer(
            {
                "result": "admitted",
                "ticket": admission.ticket,
                "event_date": admission.event_date,
                "other_day": admission.other_day,
                "season_pass": admission.season_pass,
                "answers": check_in_answers(admission.ticket),
            }
        ).data
        return Response(data, status=status.HTTP_201_CREATED)


class TicketViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Tickets of the orders the caller may see (filter by `order`, `event_date` or `code`)."""

    permission_classes = [IsOperator]
    serializer_class = TicketSerializer

    def get_queryset(self):
        queryset = selectors.tickets_visible_to(self.request.user).order_by("pk")
        for param in ("order", "event_date"):
            value = self.request.query_params.get(param)
            if value:
                digits = value.isascii() and value.isdigit()  # "²" is a digit, not a number
                queryset = queryset.filter(**{f"{param}_id": value}) if digits else queryset.none()
        code = self.request.query_params.get("code")
        if code and "\x00" in code:  # PostgreSQL refuses NUL in text: no ticket has it
            return queryset.none()
        return queryset.filter(code=code) if code else queryset


class QuestionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The questions of the organizers the caller configures or sells for (filter by `event`:
    those asked of its tickets, its organizer's included), in the order they are asked: what a
    sale's `answers` answer. They are set in the control panel."""

    permission_classes = [IsOperator]
    serializer_class = QuestionSerializer

    def get_queryset(self):
        queryset = questions_readable_by(self.request.user)
        event = self.request.query_params.get("event")
        if event:
            queryset = (
                queryset.filter(Q(event__isnull=True, organizer__events=event) | Q(event=event))
                if event.isascii() and event.isdigit() and len(event) < 12
                else queryset.none()
            )
        return queryset

    @extend_schema(
        parameters=[
            OpenApiParameter("event", OpenApiTypes.INT, description="Only those asked of this event.")
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


class FeeRuleViewSet(ServiceViewSet):
    """Service fees: organization-wide ones are for organization admins, an organizer's or
    an event's for whoever configures that organizer (Action.CONFIGURE_FEES, asked by
    ServiceWriteMixin of the rule written: on create, the rule it will be)."""

    serializer_class = FeeRuleSerializer
    create_service, update_service, delete_service = fee_rule_save, fee_rule_save, fee_rule_delete
    instance_kwarg = "rule"
    write_action = Action.CONFIGURE_FEES
    parent_field = "organizer"  # with the event: parent_of
    create_only_fields = ("organizer", "event")

    def get_queryset(self):
        return (
            FeeRule.objects.filter(
                Q(organizer=None) | Q(organizer__in=organizers_visible_to(self.request.user))
            )
            .select_related("organizer", "event")
            .order_by("pk")
        )

    def parent_of(self, data) -> FeeRule:
        """The rule to be created, unsaved: its event's organizer, or its organizer, or none
        (the whole organization's)."""
        event = data.get("event")
        return FeeRule(organizer=event.organizer if event is not None else data.get("organizer"), event=event)

    def write_denied_message(self, obj) -> str:
        return _("You need configuration permission on this organizer to change its fees.")
