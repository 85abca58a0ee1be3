from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.billing.models import BillingAccount, BillingAdjustment, Invoice, InvoiceLine
from apps.billing.selectors.accounts import (
    account_addon_features,
    account_addons,
    account_features,
    account_price,
)
from apps.billing.selectors.clients import CLIENT_ORDERS
from apps.billing.selectors.invoices import next_invoice_estimate
from apps.billing.selectors.periods import next_invoice_date
from apps.core.currencies import is_currency
from apps.core.datetimes import date_in_range
from apps.core.money import quantize
from apps.plans.api.serializers import AMOUNTS
from apps.plans.currencies import is_billable
from apps.plans.exceptions import NoPrice
from apps.plans.models import Feature, Plan

# --- clients (billing accounts) ---------------------------------------------------------


class ClientPriceSerializer(serializers.Serializer):
    """A client's fees in its billing currency; `overridden` names those set for it alone."""

    currency = serializers.CharField()
    monthly_fee = serializers.DecimalField(max_digits=20, decimal_places=3)
    setup_fee = serializers.DecimalField(max_digits=20, decimal_places=3)
    fixed_fee = serializers.DecimalField(max_digits=20, decimal_places=3)
    percent_fee = serializers.DecimalField(max_digits=5, decimal_places=2)
    source = serializers.CharField(help_text="own, converted or default: where the plan's price comes from.")
    overridden = serializers.ListField(child=serializers.CharField())

    def to_representation(self, price):
        data = super().to_representation(price)
        for field in AMOUNTS:
            data[field] = str(getattr(price, field))
        data["overridden"] = sorted(price.overridden)
        return data


class ClientFeaturesSerializer(serializers.Serializer):
    """What a client may use; `overridden` names the features set for it alone."""

    event_replication = serializers.BooleanField()
    box_office = serializers.BooleanField()
    custom_domain = serializers.BooleanField()
    max_operators = serializers.IntegerField(allow_null=True, help_text="null: unlimited.")
    overridden = serializers.ListField(child=serializers.CharField())

    def to_representation(self, features):
        data = super().to_representation(features)
        data["overridden"] = sorted(features.overridden)
        return data


CLIENT_WRITABLE = [
    "plan",
    "status",
    "contact_email",
    "legal_name",
    "legal_address",
    "country",
    "vat_number",
    "notes",
    "monthly_fee_override",
    "setup_fee_override",
    "fixed_fee_override",
    "percent_fee_override",
    "event_replication_override",
    "box_office_override",
    "custom_domain_override",
    "max_operators_override",
]


class ClientSerializer(serializers.ModelSerializer):
    """A client (billing account). PATCH changes the writable fields; an override set to null
    gives back the plan's value."""

    organization_name = serializers.CharField(source="organization.name", read_only=True)
    plan_name = serializers.CharField(source="plan.name", read_only=True)
    price = serializers.SerializerMethodField()
    features = serializers.SerializerMethodField()
    balance = serializers.SerializerMethodField()
    sales_this_month = serializers.SerializerMethodField()
    sales_currency = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = BillingAccount
        fields = [
            "id",
            "organization",
            "organization_name",
            "organizer_id",
            "organizer_name",
            "organizer_slug",
            "plan_name",
            "currency",
            "signed_up_at",
            "billing_anchor_day",
            *CLIENT_WRITABLE,
            "price",
            "features",
            "balance",
            "sales_this_month",
            "sales_currency",
        ]
        read_only_fields = [
            "organization",
            "organizer_id",
            "organizer_name",
            "organizer_slug",
            "currency",
            "signed_up_at",
            "billing_anchor_day",
        ]

    @extend_schema_field(ClientPriceSerializer(allow_null=True))
    def get_price(self, account):
        prices = self.context.get("prices")
        if prices is not None and account.pk in prices:
            price = prices[account.pk]
        else:
            try:
                price = account_price(account)
            except NoPrice:
                price = None
        return None if price is None else ClientPriceSerializer(price).data

    @extend_schema_field(ClientFeaturesSerializer)
    def get_features(self, account):
        return ClientFeaturesSerializer(account_features(account)).data

    @extend_schema_field(serializers.DecimalField(max_digits=16, decimal_places=3))
    def get_balance(self, account) -> str:
        """What the client's open invoices still ask, in its billing currency."""
        return str(quantize(account.balance, account.currency))

    @extend_schema_field(serializers.DecimalField(max_digits=16, decimal_places=3))
    def get_sales_this_month(self, account) -> str:
        """This month's paid sales, in `sales_currency` (0 when none)."""
        currency = account.sales_currency
        return str(quantize(account.sales_this_month, currency)) if currency else "0"

    def to_representation(self, account):
        data = super().to_representation(account)
        for name in ("monthly_fee", "setup_fee", "fixed_fee"):
            value = getattr(account, f"{name}_override")
            if value is not None and is_billable(account.currency):
                data[f"{name}_override"] = str(quantize(value, account.currency))
        return data


class ClientQuerySerializer(serializers.Serializer):
    search = serializers.CharField(required=False, allow_blank=True, max_length=200)
    plan = serializers.PrimaryKeyRelatedField(queryset=Plan.objects.all(), required=False)
    status = serializers.CharField(required=False, allow_blank=True)
    ordering = serializers.CharField(required=False)

    def validate_status(self, value):
        if value and value not in BillingAccount.Status.values:
            raise serializers.ValidationError(
                _("Choose one of %(choices)s.") % {"choices": ", ".join(BillingAccount.Status.values)}
            )
        return value

    def validate_ordering(self, value):
        if value.removeprefix("-") not in CLIENT_ORDERS:
            raise serializers.ValidationError(
                _("Order by one of %(keys)s (a leading “-” for descending).")
                % {"keys": ", ".join(CLIENT_ORDERS)}
            )
        return value

    def filters(self) -> dict:
        data = self.validated_data
        return {
            "search": data.get("search", ""),
            "plan": data.get("plan"),
            "status": data.get("status", ""),
            "order": data.get("ordering", "name"),
        }


class InvoiceLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = InvoiceLine
        fields = ["kind", "description", "quantity", "unit_amount", "amount"]
        read_only_fields = fields


class InvoiceSerializer(serializers.ModelSerializer):
    lines = InvoiceLineSerializer(many=True, read_only=True)
    balance = serializers.DecimalField(max_digits=14, decimal_places=3, read_only=True)
    state = serializers.ChoiceField(
        choices=[*Invoice.Status.values, Invoice.OVERDUE],
        read_only=True,
        help_text="The status as the client reads it: overdue is an open invoice past its due date.",
    )
    state_label = serializers.CharField(read_only=True, help_text="`state` in the reader's language.")
    vat_mention = serializers.CharField(
        read_only=True, help_text="The legal mention of its VAT (reverse charge…); empty for none."
    )
    reason = serializers.CharField(
        write_only=True, max_length=300, help_text="Why the invoice changes (kept)."
    )

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "kind",
            "status",
            "state",
            "state_label",
            "account",
            "currency",
            "total",
            "amount_paid",
            "balance",
            "period_start",
            "period_end",
            "issued_at",
            "due_date",
            "paid_at",
            "charge_attempts",
            "last_charge_error",
            "credited_invoice",
            "seller_name",
            "seller_address",
            "seller_country",
            "seller_vat_number",
            "client_name",
            "client_address",
            "client_country",
            "client_vat_number",
            "subtotal",
            "vat_scheme",
            "vat_rate",
            "vat_amount",
            "vat_mention",
            "lines",
            "reason",
        ]
        read_only_fields = [f for f in fields if f not in ("total", "due_date", "reason")]


class ManualInvoiceSerializer(serializers.Serializer):
    account = serializers.PrimaryKeyRelatedField(queryset=BillingAccount.objects.all())
    description = serializers.CharField(max_length=300)
    amount = serializers.DecimalField(max_digits=14, decimal_places=3, min_value=0)
    due_date = serializers.DateField(validators=[date_in_range])


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class InvoiceQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=["", "unpaid", "overdue", "paid", "void"], required=False, default=""
    )
    search = serializers.CharField(required=False, default="", allow_blank=True)
    client = serializers.IntegerField(required=False, min_value=1)
    month = serializers.DateField(
        required=False, input_formats=["%Y-%m"], help_text="YYYY-MM of issue.", validators=[date_in_range]
    )


# --- add-ons ------------------------------------------------------------------------------------


class AddonSerializer(serializers.Serializer):
    """A feature the client has as an add-on (on for it, not in its plan), with its monthly price
    on the client's invoices; `monthly_fee` null: a free add-on."""

    feature = serializers.ChoiceField(choices=Feature.choices)
    label = serializers.CharField()
    monthly_fee = serializers.DecimalField(max_digits=20, decimal_places=3, allow_null=True)
    currency = serializers.CharField(allow_null=True)
    source = serializers.CharField(
        allow_null=True, help_text="own (priced in that currency) or converted (from the default currency)."
    )

    def to_representation(self, addon):
        fee = addon.fee
        return {
            "feature": addon.feature,
            "label": addon.label,
            "monthly_fee": None if fee is None else str(fee.monthly_fee),
            "currency": None if fee is None else fee.currency,
            "source": None if fee is None else fee.source,
        }


class AdjustmentSerializer(serializers.ModelSerializer):
    """A one-off charge (amount above zero) or credit (below zero) on the client's next monthly
    invoice, in its billing currency; `invoice` is set once the billing run has billed it."""

    amount = serializers.DecimalField(
        max_digits=14, decimal_places=3, help_text="Above zero: a charge; below zero: a credit."
    )
    invoice_number = serializers.CharField(source="invoice.number", read_only=True, allow_null=True)

    class Meta:
        model = BillingAdjustment
        fields = [
            "id",
            "description",
            "amount",
            "currency",
            "created_at",
            "created_by",
            "invoice",
            "invoice_number",
        ]
        read_only_fields = ["currency", "created_at", "created_by", "invoice"]

    def to_representation(self, adjustment):
        data = super().to_representation(adjustment)
        data["amount"] = str(quantize(adjustment.amount, adjustment.currency))
        return data


class AddonListField(serializers.ListField):
    """The features the client has as add-ons. Writing a list turns exactly those on (each must
    be missing from its plan) and every other add-on back to the plan's value."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.ChoiceField(choices=Feature.choices), **kwargs)

    def get_attribute(self, instance):
        return account_addon_features(instance)


BILLING_ACCOUNT_WRITABLE = [name for name in CLIENT_WRITABLE if name not in ("plan", "notes")]


class BillingAccountSerializer(ClientSerializer):
    """A client's billing account: the client's fields and figures (see clients) with what
    billing needs. PATCH changes status, contact, overrides and `addons`; plans and notes change
    through the clients resource; adjustments through `…/adjustments/`."""

    card_on_file = serializers.CharField(
        source="card_label", read_only=True, help_text='e.g. "Visa •••• 4242"; "" when none.'
    )
    addons = AddonListField(required=False)
    addon_fees = serializers.SerializerMethodField()
    pending_adjustments = serializers.SerializerMethodField()
    next_invoice_date = serializers.SerializerMethodField()
    next_invoice_estimate = serializers.SerializerMethodField()

    class Meta(ClientSerializer.Meta):
        fields = [
            *ClientSerializer.Meta.fields,
            "card_on_file",
            "addons",
            "addon_fees",
            "pending_adjustments",
            "next_invoice_date",
            "next_invoice_estimate",
        ]
        read_only_fields = [*ClientSerializer.Meta.read_only_fields, "plan", "notes"]

    @extend_schema_field(AddonSerializer(many=True, allow_null=True))
    def get_addon_fees(self, account):
        """The add-ons with their monthly price; null when one cannot be priced in the client's
        currency (no price in it, none in the default currency or no exchange rate)."""
        addons = self.context.get("addons")
        if addons is not None and account.pk in addons:
            found = addons[account.pk]
        else:
            try:
                found = account_addons(account)
            except NoPrice:
                found = None
        return None if found is None else AddonSerializer(found, many=True).data

    @extend_schema_field(AdjustmentSerializer(many=True))
    def get_pending_adjustments(self, account):
        pending = getattr(account, "pending", None)
        if pending is None:
            pending = account.adjustments.filter(invoice__isnull=True).order_by("created_at", "pk")
        return AdjustmentSerializer(pending, many=True).data

    @extend_schema_field(serializers.DateField())
    def get_next_invoice_date(self, account):
        return next_invoice_date(account).isoformat()

    @extend_schema_field(serializers.DecimalField(max_digits=16, decimal_places=3, allow_null=True))
    def get_next_invoice_estimate(self, account):
        """The next invoice with this period's sales so far, add-ons and pending adjustments, in
        the invoice's currency: on one account only (null in lists, which would read every
        client's own sales), and null when it cannot be priced or the client's site is not live."""
        if not self.context.get("with_estimate"):
            return None
        estimate = next_invoice_estimate(account, next_invoice_date(account))
        return None if estimate is None else str(estimate)


class BillingAccountQuerySerializer(ClientQuerySerializer):
    currency = serializers.CharField(required=False, max_length=3)
    card_on_file = serializers.BooleanField(required=False, allow_null=True, default=None)

    def validate_currency(self, value):
        value = value.upper()
        if value and not is_currency(value):
            raise serializers.ValidationError(
                _("“%(code)s” is not an ISO 4217 currency in use.") % {"code": value}
            )
        return value

    def filters(self) -> dict:
        data = self.validated_data
        return {
            **super().filters(),
            "currency": data.get("currency", ""),
            "card_on_file": data.get("card_on_file"),
        }
