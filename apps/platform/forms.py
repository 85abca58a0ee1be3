from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from django_tenants.utils import get_public_schema_name

from apps.accounts.models import User
from apps.core.currencies import currency_choices
from apps.platform.models import (
    InfoPage,
    PlatformSettings,
    mask_secret,
    validate_stripe_secret_key,
    validate_stripe_webhook_secret,
)
from apps.tenancy.exceptions import SlugUnavailable
from apps.tenancy.models import Organization
from apps.tenancy.services import slug_check_available


class ClientSignupForm(forms.Form):
    """A new client's signup: plan, organization and organizer, first operator account, terms.

    The plan is chosen among the public plans that have a price (`plans`, priced for the
    chosen country); `full_service` drops the organization, which is then the owner's.
    """

    plan = forms.ChoiceField(label=_("Plan"), widget=forms.RadioSelect)
    organization_name = forms.CharField(
        label=_("Organization name"),
        max_length=200,
        help_text=_("The company or association behind your events."),
    )
    organizer_name = forms.CharField(
        label=_("Organizer name"), max_length=200, help_text=_("The name your customers see.")
    )
    slug = forms.CharField(label=_("Site address"), max_length=50)
    legal_name = forms.CharField(label=_("Legal name"), max_length=200)
    country = CountryField().formfield(label=_("Country"))
    currency = forms.ChoiceField(
        label=_("Currency"),
        required=False,
        help_text=_("The currency you sell tickets in; empty for your country's."),
    )
    full_name = forms.CharField(label=_("Your name"), max_length=150)
    email = forms.EmailField(label=_("Your e-mail address"))
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password (again)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    accept_terms = forms.BooleanField(label=_("I accept the terms of service"))

    def __init__(self, *args, plans, full_service: bool, domain: str, terms_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.plans = {item.plan.slug: item.plan for item in plans if item.price is not None}
        self.fields["plan"].choices = [(slug, plan.name) for slug, plan in self.plans.items()]
        if full_service:
            del self.fields["organization_name"]
        self.fields["slug"].help_text = _("Your site will be at <address>.%(domain)s") % {"domain": domain}
        self.fields["slug"].widget.attrs.update({"autocapitalize": "none", "spellcheck": "false"})
        self.fields["currency"].choices = [("", _("My country's currency")), *currency_choices()]
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["full_name"].widget.attrs["autocomplete"] = "name"
        if terms_url:
            link = format_html(
                '<a href="{}" target="_blank" rel="noopener">{}</a>', terms_url, _("terms of service")
            )
            self.fields["accept_terms"].label = format_html(_("I accept the {terms}"), terms=link)

    def clean_plan(self):
        return self.plans[self.cleaned_data["plan"]]

    def clean_slug(self):
        slug = self.cleaned_data["slug"].strip().lower()
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
            user = User(email=cleaned.get("email", ""), full_name=cleaned.get("full_name", ""))
            try:
                validate_password(cleaned["password1"], user=user)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class PlatformSettingsForm(forms.ModelForm):
    """The platform's settings. Secrets are write-only (blank keeps the stored one),
    and changing any Stripe or Facebook value needs the admin's own password in the same form."""

    LOGO_MAX_BYTES = 1024 * 1024

    stripe_secret_key = forms.CharField(
        label=_("Stripe secret key"),
        required=False,
        max_length=255,
        validators=[validate_stripe_secret_key],
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    stripe_secret_key_clear = forms.BooleanField(label=_("Remove the Stripe secret key"), required=False)
    stripe_webhook_secret = forms.CharField(
        label=_("Stripe webhook signing secret"),
        required=False,
        max_length=255,
        validators=[validate_stripe_webhook_secret],
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    stripe_webhook_secret_clear = forms.BooleanField(
        label=_("Remove the Stripe webhook signing secret"), required=False
    )
    facebook_app_secret = forms.CharField(
        label=_("Facebook app secret"),
        required=False,
        max_length=255,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    facebook_app_secret_clear = forms.BooleanField(label=_("Remove the Facebook app secret"), required=False)
    current_password = forms.CharField(
        label=_("Your password"),
        required=False,
        help_text=_("Needed to change any Stripe or Facebook setting."),
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "current-password"}),
    )

    class Meta:
        model = PlatformSettings
        fields = [
            "name",
            "logo",
            "primary_color",
            "accent_color",
            "support_email",
            "legal_footer",
            "default_currency",
            "base_domain",
            "name_servers",
            "mode",
            "owner_organization",
            "stripe_publishable_key",
            "stripe_connect_client_id",
            "facebook_app_id",
            "show_powered_by",
        ]
        widgets = {
            "primary_color": forms.TextInput(attrs={"type": "color"}),
            "accent_color": forms.TextInput(attrs={"type": "color"}),
            "legal_footer": forms.Textarea(attrs={"rows": 3}),
            "name_servers": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["default_currency"] = forms.ChoiceField(
            label=self.fields["default_currency"].label, choices=currency_choices()
        )
        self.fields["owner_organization"].queryset = Organization.objects.exclude(
            schema_name=get_public_schema_name()
        ).order_by("name")
        for name in PlatformSettings.SECRET_FIELDS:
            masked = mask_secret(getattr(self.instance, name))
            self.fields[name].help_text = (
                _("Stored: %(masked)s. Leave empty to keep it.") % {"masked": masked}
                if masked
                else _("Not set.")
            )
        # Ordered as on the page: brand, site, registration, Stripe, then the password.
        self.order_fields(
            [
                *self.Meta.fields[:-4],
                "stripe_secret_key",
                "stripe_secret_key_clear",
                "stripe_publishable_key",
                "stripe_webhook_secret",
                "stripe_webhook_secret_clear",
                "stripe_connect_client_id",
                "facebook_app_id",
                "facebook_app_secret",
                "facebook_app_secret_clear",
                "current_password",
                "show_powered_by",
            ]
        )
        self.credential_changes: dict[str, str] = {}

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and getattr(logo, "size", 0) > self.LOGO_MAX_BYTES:
            raise forms.ValidationError(_("The logo may be at most 1 MB."))
        return logo

    def clean_base_domain(self):
        return self.cleaned_data["base_domain"].lower().rstrip(".")

    def clean(self):
        cleaned = super().clean()
        changes = {
            name: cleaned[name]
            for name in ("stripe_publishable_key", "stripe_connect_client_id", "facebook_app_id")
            if name in self.changed_data and name in cleaned
        }
        for name in PlatformSettings.SECRET_FIELDS:
            stored = getattr(self.instance, name)
            entered = cleaned.get(name)
            if entered and entered != stored:
                changes[name] = entered
            elif cleaned.get(f"{name}_clear") and stored and not entered:
                changes[name] = ""
        if changes:
            password = cleaned.get("current_password")
            if not password:
                self.add_error(
                    "current_password", _("Enter your password to change the Stripe or Facebook settings.")
                )
            elif not self.user.check_password(password):
                self.add_error("current_password", _("This is not your password."))
        self.credential_changes = changes
        # The model's own checks (e.g. Facebook's id and secret go together) run next, on the
        # instance: give it the secrets as they will be, not as they are stored.
        for name in PlatformSettings.SECRET_FIELDS:
            if name in changes:
                setattr(self.instance, name, changes[name])
        return cleaned

    def changes(self) -> dict:
        """The model fields to write: what changed on the form, secrets included."""
        changes = {
            name: self.cleaned_data[name]
            for name in self.changed_data
            if name in self.Meta.fields and name not in PlatformSettings.CREDENTIAL_FIELDS
        }
        return {**changes, **self.credential_changes}


class InfoPageForm(forms.ModelForm):
    """An info page; its body is plain text (paragraphs), shown escaped."""

    class Meta:
        model = InfoPage
        fields = ["title", "slug", "kind", "body", "is_published", "show_in_nav", "sort_order"]
        widgets = {"body": forms.Textarea(attrs={"rows": 12})}

    def clean_slug(self):
        return self.cleaned_data["slug"].strip().lower()

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.changed_data if name in self.Meta.fields}


class PricingCountryForm(forms.Form):
    """The pricing page's country: its currency prices the plans. Without one, the prices
    are in the platform's default currency, which the empty choice names."""

    country = CountryField(blank=True).formfield(label=_("Your country"), required=False)

    def __init__(self, *args, default_currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["country"]
        field.choices = [
            ("", _("Any country (prices in %(currency)s)") % {"currency": default_currency}),
            *(choice for choice in field.choices if choice[0]),
        ]


class SupportSessionForm(forms.Form):
    """Why a platform admin opens a client's site: stored, and shown to the client's admins."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The client's admins see who opened their site, when, why and for how long."),
        error_messages={"required": _("Say why you open this site: the reason is shown to its admins.")},
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)
