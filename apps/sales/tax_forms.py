"""Forms of taxes: an organizer's tax rules (control panel) and a buyer's invoice request."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from apps.events.models import TicketType
from apps.organizers.models import Organizer
from apps.organizers.validators import validate_vat_number


class TicketTypeChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: TicketType) -> str:
        return f"{obj.event.organizer.name} · {obj.event.name} · {obj.name}"


class TaxRuleForm(forms.Form):
    """A tax rule's rate, how it meets the price, its country and ticket types. `organizers`:
    given when creating (the rule's organizer is chosen); `ticket_types`: those one may tax."""

    organizer = forms.ModelChoiceField(
        label=_("Organizer"), queryset=Organizer.objects.none(), empty_label=None
    )
    name = forms.CharField(
        label=_("Name"), max_length=100, initial=_("VAT"), help_text=_("As printed on receipts and invoices.")
    )
    rate = forms.DecimalField(
        label=_("Rate (%)"),
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"min": "0", "max": "100", "step": "0.01", "inputmode": "decimal"}),
    )
    price_includes_tax = forms.TypedChoiceField(
        label=_("The ticket price"),
        choices=[("yes", _("includes the tax")), ("no", _("has the tax added on top"))],
        coerce=lambda value: value == "yes",
        initial="yes",
        widget=forms.RadioSelect,
    )
    country = forms.ChoiceField(
        label=_("Country"),
        required=False,
        help_text=_(
            "Where the event takes place (its location's country). Empty: every country for which "
            "the ticket type has no rule of its own."
        ),
    )
    ticket_types = TicketTypeChoices(
        label=_("Ticket types taxed"),
        queryset=TicketType.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, organizers=None, ticket_types, **kwargs):
        super().__init__(*args, **kwargs)
        if organizers is None:
            del self.fields["organizer"]
        else:
            self.fields["organizer"].queryset = organizers
        self.fields["ticket_types"].queryset = ticket_types
        self.fields["country"].choices = [("", _("Any country")), *countries]

    def rule_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "rate": data["rate"],
            "price_includes_tax": data["price_includes_tax"],
            "country": data["country"],
            "ticket_types": list(data["ticket_types"]),
        }


class InvoiceRequestForm(forms.Form):
    """Who an invoice is made out to (the buyer's company, address and VAT number)."""

    company = forms.CharField(label=_("Company"), max_length=200, required=False)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    address = forms.CharField(
        label=_("Address"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
        help_text=_("Street, postcode and city."),
    )
    country = forms.ChoiceField(label=_("Country"))
    vat_number = forms.CharField(
        label=_("VAT number"),
        max_length=32,
        required=False,
        help_text=_("With its country prefix, e.g. FR40303265045; leave empty if you have none."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("Choose a country")), *countries]
        self.fields["company"].widget.attrs["autocomplete"] = "organization"
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["country"].widget.attrs["autocomplete"] = "country"

    def clean_vat_number(self) -> str:
        value = self.cleaned_data["vat_number"].replace(" ", "").upper()
        if value:
            validate_vat_number(value)
        return value
