from django.utils.translation import gettext_lazy as _
from django_countries.serializer_fields import CountryField
from rest_framework import serializers

from apps.core.datetimes import date_in_range
from apps.core.money import quantize
from apps.core.timezones import time_zone_choices, zone
from apps.events import selectors
from apps.events.models import Event, EventDate, Location, ReplicationRequest, TicketType
from apps.operators.permissions import distributions_visible_to, organizers_visible_to


class _Visible(serializers.PrimaryKeyRelatedField):
    """Accepts only ids the caller can see; anything else reads as unknown (no existence leak)."""

    def __init__(self, visible, **kwargs):
        self.visible = visible
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.visible(self.context["request"].user)


def _after_write(serializer, attrs: dict, field: str):
    """A field's value once saved: the new one, else the instance's (partial updates)."""
    return attrs[field] if field in attrs else getattr(serializer.instance, field, None)


class ZonedDateTimes:
    """For a serializer of something of one event: its `zoned_fields` are written in ISO 8601
    with the offset of the event's time zone ("2026-12-22T19:30:00+00:00" for a London show,
    "+01:00" in Amsterdam); input with an offset (or Z) is taken as it is, input without one
    is read in the event's zone (of the object changed, or of the `event` given)."""

    zoned_fields: tuple[str, ...] = ()

    def zone_of(self, instance) -> str:
        return instance.event.time_zone

    def _zone_for_input(self, data) -> str | None:
        if self.instance is not None and not hasattr(self.instance, "__iter__"):
            return self.zone_of(self.instance)
        try:
            event = self.fields["event"].to_internal_value(data.get("event"))
        except (serializers.ValidationError, AttributeError, TypeError):
            return None  # the event field says what is wrong
        return event.time_zone

    def _set_zone(self, name: str | None) -> None:
        for field in self.zoned_fields:
            if name:
                self.fields[field].timezone = zone(name)
            elif hasattr(self.fields[field], "timezone"):
                del self.fields[field].timezone  # the active zone, as DRF does by default

    def to_representation(self, instance):
        self._set_zone(self.zone_of(instance))
        data = super().to_representation(instance)
        for field in self.zoned_fields:  # DRF writes +00:00 as Z: say the zone's offset
            if isinstance(data.get(field), str) and data[field].endswith("Z"):
                data[field] = data[field][:-1] + "+00:00"
        return data

    def to_internal_value(self, data):
        self._set_zone(self._zone_for_input(data))
        return super().to_internal_value(data)


ZONED_HELP = "ISO 8601 with the offset of the event's time zone; without an offset, read in that zone."


class LocationSerializer(serializers.ModelSerializer):
    organizer = _Visible(organizers_visible_to)
    country = CountryField()
    time_zone = serializers.ChoiceField(
        choices=(),
        required=False,
        allow_blank=True,
        help_text="IANA time zone of its events when not its organizer's (empty: the organizer's).",
    )

    class Meta:
        model = Location
        fields = [
            "id",
            "organizer",
            "name",
            "address",
            "city",
            "postal_code",
            "country",
            "time_zone",
            "capacity",
            "latitude",
            "longitude",
            "created_at",
        ]
        read_only_fields = ["created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zone_choices()


class EventSerializer(serializers.ModelSerializer):
    organizer = _Visible(organizers_visible_to)
    location = _Visible(selectors.locations_visible_to)
    distributions = _Visible(distributions_visible_to, many=True, required=False)
    status = serializers.CharField(
        read_only=True, help_text="draft, published or cancelled; change it with the actions."
    )
    date_count = serializers.IntegerField(read_only=True, required=False)
    time_zone = serializers.CharField(
        read_only=True, help_text="IANA zone of its dates: its location's, else its organizer's."
    )

    class Meta:
        model = Event
        fields = [
            "id",
            "organizer",
            "location",
            "name",
            "description",
            "image",
            "category",
            "status",
            "distributions",
            "max_tickets_per_buyer",
            "waiting_list",
            "date_count",
            "time_zone",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["image", "created_at", "updated_at"]


class EventDateSerializer(ZonedDateTimes, serializers.ModelSerializer):
    event = _Visible(selectors.events_visible_to)
    effective_capacity = serializers.IntegerField(read_only=True, allow_null=True)
    time_zone = serializers.CharField(read_only=True, help_text="IANA zone of its event.")
    zoned_fields = ("start", "end")

    class Meta:
        model = EventDate
        fields = ["id", "event", "start", "end", "time_zone", "capacity", "effective_capacity", "created_at"]
        read_only_fields = ["created_at"]
        extra_kwargs = {"start": {"help_text": ZONED_HELP}, "end": {"help_text": ZONED_HELP}}

    def validate(self, attrs):
        start, end = _after_write(self, attrs, "start"), _after_write(self, attrs, "end")
        if start and end and end <= start:
            raise serializers.ValidationError({"end": _("The end must be after the start.")})
        return attrs


class TicketTypeSerializer(ZonedDateTimes, serializers.ModelSerializer):
    event = _Visible(selectors.events_visible_to)
    event_date = _Visible(selectors.event_dates_visible_to, required=False, allow_null=True)
    is_pass = serializers.BooleanField(read_only=True)
    currency = serializers.CharField(source="event.organizer.currency", read_only=True)
    zoned_fields = ("sale_start", "sale_end")

    class Meta:
        model = TicketType
        fields = [
            "id",
            "event",
            "event_date",
            "is_pass",
            "name",
            "price",
            "currency",
            "limit",
            "sale_start",
            "sale_end",
            "min_per_order",
            "max_per_order",
            "hidden",
            "created_at",
        ]
        read_only_fields = ["created_at"]
        extra_kwargs = {
            "min_per_order": {"min_value": 1},
            "max_per_order": {"min_value": 1},
            "sale_start": {"help_text": ZONED_HELP},
            "sale_end": {"help_text": ZONED_HELP},
        }

    def to_representation(self, ticket_type):
        data = super().to_representation(ticket_type)
        # shown with the currency's own decimals: "1500" yen, "12.50" euros
        data["price"] = str(quantize(ticket_type.price, ticket_type.event.organizer.currency))
        return data

    def validate(self, attrs):
        errors = {}
        sale_start, sale_end = _after_write(self, attrs, "sale_start"), _after_write(self, attrs, "sale_end")
        if sale_start and sale_end and sale_end <= sale_start:
            errors["sale_end"] = _("The sale must end after it starts.")
        low, high = _after_write(self, attrs, "min_per_order"), _after_write(self, attrs, "max_per_order")
        if low is not None and high is not None and high < low:
            errors["max_per_order"] = _("The maximum cannot be below the minimum.")
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class RecurrencePlanSerializer(serializers.Serializer):
    """A replication plan; see apps.events.replication for what each field does."""

    kind = serializers.ChoiceField(choices=["recurrence", "copy"])
    frequency = serializers.ChoiceField(choices=["daily", "weekly", "monthly"], required=False)
    interval = serializers.IntegerField(min_value=1, max_value=365, required=False)
    weekdays = serializers.ListField(child=serializers.IntegerField(min_value=0, max_value=6), required=False)
    times = serializers.ListField(
        child=serializers.CharField(), required=False, help_text='Times of day, e.g. ["10:00", "14:00"].'
    )
    duration_minutes = serializers.IntegerField(min_value=1, required=False)
    starts_on = serializers.DateField(required=False, validators=[date_in_range])
    until = serializers.DateField(required=False, allow_null=True, validators=[date_in_range])
    count = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    timezone = serializers.CharField(required=False, default="UTC")
    capacity = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    dates = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        help_text='For a copy: [{"start": …, "end": …}] with time zones.',
    )
    location = serializers.IntegerField(
        required=False, allow_null=True, help_text="For a copy: another location of the organizer."
    )
    name = serializers.CharField(
        required=False, allow_blank=True, help_text="For a copy: the new event's name."
    )
    preview = serializers.BooleanField(
        required=False, default=False, help_text="Only list the dates; create nothing."
    )

    def to_plan(self) -> dict:
        plan = {
            key: value for key, value in self.validated_data.items() if key != "preview" and value is not None
        }
        for key in ("starts_on", "until"):
            if key in plan:
                plan[key] = plan[key].isoformat()
        return plan


class ReplicationResultSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    status = serializers.CharField()
    created_count = serializers.IntegerField()
    total_count = serializers.IntegerField(required=False)
    dates = serializers.ListField(child=serializers.DictField(), required=False)
    detail = serializers.CharField(required=False)


class ReplicationSerializer(serializers.ModelSerializer):
    """A replication and its progress (`created_count` of `total_count` dates)."""

    event = serializers.PrimaryKeyRelatedField(read_only=True)
    target_event = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text="The event the dates go to: the event itself, or its copy."
    )

    class Meta:
        model = ReplicationRequest
        fields = [
            "id",
            "event",
            "target_event",
            "status",
            "plan",
            "total_count",
            "created_count",
            "failure_reason",
            "created_at",
            "executed_at",
        ]
        read_only_fields = fields
