from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.currencies import currency_choices
from apps.organizers.models import Distribution, Organizer


class OrganizerForm(forms.ModelForm):
    currency = forms.ChoiceField(label=_("Currency"), choices=())

    class Meta:
        model = Organizer
        fields = [
            "name",
            "legal_name",
            "bank_account",
            "vat_number",
            "country",
            "currency",
            "primary_color",
            "accent_color",
        ]
        widgets = {
            "primary_color": forms.TextInput(attrs={"type": "color"}),
            "accent_color": forms.TextInput(attrs={"type": "color"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = currency_choices()
        if self.instance.pk and self.instance.currency_locked:
            self.fields["currency"].disabled = True
            self.fields["currency"].help_text = _("Locked: this organizer already has sales.")


class DistributionForm(forms.ModelForm):
    class Meta:
        model = Distribution
        fields = ["name", "kind"]
