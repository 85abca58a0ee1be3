"""Forms of vouchers: an organizer's codes (control panel), the buyer's code field (shop) and
the list's search."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.events.forms import DateTimeLocalInput
from apps.events.models import Event, EventDate, TicketType
from apps.organizers.models import Organizer
from apps.sales.models import Voucher
from apps.sales.selectors.vouchers import CODE_MAX_LENGTH
from apps.sales.services.vouchers import BATCH_MAX


class _TicketTypeChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: TicketType) -> str:
        hidden = f" ({_('hidden')})" if obj.hidden else ""
        return f"{obj.event.name} · {obj.name}{hidden}"


class VoucherForm(forms.Form):
    """One voucher (or, created with a quantity above 1, a batch of codes alike: the code is
    then their prefix). `organizers`: given when creating; the scope's choices are those of
    `organizer` (the voucher's, or the one chosen)."""

    organizer = forms.ModelChoiceField(
        label=_("Organizer"), queryset=Organizer.objects.none(), empty_label=None
    )
    code = forms.CharField(
        label=_("Code"),
        max_length=CODE_MAX_LENGTH,
        required=False,
        help_text=_("Letters, digits, - and _. Empty: a random code. For several codes: their prefix."),
    )
    quantity = forms.IntegerField(
        label=_("Number of codes"),
        min_value=1,
        max_value=BATCH_MAX,
        initial=1,
        help_text=_("Above 1: that many unique random codes, downloadable as a spreadsheet."),
    )
    price_mode = forms.ChoiceField(
        label=_("Discount"), choices=Voucher.PriceMode.choices, widget=forms.RadioSelect
    )
    value = forms.DecimalField(
        label=_("Value"),
        min_value=0,
        max_digits=12,
        decimal_places=3,
        required=False,
        help_text=_("The amount off, the percent off or the price set; empty for no discount."),
        widget=forms.NumberInput(attrs={"min": "0", "step": "any", "inputmode": "decimal"}),
    )
    unlocks_hidden = forms.BooleanField(
        label=_("Shows hidden ticket types (an access code)"),
        required=False,
        help_text=_("The hidden ticket types it covers can be bought with it, e.g. a presale for members."),
    )
    event = forms.ModelChoiceField(
        label=_("Event"), queryset=Event.objects.none(), required=False, empty_label=_("Every event")
    )
    ticket_types = _TicketTypeChoices(
        label=_("Ticket types"),
        queryset=TicketType.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every ticket type."),
    )
    event_dates = forms.ModelMultipleChoiceField(
        label=_("Dates"),
        queryset=EventDate.objects.none(),
        required=False,
        help_text=_("None chosen: every date (and the passes)."),
    )
    valid_from = forms.DateTimeField(label=_("Valid from"), required=False, widget=DateTimeLocalInput())
    valid_until = forms.DateTimeField(label=_("Valid until"), required=False, widget=DateTimeLocalInput())
    max_uses = forms.IntegerField(
        label=_("Maximum uses"),
        min_value=1,
        required=False,
        initial=1,
        help_text=_("Tickets in all, for each code; empty: no limit."),
    )
    max_uses_per_buyer = forms.IntegerField(
        label=_("Maximum uses per buyer"),
        min_value=1,
        required=False,
        help_text=_("Tickets per account or e-mail address; empty: no limit."),
    )
    tag = forms.CharField(
        label=_("Tag"),
        max_length=64,
        required=False,
        help_text=_("To find codes made together; a batch gets its prefix if left empty."),
    )

    def __init__(self, *args, organizers=None, organizer, zone_name, **kwargs):
        super().__init__(*args, **kwargs)
        if organizers is None:
            del self.fields["organizer"]
            del self.fields["quantity"]
        else:
            self.fields["organizer"].queryset = organizers
            self.fields["organizer"].initial = organizer.pk
        events = Event.objects.filter(organizer=organizer).order_by("name", "pk")
        self.fields["event"].queryset = events
        self.fields["ticket_types"].queryset = (
            TicketType.objects.filter(event__organizer=organizer)
            .select_related("event")
            .order_by("event__name", "event_id", "price", "name")
        )
        self.fields["event_dates"].queryset = (
            EventDate.objects.filter(event__organizer=organizer, end__gt=timezone.now())
            .select_related("event__location", "event__organizer")
            .order_by("start")
        )
        for name in ("valid_from", "valid_until"):
            self.fields[name].label = f"{self.fields[name].label} ({zone_name})"
        self.fields["value"].label = _("Value (%(currency)s or %%)") % {"currency": organizer.currency}

    def clean_event_dates(self):
        return list(self.cleaned_data["event_dates"])

    def voucher_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "price_mode": data["price_mode"],
            "value": data["value"] or 0,
            "event": data["event"],
            "ticket_types": list(data["ticket_types"]),
            "event_dates": data["event_dates"],
            "valid_from": data["valid_from"],
            "valid_until": data["valid_until"],
            "max_uses": data["max_uses"],
            "max_uses_per_buyer": data["max_uses_per_buyer"],
            "unlocks_hidden": data["unlocks_hidden"],
            "tag": data["tag"],
        }


class VoucherSearchForm(forms.Form):
    q = forms.CharField(label=_("Code or tag"), max_length=64, required=False)


class VoucherCodeForm(forms.Form):
    """The shop's "Have a code?" field (a voucher or an access code)."""

    voucher = forms.CharField(label=_("Voucher or access code"), max_length=CODE_MAX_LENGTH)
    voucher.widget.attrs.update(autocomplete="off", autocapitalize="characters", spellcheck="false")
