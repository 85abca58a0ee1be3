"""REST resource of vouchers and access codes (/api/v1/vouchers/): the organizer's
configurers read and write them (Action.MANAGE_VOUCHERS); POST /api/v1/vouchers/batch/
makes many unique random codes at once."""

from decimal import Decimal

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.audit import Actor
from apps.events.selectors import event_dates_visible_to, events_visible_to, ticket_types_visible_to
from apps.operators.api.base import ServiceViewSet
from apps.operators.permissions import Action, organizers_configurable_by
from apps.sales.models import Voucher
from apps.sales.selectors.vouchers import vouchers_visible_to
from apps.sales.services.vouchers import BATCH_MAX, voucher_delete, voucher_save, vouchers_batch_create


@extend_schema_field(OpenApiTypes.INT)
class _ConfigurableOrganizerField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return organizers_configurable_by(self.context["request"].user)


@extend_schema_field(OpenApiTypes.INT)
class _VisibleEventField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return events_visible_to(self.context["request"].user).select_related("organizer")


@extend_schema_field(OpenApiTypes.INT)
class _VisibleTicketTypeField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return ticket_types_visible_to(self.context["request"].user).select_related("event")


@extend_schema_field(OpenApiTypes.INT)
class _VisibleDateField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return event_dates_visible_to(self.context["request"].user).select_related("event")


class VoucherSerializer(serializers.ModelSerializer):
    """A voucher (price_mode: none, subtract, percent, set; value: the amount, percent or price)
    or an access code (unlocks_hidden: the hidden ticket types it covers can be bought with
    it). Scope: the organizer's events, or `event`; `ticket_types` and `event_dates` chosen,
    else all. `used`: the tickets holding one of its uses (carts, unpaid and paid orders)."""

    organizer = _ConfigurableOrganizerField()
    event = _VisibleEventField(required=False, allow_null=True)
    ticket_types = _VisibleTicketTypeField(many=True, required=False)
    event_dates = _VisibleDateField(many=True, required=False)
    code = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        help_text="Case aside, unique per organizer; empty: random.",
    )

    class Meta:
        model = Voucher
        fields = [
            "id",
            "organizer",
            "code",
            "price_mode",
            "value",
            "event",
            "ticket_types",
            "event_dates",
            "valid_from",
            "valid_until",
            "max_uses",
            "max_uses_per_buyer",
            "used",
            "unlocks_hidden",
            "tag",
            "created_at",
        ]
        read_only_fields = ["used", "created_at"]
        validators: list[object] = []  # a code once per organizer, case aside: voucher_save says so in words

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:  # a voucher never moves to another organizer
            fields["organizer"].read_only = True
        return fields


class VoucherBatchSerializer(serializers.Serializer):
    """Many vouchers alike, each with its own random code after `prefix`."""

    organizer = _ConfigurableOrganizerField()
    quantity = serializers.IntegerField(min_value=1, max_value=BATCH_MAX)
    prefix = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    price_mode = serializers.ChoiceField(choices=Voucher.PriceMode.choices, default=Voucher.PriceMode.NONE)
    value = serializers.DecimalField(
        max_digits=12, decimal_places=3, min_value=Decimal(0), default=Decimal(0)
    )
    event = _VisibleEventField(required=False, allow_null=True, default=None)
    ticket_types = _VisibleTicketTypeField(many=True, required=False, default=list)
    event_dates = _VisibleDateField(many=True, required=False, default=list)
    valid_from = serializers.DateTimeField(required=False, allow_null=True, default=None)
    valid_until = serializers.DateTimeField(required=False, allow_null=True, default=None)
    max_uses = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=1)
    max_uses_per_buyer = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    unlocks_hidden = serializers.BooleanField(default=False)
    tag = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


def _voucher_update(*, voucher: Voucher, actor: Actor, **changes) -> Voucher:
    return voucher_save(organizer=voucher.organizer, voucher=voucher, actor=actor, **changes)


def _voucher_create(*, actor: Actor, **fields) -> Voucher:
    return voucher_save(actor=actor, **fields)


class VoucherViewSet(ServiceViewSet):
    """Vouchers and access codes of the organizers one configures."""

    serializer_class = VoucherSerializer
    create_service = staticmethod(_voucher_create)
    update_service = staticmethod(_voucher_update)
    delete_service = staticmethod(voucher_delete)
    instance_kwarg = "voucher"
    write_action = Action.MANAGE_VOUCHERS
    parent_field = "organizer"
    create_only_fields = ("organizer",)

    def get_queryset(self):
        queryset = vouchers_visible_to(self.request.user).prefetch_related("ticket_types", "event_dates")
        code = self.request.query_params.get("code")
        tag = self.request.query_params.get("tag")
        if "\x00" in (code or "") + (tag or ""):  # PostgreSQL refuses NUL in text: no code has it
            return queryset.none()
        if code:
            queryset = queryset.filter(code__iexact=code)
        if tag:
            queryset = queryset.filter(tag=tag)
        return self.filter_by_ids(queryset, organizer="organizer_id", event="event_id").order_by("pk")

    def write_denied_message(self, obj) -> str:
        return _("You need configuration permission on this organizer to change its vouchers.")

    @extend_schema(request=VoucherBatchSerializer, responses={201: VoucherSerializer(many=True), 400: None})
    @action(detail=False, methods=["post"])
    def batch(self, request):
        """Make `quantity` vouchers alike with unique random codes (tagged with `tag`, else the prefix)."""
        serializer = VoucherBatchSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        self.check_write(data["organizer"])
        made = vouchers_batch_create(actor=Actor.from_request(request), **data)
        listed = Voucher.objects.filter(pk__in=[v.pk for v in made]).prefetch_related(
            "ticket_types", "event_dates"
        )
        return Response(
            VoucherSerializer(listed.order_by("pk"), many=True).data, status=status.HTTP_201_CREATED
        )
