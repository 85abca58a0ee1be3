from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from apps.core.currencies import currency_choices
from apps.tenancy.exceptions import SlugUnavailable
from apps.tenancy.services import slug_check_available


class OrganizerRegistrationForm(forms.Form):
    organizer_name = forms.CharField(label=_("Organizer name"), max_length=200)
    slug = forms.SlugField(
        label=_("Web address"),
        max_length=50,
        help_text=_("Your shop will be at <address>.%(domain)s"),
    )
    legal_name = forms.CharField(label=_("Legal name"), max_length=200)
    country = CountryField().formfield(label=_("Country"))
    currency = forms.ChoiceField(label=_("Currency"), choices=())
    full_name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Your e-mail address"))
    password1 = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Password (again)"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    accept_terms = forms.BooleanField(label=_("I accept the terms of service"))

    def __init__(self, *args, platform_domain: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = [("", "---------"), *currency_choices()]
        self.fields["slug"].help_text = self.fields["slug"].help_text % {"domain": platform_domain}

    def clean_slug(self):
        slug = self.cleaned_data["slug"].lower()
        try:
            slug_check_available(slug)
        except SlugUnavailable as exc:
            raise forms.ValidationError(str(exc)) from exc
        return slug

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        elif cleaned.get("password1"):
            try:
                validate_password(cleaned["password1"])
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned
