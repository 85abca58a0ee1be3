"""Control panel forms of the events area: they parse and check input; services write."""

import re
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django import forms
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime, parse_time
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from apps.core.currencies import currency_exponent
from apps.core.datetimes import date_in_range
from apps.core.money import fits_currency, quantize
from apps.core.timezones import time_zone_choices
from apps.events.exceptions import EventError
from apps.events.models import Event, EventDate, Location, TicketType
from apps.events.replication import Slot, plan_slots
from apps.organizers.models import Distribution, Organizer


def local_datetime_label(value: datetime) -> str:
    """A date and time in the active time zone, in the language's short format."""
    return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


def _parse(parse, value: str):
    """A Django parse_* result, None also for a well-formed impossible value (25:00, 30 February)."""
    try:
        return parse(value)
    except ValueError:
        return None


class DateTimeLocalInput(forms.DateTimeInput):
    """The browser's date-and-time picker; the value is read in the active time zone."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


# --- filters --------------------------------------------------------------------------


class OrganizerFilterForm(forms.Form):
    organizer = forms.ModelChoiceField(
        label=_("Organizer"), queryset=Organizer.objects.none(), required=False, empty_label=_("All")
    )

    def __init__(self, *args, organizers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizer"].queryset = organizers


class EventFilterForm(OrganizerFilterForm):
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All")), *Event.Status.choices]


class AgendaFilterForm(OrganizerFilterForm):
    start = forms.DateField(label=_("From"), required=False, widget=DateInput(), validators=[date_in_range])


# --- locations ------------------------------------------------------------------------


class LocationForm(forms.ModelForm):
    """A location's fields; on creation also the organizer (among those one configures)."""

    organizer = forms.ModelChoiceField(label=_("Organizer"), queryset=Organizer.objects.none())
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=(),
        required=False,
        help_text=_("Empty: the organizer's time zone. Set it for a venue in another zone."),
    )

    class Meta:
        model = Location
        fields = [
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
        ]
        widgets = {
            "latitude": forms.NumberInput(attrs={"step": "any", "min": -90, "max": 90}),
            "longitude": forms.NumberInput(attrs={"step": "any", "min": -180, "max": 180}),
        }

    def __init__(self, *args, organizers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["organizer"]  # a location never moves to another organizer
        else:
            self.fields["organizer"].queryset = organizers
        self.fields["time_zone"].choices = [("", _("The organizer's time zone")), *time_zone_choices()]
        self.fields["latitude"].help_text = _("Optional, e.g. 52.370216.")
        self.fields["longitude"].help_text = _("Optional, e.g. 4.895168.")


# --- events ---------------------------------------------------------------------------


class LocationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, location):
        return f"{location.organizer.name} – {location}"


class EventCreateForm(forms.ModelForm):
    """A new event: an organizer one configures and one of that organizer's locations."""

    organizer = forms.ModelChoiceField(label=_("Organizer"), queryset=Organizer.objects.none())
    location = LocationChoiceField(label=_("Location"), queryset=Location.objects.none())

    class Meta:
        model = Event
        fields = ["organizer", "location", "name", "category", "description"]

    def __init__(self, *args, organizers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizer"].queryset = organizers
        self.fields["location"].queryset = (
            Location.objects.filter(organizer__in=organizers)
            .select_related("organizer")
            .order_by("organizer__name", "name")
        )

    def clean(self):
        cleaned = super().clean()
        organizer, location = cleaned.get("organizer"), cleaned.get("location")
        if organizer and location and location.organizer_id != organizer.pk:
            if organizer.locations.exists():
                message = _("Choose a location of %(organizer)s.")
            else:
                message = _("%(organizer)s has no location yet: add one first.")
            self.add_error("location", message % {"organizer": organizer.name})
        return cleaned


class EventForm(forms.ModelForm):
    """An event's own fields; location and channels among its organizer's."""

    distributions = forms.ModelMultipleChoiceField(
        label=_("Sold in"),
        queryset=Distribution.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Event
        fields = [
            "name",
            "category",
            "location",
            "description",
            "image",
            "distributions",
            "max_tickets_per_buyer",
            "waiting_list",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        organizer = self.instance.organizer
        self.fields["location"].queryset = organizer.locations.order_by("name")
        self.fields["location"].empty_label = None
        self.fields["distributions"].queryset = organizer.distributions.order_by("pk")

    def changes(self) -> dict:
        changes = {field: self.cleaned_data[field] for field in self.changed_data}
        if changes.get("image") is False:  # "clear" ticked
            changes["image"] = ""
        return changes


class EventDateForm(forms.ModelForm):
    prefix = "date"

    class Meta:
        model = EventDate
        fields = ["start", "end", "capacity"]
        field_classes = {"start": forms.DateTimeField, "end": forms.DateTimeField}
        widgets = {"start": DateTimeLocalInput(), "end": DateTimeLocalInput()}

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end <= start:
            self.add_error("end", _("The end must be after the start."))
        return cleaned


class EventDateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, event_date):
        return local_datetime_label(event_date.start)


class TicketTypeForm(forms.ModelForm):
    """A ticket type of `event`; its price has at most the decimals of the organizer's currency."""

    prefix = "ticket"
    event_date = EventDateChoiceField(
        label=_("Valid on"),
        queryset=EventDate.objects.none(),
        required=False,
        empty_label=_("All dates (a pass)"),
    )

    class Meta:
        model = TicketType
        fields = [
            "name",
            "price",
            "event_date",
            "limit",
            "sale_start",
            "sale_end",
            "min_per_order",
            "max_per_order",
            "hidden",
        ]
        widgets = {"sale_start": DateTimeLocalInput(), "sale_end": DateTimeLocalInput()}

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.currency = event.organizer.currency
        exponent = currency_exponent(self.currency)
        price = self.fields["price"]
        price.label = _("Price (%(currency)s)") % {"currency": self.currency}
        price.widget.attrs.update({"step": str(Decimal(1).scaleb(-exponent)), "min": "0"})
        price.help_text = ""
        self.fields["event_date"].queryset = event.dates.order_by("start")
        self.fields["event_date"].help_text = _("One date, or every date of the event.")
        if self.instance.pk:
            self.initial["price"] = quantize(self.instance.price, self.currency)

    def clean_price(self):
        price = self.cleaned_data["price"]
        if price is not None and not fits_currency(price, self.currency):
            exponent = currency_exponent(self.currency)
            raise forms.ValidationError(
                _("%(currency)s prices have at most %(count)d decimals.")
                % {"currency": self.currency, "count": exponent}
            )
        return price

    def clean(self):
        cleaned = super().clean()
        sale_start, sale_end = cleaned.get("sale_start"), cleaned.get("sale_end")
        if sale_start and sale_end and sale_end <= sale_start:
            self.add_error("sale_end", _("The sale must end after it starts."))
        low, high = cleaned.get("min_per_order"), cleaned.get("max_per_order")
        if low is not None and high is not None and high < low:
            self.add_error("max_per_order", _("The maximum cannot be below the minimum."))
        return cleaned


# --- replication ----------------------------------------------------------------------


class ReplicationForm(forms.Form):
    """A recurrence or a list of dates, turned into the plan apps.events.replication reads.

    After validation, `plan` is that plan and `slots` the dates it makes.
    """

    KINDS = [
        ("recurrence", _("Repeat on a schedule")),
        ("copy", _("Copy the event to a list of dates")),
    ]
    FREQUENCIES = [("daily", _("Daily")), ("weekly", _("Weekly")), ("monthly", _("Monthly"))]

    kind = forms.ChoiceField(label=_("How"), choices=KINDS, initial="recurrence", widget=forms.RadioSelect)
    # a recurrence
    frequency = forms.ChoiceField(
        label=_("Repeat"), choices=FREQUENCIES, initial="weekly", required=False, widget=forms.RadioSelect
    )
    interval = forms.IntegerField(
        label=_("Every"),
        min_value=1,
        max_value=365,
        initial=1,
        required=False,
        help_text=_("1: every day, week or month; 2: every other one; and so on."),
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("On"),
        choices=sorted(WEEKDAYS.items()),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For a weekly repeat."),
    )
    times = forms.CharField(
        label=_("Times of day"),
        required=False,
        max_length=500,
        help_text=_("One or more, separated by commas, e.g. 10:00, 14:00."),
    )
    starts_on = forms.DateField(
        label=_("Starts on"), required=False, widget=DateInput(), validators=[date_in_range]
    )
    until = forms.DateField(
        label=_("Until"),
        required=False,
        widget=DateInput(),
        help_text=_("The last day, included."),
        validators=[date_in_range],
    )
    count = forms.IntegerField(
        label=_("Or a number of dates"), min_value=1, required=False, help_text=_("Instead of an end day.")
    )
    # a copy
    dates = forms.CharField(
        label=_("Start dates and times"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "2027-05-31 20:00\n2027-06-07 20:00"}),
        help_text=_("One per line, e.g. 2027-05-31 20:00."),
    )
    location = forms.ModelChoiceField(
        label=_("At location"), queryset=Location.objects.none(), required=False
    )
    name = forms.CharField(
        label=_("Name of the copy"),
        max_length=200,
        required=False,
        help_text=_("Empty: the same name."),
    )
    # every date
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=1, max_value=60 * 24 * 31, initial=120
    )
    timezone = forms.ChoiceField(
        label=_("Time zone"), help_text=_("The event's own, unless you pick another.")
    )
    capacity = forms.IntegerField(
        label=_("Capacity of each date"),
        min_value=0,
        required=False,
        help_text=_("Empty: the location's capacity."),
    )

    RECURRENCE_FIELDS = ("frequency", "interval", "weekdays", "times", "starts_on", "until", "count")
    COPY_FIELDS = ("dates", "location", "name")
    COMMON_FIELDS = ("duration_minutes", "timezone", "capacity")

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.fields["timezone"].choices = time_zone_choices()
        self.fields["location"].queryset = event.organizer.locations.order_by("name")
        self.fields["location"].empty_label = _("The same location (%(location)s)") % {
            "location": event.location
        }
        self.plan: dict = {}
        self.slots: list[Slot] = []

    def recurrence_fields(self):
        return [self[name] for name in self.RECURRENCE_FIELDS]

    def copy_fields(self):
        return [self[name] for name in self.COPY_FIELDS]

    def common_fields(self):
        return [self[name] for name in self.COMMON_FIELDS]

    def clean_times(self) -> list[str]:
        values = [value for value in re.split(r"[,;\s]+", self.cleaned_data["times"]) if value]
        times = []
        for value in values:
            parsed = _parse(parse_time, value)
            if parsed is None:
                raise forms.ValidationError(
                    _("“%(value)s” is not a time of day like 14:30.") % {"value": value}
                )
            times.append(parsed.strftime("%H:%M"))
        return sorted(set(times))

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        make_plan = self._recurrence_plan if cleaned["kind"] == "recurrence" else self._copy_plan
        plan = make_plan(cleaned)
        if self.errors:
            return cleaned
        if cleaned.get("capacity") is not None:
            plan["capacity"] = cleaned["capacity"]
        try:
            self.slots = plan_slots(plan)
        except EventError as exc:
            raise forms.ValidationError(str(exc)) from None
        self.plan = plan
        return cleaned

    def _require(self, cleaned, *names) -> None:
        for name in names:
            if cleaned.get(name) in (None, "", []):
                self.add_error(name, forms.Field.default_error_messages["required"])

    def _recurrence_plan(self, cleaned) -> dict:
        self._require(cleaned, "frequency", "times", "starts_on")
        if cleaned.get("frequency") == "weekly":
            self._require(cleaned, "weekdays")
        until, count = cleaned.get("until"), cleaned.get("count")
        if (until is None) == (count is None):
            self.add_error("until", _("Give either an end day or a number of dates."))
        if self.errors:
            return {}
        plan = {
            "kind": "recurrence",
            "frequency": cleaned["frequency"],
            "interval": cleaned.get("interval") or 1,
            "times": cleaned["times"],
            "starts_on": cleaned["starts_on"].isoformat(),
            "duration_minutes": cleaned["duration_minutes"],
            "timezone": cleaned["timezone"],
        }
        if cleaned["frequency"] == "weekly":
            plan["weekdays"] = sorted(cleaned["weekdays"])
        if until is not None:
            plan["until"] = until.isoformat()
        else:
            plan["count"] = count
        return plan

    def _copy_plan(self, cleaned) -> dict:
        self._require(cleaned, "dates")
        if self.errors:
            return {}
        zone = ZoneInfo(cleaned["timezone"])
        duration = timedelta(minutes=cleaned["duration_minutes"])
        dates, problems = [], []
        lines = [line.strip() for line in cleaned["dates"].splitlines() if line.strip()]
        for number, line in enumerate(lines, start=1):
            start = _parse(parse_datetime, line)
            if start is None:
                problems.append(
                    _("Line %(n)d: “%(value)s” is not a date and time like 2027-05-31 20:00.")
                    % {"n": number, "value": line}
                )
                continue
            if start.tzinfo is None:
                start = start.replace(tzinfo=zone)
            dates.append({"start": start.isoformat(), "end": (start + duration).isoformat()})
        if problems:
            self.add_error("dates", problems[:5])
            return {}
        plan = {"kind": "copy", "dates": dates, "duration_minutes": cleaned["duration_minutes"]}
        plan["timezone"] = cleaned["timezone"]
        if cleaned.get("location") and cleaned["location"].pk != self.event.location_id:
            plan["location"] = cleaned["location"].pk
        if cleaned.get("name"):
            plan["name"] = cleaned["name"]
        return plan


class DailyScheduleForm(forms.Form):
    """A daily schedule of timeslots: every chosen weekday from one day to another, at each
    start time, for a duration, with a capacity each, in the event's zone. Turned into the
    daily recurrence plan apps.events.replication reads (the replication's own preview,
    confirmation and progress make the dates). After validation, `plan` and `slots`."""

    starts_on = forms.DateField(label=_("From"), widget=DateInput(), validators=[date_in_range])
    until = forms.DateField(
        label=_("To"), widget=DateInput(), help_text=_("The last day, included."), validators=[date_in_range]
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Open on"),
        choices=sorted(WEEKDAYS.items()),
        coerce=int,
        initial=list(range(7)),
        widget=forms.CheckboxSelectMultiple,
    )
    times = forms.CharField(
        label=_("Start times"),
        max_length=1000,
        help_text=_("Each timeslot's start, separated by commas, e.g. 10:00, 11:00, 12:00."),
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration of a timeslot (minutes)"), min_value=1, max_value=60 * 24, initial=60
    )
    capacity = forms.IntegerField(
        label=_("Capacity of each timeslot"),
        min_value=0,
        required=False,
        help_text=_("Empty: the location's capacity."),
    )

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.plan: dict = {}
        self.slots: list[Slot] = []

    clean_times = ReplicationForm.clean_times

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if cleaned["until"] < cleaned["starts_on"]:
            self.add_error("until", _("The last day is before the first."))
            return cleaned
        plan = {
            "kind": "recurrence",
            "frequency": "daily",
            "interval": 1,
            "weekdays": sorted(cleaned["weekdays"]),
            "times": cleaned["times"],
            "starts_on": cleaned["starts_on"].isoformat(),
            "until": cleaned["until"].isoformat(),
            "duration_minutes": cleaned["duration_minutes"],
            "timezone": self.event.time_zone,
        }
        if cleaned.get("capacity") is not None:
            plan["capacity"] = cleaned["capacity"]
        try:
            self.slots = plan_slots(plan)
        except EventError as exc:
            raise forms.ValidationError(str(exc)) from None
        self.plan = plan
        return cleaned

    @property
    def days(self) -> int:
        return len({slot.start.date() for slot in self.slots})
