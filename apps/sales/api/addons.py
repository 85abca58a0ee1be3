"""The REST resource of add-ons (/api/v1/add-ons/), and the add-ons of orders: chosen when a
counter sale is made (per position, for each of its tickets, or for the order) and shown in
the order's representation."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.events.selectors import events_visible_to
from apps.operators.api.base import ServiceViewSet
from apps.operators.permissions import Action, organizers_configurable_by
from apps.sales.models import AddOn, OrderAddOn
from apps.sales.selectors.addons import add_ons_visible_to, tax_rules_for_add_ons, ticket_types_for_add_ons
from apps.sales.services import addons


@extend_schema_field(OpenApiTypes.INT)
class ConfigurableOrganizerField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return organizers_configurable_by(self.context["request"].user)


@extend_schema_field(OpenApiTypes.INT)
class AddOnEventField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return events_visible_to(self.context["request"].user).select_related("organizer")


@extend_schema_field(OpenApiTypes.INT)
class AddOnTaxRuleField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return tax_rules_for_add_ons(self.context["request"].user)


class AddOnTicketTypesField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return ticket_types_for_add_ons(self.context["request"].user)


class AddOnSerializer(serializers.ModelSerializer):
    """A product sold with tickets (`per`: "ticket", up to `max_quantity` with each ticket of
    `ticket_types`, all of them when empty) or with orders (`per`: "order"), of one event or
    (`event` null) of every event of its organizer; `stock` null for no limit; `held` (carts,
    unpaid orders) and `sold` as the stock counter stands."""

    organizer = ConfigurableOrganizerField()
    event = AddOnEventField(required=False, allow_null=True)
    tax_rule = AddOnTaxRuleField(required=False, allow_null=True)
    ticket_types = AddOnTicketTypesField(many=True, required=False)
    held = serializers.IntegerField(source="counter.held", read_only=True, default=0)
    sold = serializers.IntegerField(source="counter.sold", read_only=True, default=0)

    class Meta:
        model = AddOn
        fields = [
            "id",
            "organizer",
            "event",
            "name",
            "description",
            "price",
            "stock",
            "per",
            "ticket_types",
            "max_quantity",
            "tax_rule",
            "on_sale",
            "held",
            "sold",
        ]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list):
            fields["organizer"].read_only = True  # an add-on never moves to another organizer
        return fields


class AddOnViewSet(ServiceViewSet):
    """Add-ons of the organizers one configures (Action.CONFIGURE on the organizer). One that
    was sold cannot be deleted (409): take it off sale (`on_sale`: false) instead."""

    serializer_class = AddOnSerializer
    create_service, update_service, delete_service = (
        addons.add_on_save,
        addons.add_on_update,
        addons.add_on_delete,
    )
    instance_kwarg = "add_on"
    write_action = Action.CONFIGURE
    parent_field = "organizer"
    create_only_fields = ("organizer",)

    def get_queryset(self):
        return self.filter_by_ids(add_ons_visible_to(self.request.user), event="event_id").order_by("pk")

    def write_denied_message(self, obj) -> str:
        return _("You need configuration permission on this organizer to change its add-ons.")


class OrderAddOnSerializer(serializers.ModelSerializer):
    """An add-on line of an order: for one of its tickets (`ticket`) or the whole order (null)."""

    class Meta:
        model = OrderAddOn
        fields = [
            "id",
            "add_on",
            "ticket",
            "name",
            "quantity",
            "unit_price",
            "price",
            "tax_name",
            "tax_rate",
            "tax",
            "tax_included",
            "status",
        ]
        read_only_fields = fields


class AddOnChoiceSerializer(serializers.Serializer):
    add_on = serializers.IntegerField(min_value=1)
    quantity = serializers.IntegerField(min_value=1, max_value=100, default=1)
