"""Forms of add-ons: an organizer's add-on (control panel), and the add-ons a buyer or a
seller chooses (the cart, the box office)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.events.models import Event, TicketType
from apps.organizers.models import Organizer
from apps.sales.models import AddOn, TaxRule


class TicketTypeChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: TicketType) -> str:
        return f"{obj.event.organizer.name} · {obj.event.name} · {obj.name}"


class EventChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Event) -> str:
        return f"{obj.organizer.name} · {obj.name}"


class TaxRuleChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: TaxRule) -> str:
        return f"{obj.organizer.name} · {obj.name} {obj.rate:g} %"


class AddOnForm(forms.Form):
    """An add-on's name, price, stock and what it is offered with. `organizers` is given when
    creating (the add-on's organizer is chosen); the other choices are those one configures."""

    organizer = forms.ModelChoiceField(
        label=_("Organizer"), queryset=Organizer.objects.none(), empty_label=None
    )
    name = forms.CharField(label=_("Name"), max_length=200, help_text=_("E.g. Parking, Locker, T-shirt."))
    description = forms.CharField(label=_("Description"), max_length=500, required=False)
    price = forms.DecimalField(
        label=_("Price"),
        min_value=0,
        max_digits=12,
        decimal_places=3,
        help_text=_("In the organizer's currency; the tax rule says whether it includes the tax."),
        widget=forms.NumberInput(attrs={"min": "0", "step": "0.01", "inputmode": "decimal"}),
    )
    stock = forms.IntegerField(
        label=_("Stock"),
        min_value=0,
        max_value=1_000_000,
        required=False,
        help_text=_("How many can be sold in all; empty for no limit."),
    )
    per = forms.ChoiceField(
        label=_("Offered for"), choices=AddOn.Per.choices, initial=AddOn.Per.TICKET, widget=forms.RadioSelect
    )
    max_quantity = forms.IntegerField(
        label=_("Maximum"),
        min_value=1,
        max_value=100,
        initial=1,
        help_text=_("The most one ticket (or one order) may carry."),
    )
    event = EventChoice(
        label=_("Event"),
        queryset=Event.objects.none(),
        required=False,
        empty_label=_("Every event of the organizer"),
    )
    ticket_types = TicketTypeChoices(
        label=_("Ticket types"),
        queryset=TicketType.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Per ticket: the ticket types it is offered with; none chosen: every one."),
    )
    tax_rule = TaxRuleChoice(
        label=_("Tax"), queryset=TaxRule.objects.none(), required=False, empty_label=_("No tax")
    )
    on_sale = forms.BooleanField(label=_("On sale"), required=False, initial=True)

    def __init__(self, *args, organizers=None, events, ticket_types, tax_rules, **kwargs):
        super().__init__(*args, **kwargs)
        if organizers is None:
            del self.fields["organizer"]
        else:
            self.fields["organizer"].queryset = organizers
        self.fields["event"].queryset = events
        self.fields["ticket_types"].queryset = ticket_types
        self.fields["tax_rule"].queryset = tax_rules

    def add_on_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "description": data["description"],
            "price": data["price"],
            "stock": data["stock"],
            "per": data["per"],
            "max_quantity": data["max_quantity"],
            "event": data["event"],
            "ticket_types": list(data["ticket_types"]),
            "tax_rule": data["tax_rule"],
            "on_sale": data["on_sale"],
        }


def add_on_quantities(data, names: list[str], *, maximum: int = 100) -> tuple[dict[str, int], list[str]]:
    """{field name: quantity > 0} of the fields `names` in `data` (add-on quantities chosen on
    a form), and the errors of values that are not numbers from 0 to `maximum`."""
    chosen, errors = {}, []
    for name in names:
        raw = (data.get(name) or "0").strip()
        if not (raw.isascii() and raw.isdigit()) or int(raw) > maximum:  # (not "²")
            errors.append(_("“%(value)s” is not a number of add-ons.") % {"value": raw[:20]})
        elif int(raw):
            chosen[name] = int(raw)
    return chosen, errors
