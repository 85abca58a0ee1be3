from decimal import Decimal

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.models import construct_instance
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from django_tenants.utils import get_public_schema_name

from apps.accounts.models import FacebookApp, User
from apps.billing.models import InvoiceIssuer
from apps.core.currencies import currency_choices
from apps.core.models import Branding
from apps.core.singletons import mask_secret
from apps.payments.models import (
    PlatformStripeAccount,
    validate_stripe_secret_key,
    validate_stripe_webhook_secret,
)
from apps.plans.models import PricingSettings
from apps.platform.models import InfoPage, PlatformConfiguration, PlatformSettings
from apps.platform.selectors import platform_configuration
from apps.tenancy.exceptions import SlugUnavailable
from apps.tenancy.models import HostSettings, Organization
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


def part_formfields(model: type[models.Model], *names: str, widgets: dict | None = None) -> list[forms.Field]:
    """The form fields of a settings part's model fields, as a ModelForm of it would make them."""
    fields = forms.fields_for_model(model, fields=names, widgets=widgets)
    return [fields[name] for name in names]


class PlatformSettingsPartsForm(forms.ModelForm):
    """A form of the platform's settings (PlatformSettings, its model) and of the other parts
    of its settings page, each stored by the app that owns it (PlatformConfiguration): their
    fields are declared from their models, start from the stored values and are checked by
    their model (fields and clean()) as the platform's own are."""

    name, logo, primary_color, accent_color, support_email, legal_footer, show_powered_by = part_formfields(
        Branding,
        "name",
        "logo",
        "primary_color",
        "accent_color",
        "support_email",
        "legal_footer",
        "show_powered_by",
        widgets={
            "primary_color": forms.TextInput(attrs={"type": "color"}),
            "accent_color": forms.TextInput(attrs={"type": "color"}),
            "legal_footer": forms.Textarea(attrs={"rows": 3}),
        },
    )
    (default_currency,) = part_formfields(PricingSettings, "default_currency")
    legal_name, legal_address, legal_country, vat_number, vat_rate = part_formfields(
        InvoiceIssuer,
        "legal_name",
        "legal_address",
        "legal_country",
        "vat_number",
        "vat_rate",
        widgets={"legal_address": forms.Textarea(attrs={"rows": 3})},
    )
    base_domain, name_servers = part_formfields(
        HostSettings,
        "base_domain",
        "name_servers",
        widgets={"name_servers": forms.Textarea(attrs={"rows": 3})},
    )

    class Meta:
        model = PlatformSettings
        fields = ["mode", "owner_organization"]

    def __init__(self, *args, configuration: PlatformConfiguration | None = None, **kwargs):
        if configuration is not None:
            kwargs["instance"] = configuration.platform
        super().__init__(*args, **kwargs)
        self.configuration = configuration or platform_configuration(platform=self.instance)
        for name in self._part_fields():
            if name not in self.initial:
                self.initial[name] = forms.model_to_dict(self.configuration.row_of(name), [name])[name]
        self.fields["vat_rate"].required = False  # empty: no VAT

    def clean_vat_rate(self):
        return self.cleaned_data["vat_rate"] or Decimal(0)

    def _part_fields(self) -> list[str]:
        """This form's fields stored by the other parts (the secrets, write-only, aside)."""
        return [
            name
            for name in self.fields
            if name not in self._meta.fields
            and name not in PlatformConfiguration.SECRET_FIELDS
            and _is_setting(name)
        ]

    def _post_clean(self):
        super()._post_clean()  # the platform's own fields, on the instance
        names = self._part_fields()
        for part in PlatformConfiguration.PARTS:
            if part == "platform":
                continue
            row = getattr(self.configuration, part)
            own = [name for name in names if PlatformConfiguration.part_of(name) == part]
            construct_instance(self, row, fields=own)
            exclude = [
                field.name
                for field in row._meta.fields
                if field.name not in own or field.name in self._errors
            ]
            try:
                row.full_clean(exclude=exclude, validate_unique=False)
            except ValidationError as exc:
                self._update_errors(exc)


def _is_setting(name: str) -> bool:
    try:
        PlatformConfiguration.part_of(name)
    except KeyError:
        return False
    return True


class PlatformSettingsForm(PlatformSettingsPartsForm):
    """The platform's settings page. Secrets are write-only (blank keeps the stored one),
    and changing any Stripe or Facebook value needs the admin's own password in the same form."""

    LOGO_MAX_BYTES = 1024 * 1024
    # In the page's order: brand, invoices' issuer, site, registration, Stripe, Facebook, then the password.
    PAGE_FIELDS = [
        "name",
        "logo",
        "primary_color",
        "accent_color",
        "support_email",
        "legal_footer",
        "legal_name",
        "legal_address",
        "legal_country",
        "vat_number",
        "vat_rate",
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

    stripe_publishable_key, stripe_connect_client_id = part_formfields(
        PlatformStripeAccount, "stripe_publishable_key", "stripe_connect_client_id"
    )
    (facebook_app_id,) = part_formfields(FacebookApp, "facebook_app_id")
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

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["default_currency"] = forms.ChoiceField(
            label=self.fields["default_currency"].label, choices=currency_choices()
        )
        self.fields["owner_organization"].queryset = Organization.objects.exclude(
            schema_name=get_public_schema_name()
        ).order_by("name")
        for name in PlatformConfiguration.SECRET_FIELDS:
            masked = mask_secret(getattr(self.configuration, name))
            self.fields[name].help_text = (
                _("Stored: %(masked)s. Leave empty to keep it.") % {"masked": masked}
                if masked
                else _("Not set.")
            )
        self.order_fields(
            [
                *self.PAGE_FIELDS[:-4],
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
        for name in PlatformConfiguration.SECRET_FIELDS:
            stored = getattr(self.configuration, name)
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
        # The models' own checks (e.g. Facebook's id and secret go together) run next, on the
        # stored rows: give them the secrets as they will be, not as they are stored.
        for name in PlatformConfiguration.SECRET_FIELDS:
            if name in changes:
                setattr(self.configuration.row_of(name), name, changes[name])
        return cleaned

    def changes(self) -> dict:
        """The settings to write: what changed on the form, secrets included."""
        changes = {
            name: self.cleaned_data[name]
            for name in self.changed_data
            if name in self.PAGE_FIELDS and name not in PlatformConfiguration.CREDENTIAL_FIELDS
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
