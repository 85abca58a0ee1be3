"""The storefront's form to join a waiting list."""

from django import forms
from django.utils.translation import gettext_lazy as _


class WaitingListJoinForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"), help_text=_("We write to you here when tickets are free.")
    )
    quantity = forms.IntegerField(label=_("Number of tickets"), min_value=1, max_value=100, initial=1)
    email.widget.attrs.update(autocomplete="email")
