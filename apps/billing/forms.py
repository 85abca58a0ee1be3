from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries import countries

from apps.billing.models import BillingAccount
from apps.billing.services.accounts import CLIENT_DETAILS
from apps.core.money import format_money
from apps.plans.models import Plan

CLIENT_SORTS = [
    ("name", _("Name (A–Z)")),
    ("-name", _("Name (Z–A)")),
    ("-signed_up", _("Newest first")),
    ("signed_up", _("Oldest first")),
    ("-sales", _("Highest sales this month")),
    ("sales", _("Lowest sales this month")),
    ("-balance", _("Highest balance")),
    ("balance", _("Lowest balance")),
]


class ClientFilterForm(forms.Form):
    """The clients list's search, filters and order (GET)."""

    q = forms.CharField(
        label=_("Search"), required=False, max_length=200, help_text=_("Name, address or e-mail")
    )
    plan = forms.ModelChoiceField(
        label=pgettext_lazy("subscription", "Plan"),
        queryset=Plan.objects.order_by("sort_order", "name"),
        required=False,
        empty_label=_("All plans"),
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All statuses")), *BillingAccount.Status.choices], required=False
    )
    sort = forms.ChoiceField(label=pgettext_lazy("sort", "Order"), choices=CLIENT_SORTS, required=False)

    def filters(self) -> dict:
        """The selector's keyword arguments; none when the form is invalid (the page says why)."""
        if not self.is_bound:
            return {}
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "search": data["q"],
            "plan": data["plan"],
            "status": data["status"],
            "order": data["sort"] or "name",
        }


class FeatureOverrideField(forms.TypedChoiceField):
    """A plan feature for one client: the plan's (empty), or forced on or off."""

    def __init__(self, **kwargs):
        super().__init__(
            choices=[
                ("", _("Plan default")),
                ("true", pgettext_lazy("feature", "On")),
                ("false", pgettext_lazy("feature", "Off")),
            ],
            coerce=lambda value: value in ("true", True),
            empty_value=None,
            required=False,
            **kwargs,
        )

    def prepare_value(self, value):
        if value is None or value == "":
            return ""
        if isinstance(value, str):
            return value
        return "true" if value else "false"


def _country_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Country"),
        choices=[("", "—"), *countries],
        required=False,
        help_text=_("Where the client is established: it decides the VAT of its invoices."),
    )


class BillingDetailsForm(forms.ModelForm):
    """Who a client's invoices are addressed to: legal name, address, country and VAT number
    (checked by the account's model, through the service)."""

    country = _country_field()

    class Meta:
        model = BillingAccount
        fields = list(CLIENT_DETAILS)
        widgets = {"legal_address": forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["legal_name"].widget.attrs["autocomplete"] = "organization"
        self.fields["legal_name"].help_text = _("Empty: %(name)s.") % {"name": self.instance.organizer_name}

    def _post_clean(self):
        """The service validates the account (the VAT number against the country)."""

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ClientSettingsForm(forms.ModelForm):
    """A client's plan, status, contact, notes and per-client overrides (empty = the plan's)."""

    country = _country_field()
    event_replication_override = FeatureOverrideField(label=_("Event replication"))
    box_office_override = FeatureOverrideField(label=_("Box office"))
    custom_domain_override = FeatureOverrideField(label=_("Custom domain"))

    PRICE_FIELDS = tuple(f"{name}_override" for name in BillingAccount.PRICE_OVERRIDES)
    FEATURE_FIELDS = tuple(f"{name}_override" for name in BillingAccount.FEATURE_OVERRIDES)

    class Meta:
        model = BillingAccount
        fields = [
            "plan",
            "status",
            "contact_email",
            "notes",
            *CLIENT_DETAILS,
            "monthly_fee_override",
            "setup_fee_override",
            "fixed_fee_override",
            "percent_fee_override",
            "event_replication_override",
            "box_office_override",
            "custom_domain_override",
            "max_operators_override",
        ]
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 4}),
            "legal_address": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, plan_price=None, addon_fees=None, **kwargs):
        """`plan_price`: the plan's own price in the client's currency (ResolvedPrice), which the
        empty fee fields stand for; `addon_fees`: each feature's add-on price in that currency
        (AddonFee, None for a free one), said on the features the plan lacks."""
        super().__init__(*args, **kwargs)
        account = self.instance
        self.fields["plan"].queryset = Plan.objects.order_by("sort_order", "name")
        self.fields["plan"].empty_label = None
        self.fields["contact_email"].help_text = _("Where invoices and billing notices go.")
        for name in BillingAccount.PRICE_OVERRIDES:
            field = self.fields[f"{name}_override"]
            field.required = False
            if name != "percent_fee":
                field.label = f"{field.label} ({account.currency})"
            else:
                field.label = f"{field.label} (%)"
        plan = account.plan
        for name in ("event_replication", "box_office", "custom_domain"):
            field = self.fields[f"{name}_override"]
            field.choices = [
                ("", _("Plan default (%(value)s)") % {"value": _("on") if getattr(plan, name) else _("off")}),
                ("true", pgettext_lazy("feature", "On")),
                ("false", pgettext_lazy("feature", "Off")),
            ]
        for name, fee in (addon_fees or {}).items():
            if getattr(plan, name):
                continue
            field = self.fields[f"{name}_override"]
            if fee is None:
                field.help_text = _("On for this client: a free add-on.")
            else:
                field.help_text = _("On for this client: a paid add-on, %(amount)s a month.") % {
                    "amount": format_money(fee.monthly_fee, fee.currency)
                }
        self.fields["max_operators_override"].help_text = _("Empty: the plan's (%(value)s).") % {
            "value": plan.max_operators or _("unlimited")
        }
        if plan_price is not None:
            for name in BillingAccount.PRICE_OVERRIDES:
                value = getattr(plan_price, name)
                shown = f"{value} %" if name == "percent_fee" else format_money(value, plan_price.currency)
                self.fields[f"{name}_override"].help_text = _("Empty: the plan's (%(value)s).") % {
                    "value": shown
                }

    def _post_clean(self):
        """The service validates the account as a whole (decimals per currency, the plan's prices);
        the form only parses its fields."""

    def changes(self) -> dict:
        """Every field's value: the service records those that differ."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class AdjustmentForm(forms.Form):
    """A one-off charge or credit on a client's next monthly invoice."""

    description = forms.CharField(
        label=_("Description"), max_length=300, help_text=_("Printed on the invoice line.")
    )
    amount = forms.DecimalField(
        label=_("Amount"),
        max_digits=14,
        decimal_places=3,
        help_text=_("Above zero: a charge; below zero (e.g. -20): a credit."),
    )

    def __init__(self, *args, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].label = f"{self.fields['amount'].label} ({currency})"
