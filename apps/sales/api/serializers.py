import copy

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.events.models import EventDate
from apps.events.selectors import events_visible_to
from apps.operators.permissions import distributions_sellable_by, organizers_visible_to
from apps.sales.api.addons import AddOnChoiceSerializer, OrderAddOnSerializer
from apps.sales.api.answers import ANSWERS_HELP, AnswerInputSerializer, AnswerSerializer, GateAnswerSerializer
from apps.sales.models import AddOn, FeeRule, Order, Ticket
from apps.sales.selectors import distribution_for_sale, ticket_types_for_sale
from apps.sales.selectors.vouchers import voucher_by_code
from apps.sales.services.addons import AddOnRequest
from apps.sales.services.orders import OrderLine

COUNTER_METHODS = [(m.value, m.label) for m in Order.COUNTER_METHODS]


class FieldsBuiltOnce:
    """For a ModelSerializer whose fields depend on its class alone: they are built from the
    model once per class, then copied for each instance (DRF rebuilds them every time,
    which costs more than the rest of serializing an order)."""

    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("_fields_built")
        if built is None:
            built = super().get_fields()
            cls._fields_built = built
        return copy.deepcopy(built)


class TicketSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    class Meta:
        model = Ticket
        fields = [
            "id",
            "code",
            "ticket_type",
            "event_date",
            "price",
            "tax_name",
            "tax_rate",
            "tax",
            "tax_included",
            "fee",
            "voucher",
            "discount",
            "status",
            "attendee_name",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "voucher": {"help_text": "The voucher it was sold with (its id), if any."},
            "discount": {"help_text": "How much less than the listed price (tax included) its price is."},
        }


class OrderSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    tickets = TicketSerializer(many=True, read_only=True)
    add_ons = OrderAddOnSerializer(
        many=True, read_only=True, help_text="Its add-ons; their prices are in subtotal."
    )

    class Meta:
        model = Order
        fields = [
            "id",
            "code",
            "organizer",
            "distribution",
            "status",
            "payment_method",
            "email",
            "buyer_name",
            "currency",
            "subtotal",
            "fee_total",
            "total",
            "tax_total",
            "discount_total",
            "expires_at",
            "created_at",
            "paid_at",
            "tickets",
            "add_ons",
        ]
        read_only_fields = fields


class PositionSerializer(serializers.Serializer):
    ticket_type = serializers.IntegerField(min_value=1)
    quantity = serializers.IntegerField(min_value=1, max_value=100, default=1)
    event_date = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, help_text="Empty for a pass or the ticket type's date."
    )
    add_ons = AddOnChoiceSerializer(
        many=True,
        required=False,
        max_length=20,
        help_text="Add-ons sold per ticket: `quantity` of each with every ticket of this position.",
    )


@extend_schema_field(OpenApiTypes.INT)
class SellableDistributionField(serializers.PrimaryKeyRelatedField):
    """Only distributions the caller sells in; any other id reads as unknown (no existence leak)."""

    def get_queryset(self):
        return distributions_sellable_by(self.context["request"].user).select_related("organizer")

    def to_internal_value(self, data):
        # As PrimaryKeyRelatedField does, through the cached selector.
        if isinstance(data, bool):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            pk = int(data)
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        distribution = distribution_for_sale(self.context["request"].user, pk)
        if distribution is None:
            self.fail("does_not_exist", pk_value=data)
        return distribution


class OrderCreateSerializer(serializers.Serializer):
    """A sale at the counter: the operator needs sale permission on the distribution."""

    distribution = SellableDistributionField()
    email = serializers.EmailField()
    buyer_name = serializers.CharField(max_length=200, required=False, default="")
    payment_method = serializers.ChoiceField(choices=COUNTER_METHODS)
    positions = PositionSerializer(many=True, allow_empty=False, max_length=50)
    add_ons = AddOnChoiceSerializer(
        many=True,
        required=False,
        max_length=20,
        help_text="Add-ons sold per order: `quantity` of each for the order.",
    )
    sell_beyond_buyer_limit = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Sell even when this e-mail address already has the event's limit of tickets per "
        "buyer (max_tickets_per_buyer); recorded in the audit log under the caller's name. Without "
        "it such a sale is a 400 with the reason under email.",
    )
    answers = AnswerInputSerializer(
        many=True, required=False, default=list, max_length=500, help_text=ANSWERS_HELP
    )
    voucher = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="A voucher or access code of the distribution's organizer (case aside): the tickets it "
        "applies to are priced with it and use it. Unknown, expired, used up or at its limit per "
        "buyer: a 400 with the reason under voucher.",
    )

    def validate_positions(self, positions):
        self.initial_positions = positions  # their add-ons: read by validate
        ticket_types = ticket_types_for_sale({p["ticket_type"] for p in positions})
        date_ids = {p["event_date"] for p in positions if p.get("event_date")}
        dates = EventDate.objects.in_bulk(date_ids) if date_ids else {}
        lines, errors = [], []
        for position in positions:
            ticket_type = ticket_types.get(position["ticket_type"])
            error = {}
            if ticket_type is None:
                error["ticket_type"] = [_("Unknown ticket type.")]
            if position.get("event_date") and position["event_date"] not in dates:
                error["event_date"] = [_("Unknown event date.")]
            errors.append(error)
            if not error:
                lines.append(
                    OrderLine(
                        ticket_type=ticket_type,
                        quantity=position["quantity"],
                        event_date=dates.get(position.get("event_date")),
                    )
                )
        if any(errors):
            raise serializers.ValidationError(errors)
        return lines

    def validate(self, attrs):
        """The add-ons asked for (per position and per order) as requests of order_create; an
        unknown add-on, or one of another organizer, is a 400 under add_ons or positions."""
        wanted = [(None, choice) for choice in attrs.pop("add_ons", [])]
        wanted += [
            (index, choice)
            for index, position in enumerate(self.initial_positions)
            for choice in position.get("add_ons", [])
        ]
        known = AddOn.objects.filter(organizer_id=attrs["distribution"].organizer_id).in_bulk(
            {choice["add_on"] for _line, choice in wanted}
        )
        requests = []
        for line, choice in wanted:
            add_on = known.get(choice["add_on"])
            if add_on is None:
                raise serializers.ValidationError(
                    {"add_ons" if line is None else "positions": [_("Unknown add-on.")]}
                )
            requests.append(AddOnRequest(add_on=add_on, quantity=choice["quantity"], line=line))
        attrs["add_on_requests"] = requests
        return self._with_voucher(attrs)

    @staticmethod
    def _with_voucher(attrs):
        """The voucher code given, as the organizer's voucher (an unknown one: a 400 under voucher)."""
        code = attrs.pop("voucher", "")
        attrs["voucher"] = None
        if code:
            attrs["voucher"] = voucher_by_code(attrs["distribution"].organizer, code)
            if attrs["voucher"] is None:
                raise serializers.ValidationError(
                    {"voucher": [_("The code %(code)s is not known here.") % {"code": code}]}
                )
        return attrs


class CheckInSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=64)
    event_date = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, help_text="The date at this gate; needed for passes."
    )
    admit_other_day = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Admit a ticket whose date is not today in its event's time zone (refused by "
        "default with reason other_day); recorded in the audit log.",
    )


class AdmissionSerializer(serializers.Serializer):
    result = serializers.CharField()
    ticket = TicketSerializer()
    event_date = serializers.IntegerField(source="event_date.pk")
    event = serializers.CharField(source="ticket.ticket_type.event.name")
    other_day = serializers.BooleanField(help_text="Admitted anyway on a day that is not its date's.")
    pass_holder = serializers.CharField(
        source="season_pass.holder_name",
        default=None,
        allow_null=True,
        help_text="A season pass: its holder's name (to check at the gate); else null.",
    )
    answers = GateAnswerSerializer(
        many=True, read_only=True, help_text='Answers to the questions flagged "show at check-in".'
    )


class RefundSerializer(serializers.Serializer):
    tickets = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        allow_empty=False,
        max_length=500,
        help_text="Ids of the tickets to refund (their add-ons go with them); all valid ones when "
        "left out, none when only `add_ons` is given.",
    )
    add_ons = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        allow_empty=False,
        max_length=500,
        help_text="Ids of add-on lines of the order (its add_ons) to refund too, or alone.",
    )


@extend_schema_field(OpenApiTypes.INT)
class VisibleOrganizerField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return organizers_visible_to(self.context["request"].user)


@extend_schema_field(OpenApiTypes.INT)
class VisibleEventField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return events_visible_to(self.context["request"].user).select_related("organizer")


class FeeRuleSerializer(serializers.ModelSerializer):
    """A service fee per ticket: organization-wide (no organizer, no event), for an organizer,
    or for one event (its organizer is the event's)."""

    organizer = VisibleOrganizerField(required=False, allow_null=True)
    event = VisibleEventField(required=False, allow_null=True)

    class Meta:
        model = FeeRule
        fields = ["id", "organizer", "event", "name", "fixed", "percent", "paid_by"]
        validators = []  # one rule per scope: fee_rule_save says so in words

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:  # a rule never changes what it applies to
            fields["organizer"].read_only = fields["event"].read_only = True
        return fields


SORT_CHOICES = [
    ("-placed", "Newest first"),
    ("placed", "Oldest first"),
    ("-total", "Highest total first"),
    ("total", "Lowest total first"),
    ("buyer", "Buyer (name, else e-mail), A to Z"),
    ("-buyer", "Buyer, Z to A"),
]


class OrderFilterSerializer(serializers.Serializer):
    """The query parameters of GET /api/v1/orders/ (all optional; a bad one is a 400 naming it)."""

    q = serializers.CharField(
        max_length=200,
        required=False,
        help_text="Order code, buyer's e-mail or name (a part), ticket code, or voucher code.",
    )
    status = serializers.ChoiceField(choices=Order.Status.choices, required=False)
    event = serializers.IntegerField(
        min_value=1, required=False, help_text="Orders with tickets of this event."
    )
    date = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="Orders with tickets for this event date (its event's passes too).",
    )
    distribution = serializers.IntegerField(
        min_value=1, required=False, help_text="Sold through this channel."
    )
    placed_from = serializers.DateField(required=False, help_text="Placed on or after this day.")
    placed_until = serializers.DateField(required=False, help_text="Placed on or before this day.")
    payment_method = serializers.ChoiceField(choices=Order.PaymentMethod.choices, required=False)
    sort = serializers.ChoiceField(choices=SORT_CHOICES, required=False, default="-placed")

    def validate(self, attrs):
        start, end = attrs.get("placed_from"), attrs.get("placed_until")
        if start and end and end < start:
            raise serializers.ValidationError(
                {"placed_until": [_("The end of the period comes before its start.")]}
            )
        return attrs


class CheckInRecordSerializer(serializers.Serializer):
    event_date = serializers.IntegerField(source="event_date_id")
    checked_in_at = serializers.DateTimeField()
    checked_in_by = serializers.EmailField(source="checked_in_by.email", default="", allow_blank=True)


class OrderTicketSerializer(TicketSerializer):
    check_ins = CheckInRecordSerializer(many=True, source="admissions", read_only=True)

    class Meta(TicketSerializer.Meta):
        fields = [*TicketSerializer.Meta.fields, "absorbed_fee", "voided_at", "check_ins"]
        read_only_fields = fields


class RefundRecordSerializer(serializers.Serializer):
    refund_id = serializers.CharField(help_text="Stripe's refund id.")
    amount = serializers.DecimalField(max_digits=12, decimal_places=3)
    status = serializers.CharField()
    created_at = serializers.DateTimeField()


class PaymentRecordSerializer(serializers.Serializer):
    intent_id = serializers.CharField(help_text="Stripe's PaymentIntent id.")
    stripe_account_id = serializers.CharField(help_text="The organizer's connected Stripe account.")
    status = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=3)
    currency = serializers.CharField()
    application_fee = serializers.DecimalField(
        max_digits=12, decimal_places=3, help_text="The platform's fee."
    )
    refunded_amount = serializers.DecimalField(max_digits=12, decimal_places=3)
    succeeded_at = serializers.DateTimeField(allow_null=True)
    refunds = RefundRecordSerializer(many=True, source="refund_list")


class HistoryLineSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    action = serializers.CharField(
        help_text="order.created, order.paid, order.refunded, ticket.checked_in, …"
    )
    by = serializers.CharField(help_text="The e-mail of who did it; empty for the buyer or the system.")
    data = serializers.DictField()


class OrderDetailSerializer(OrderSerializer):
    """An order with what its control page shows: tickets with check-ins, card payments with
    refunds, fees and the history."""

    tickets = OrderTicketSerializer(many=True, read_only=True, source="ticket_list")
    payments = PaymentRecordSerializer(many=True, read_only=True)
    absorbed_fee_total = serializers.DecimalField(max_digits=12, decimal_places=3, read_only=True)
    application_fee = serializers.DecimalField(
        max_digits=12, decimal_places=3, read_only=True, help_text="The platform's fee on its card payments."
    )
    history = HistoryLineSerializer(many=True, read_only=True)
    answers = AnswerSerializer(many=True, read_only=True, source="answer_list")

    class Meta(OrderSerializer.Meta):
        fields = [
            *OrderSerializer.Meta.fields,
            "language",
            "confirmation_sent_at",
            "payments",
            "absorbed_fee_total",
            "application_fee",
            "history",
            "answers",
        ]
        read_only_fields = fields
