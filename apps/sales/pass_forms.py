"""Forms of season passes: an organizer's pass types (control panel), a holder's name and
photo, and a date to book (the customer's account)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.timezones import SHORT, format_in_zone
from apps.events.forms import DateTimeLocalInput
from apps.events.models import Event, TicketType
from apps.organizers.models import Organizer
from apps.sales.models import PassType
from apps.sales.services.passes import HOLDER_MAX_LENGTH


class _OfOrganizer(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.event.name} · {obj.name}" if isinstance(obj, TicketType) else str(obj)


class _EventChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class PassTypeForm(forms.Form):
    """A pass type's name, the ticket type it is sold as, its validity, use and events.
    `organizers` given when creating (its organizer is chosen); `ticket_types`, `events`
    and `pass_types` (the renewable ones): those one may use."""

    organizer = forms.ModelChoiceField(
        label=_("Organizer"), queryset=Organizer.objects.none(), empty_label=None
    )
    name = forms.CharField(label=_("Name"), max_length=200, help_text=_("E.g. Season pass 2027."))
    ticket_type = _OfOrganizer(
        label=_("Sold as"),
        queryset=TicketType.objects.none(),
        help_text=_("The ticket type buyers buy the pass as: its price, stock and sale period."),
    )
    mode = forms.ChoiceField(
        label=_("How it is used"), choices=PassType.Mode.choices, widget=forms.RadioSelect, initial="entry"
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(
        label=_("Valid until"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The last day it is valid, included (in each event's time zone)."),
    )
    events = _EventChoices(
        label=_("Events covered"), queryset=Event.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    booking_price = forms.DecimalField(
        label=_("Price of a booking"),
        min_value=0,
        max_digits=12,
        decimal_places=3,
        initial=0,
        help_text=_("Booking mode: what each ticket booked with the pass costs (0: free)."),
        widget=forms.NumberInput(attrs={"min": "0", "step": "0.01", "inputmode": "decimal"}),
    )
    max_uses = forms.IntegerField(
        label=_("Maximum uses"),
        min_value=1,
        required=False,
        help_text=_("Entries or bookings per pass; empty for no limit."),
    )
    renewal_of = forms.ModelChoiceField(
        label=_("Renewal of"),
        queryset=PassType.objects.none(),
        required=False,
        help_text=_("Holders of that pass type may buy this one first."),
    )
    holders_from = forms.DateTimeField(
        label=_("Holders may buy from"),
        required=False,
        widget=DateTimeLocalInput(),
        help_text=_("Before the ticket type's sale start, only holders of the renewed pass type may buy it."),
    )

    def __init__(self, *args, organizers=None, ticket_types, events, pass_types, **kwargs):
        super().__init__(*args, **kwargs)
        if organizers is None:
            del self.fields["organizer"]
        else:
            self.fields["organizer"].queryset = organizers
        self.fields["ticket_type"].queryset = ticket_types.select_related("event")
        self.fields["events"].queryset = events
        self.fields["renewal_of"].queryset = pass_types

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("valid_from"), cleaned.get("valid_until")
        if first and last and last < first:
            self.add_error("valid_until", _("The last day cannot be before the first."))
        if cleaned.get("holders_from") and not cleaned.get("renewal_of"):
            self.add_error("renewal_of", _("Choose the pass type whose holders may buy first."))
        return cleaned

    def pass_type_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields if name != "organizer"}


class PassHolderForm(forms.Form):
    holder_name = forms.CharField(label=_("Holder's name"), max_length=HOLDER_MAX_LENGTH)
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        help_text=_("Optional: a JPEG or PNG portrait (at most 2 MB), shown at the gate."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )


class PassCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Your pass's code"),
        max_length=32,
        help_text=_("The code under its QR code, on its order's page and on the pass's page."),
    )

    def clean_code(self):
        return self.cleaned_data["code"].strip()


class PassBookingForm(forms.Form):
    """A ticket of one date among those the pass may book (`bookable`)."""

    ticket_type = forms.TypedChoiceField(label=_("Date to book"), coerce=int)

    def __init__(self, *args, bookable, **kwargs):
        super().__init__(*args, **kwargs)
        self.bookable = {ticket_type.pk: ticket_type for ticket_type in bookable}
        self.fields["ticket_type"].choices = [(pk, _label(t)) for pk, t in self.bookable.items()]

    def clean_ticket_type(self):
        return self.bookable[self.cleaned_data["ticket_type"]]


def _label(ticket_type: TicketType) -> str:
    """The event, the date in its zone (named) and the ticket type."""
    event_date = ticket_type.event_date
    when = format_in_zone(event_date.start, event_date.time_zone, SHORT) if event_date else ""
    return f"{ticket_type.event.name} · {when} · {ticket_type.name}"
