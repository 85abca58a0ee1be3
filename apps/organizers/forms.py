from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.currencies import currency_choices
from apps.core.timezones import time_zone_choices, zone_for_country
from apps.organizers.models import Distribution, Organizer


class OrganizerForm(forms.ModelForm):
    currency = forms.ChoiceField(label=_("Currency"), choices=())
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=(),
        required=False,
        help_text=_(
            "Dates and times of its events are shown and typed in this zone. "
            "Empty: the main zone of its country."
        ),
    )

    class Meta:
        model = Organizer
        fields = [
            "name",
            "legal_name",
            "address",
            "bank_account",
            "vat_number",
            "country",
            "time_zone",
            "currency",
            "primary_color",
            "accent_color",
        ]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "primary_color": forms.TextInput(attrs={"type": "color"}),
            "accent_color": forms.TextInput(attrs={"type": "color"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = currency_choices()
        self.fields["time_zone"].choices = [("", _("The country's main zone")), *time_zone_choices()]

    def clean(self):
        data = super().clean()
        if not data.get("time_zone") and data.get("country"):
            data["time_zone"] = zone_for_country(str(data["country"]))
        return data
        if self.instance.pk and self.instance.currency_locked:
            self.fields["currency"].disabled = True
            self.fields["currency"].help_text = _("Locked: this organizer already has sales.")


class DistributionForm(forms.ModelForm):
    class Meta:
        model = Distribution
        fields = ["name", "kind"]
