from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.datetimes import date_in_range


class HubFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Event, organizer or city."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    city = forms.CharField(label=_("City"), required=False, max_length=120)
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[date_in_range],
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[date_in_range],
    )

    def clean(self):
        data = super().clean()
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", _("The end of the period cannot be before its start."))
        return data

    def filters(self) -> dict:
        """The selector's arguments: the days are whole days in each event's time zone."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = self.cleaned_data  # the valid fields filter even when another one is wrong
        return {
            "text": data.get("q", ""),
            "city": data.get("city", ""),
            "days_from": data.get("date_from"),
            "days_to": data.get("date_to"),
        }
