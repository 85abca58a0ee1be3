from django import forms
from django.utils.translation import gettext_lazy as _


class CustomDomainForm(forms.Form):
    domain = forms.CharField(
        label=_("Your domain"),
        max_length=253,
        help_text=_("Such as tickets.example.com. Visitors of www.<domain> reach the same site."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"}
        ),
    )
