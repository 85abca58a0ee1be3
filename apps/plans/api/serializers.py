"""The plan catalogue's API serializers: plans and their prices, exchange rates, add-on prices."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from django_countries.serializer_fields import CountryField
from rest_framework import serializers

from apps.core.currencies import is_currency
from apps.core.money import quantize
from apps.plans.models import AddonPrice, ExchangeRate, Plan, PlanPrice
from apps.plans.validators import validate_billable_currency

AMOUNTS = ("monthly_fee", "setup_fee", "fixed_fee")


class CurrencyField(serializers.CharField):
    """An ISO 4217 code we can bill in, taken in any case ("chf" is CHF)."""

    def __init__(self, **kwargs):
        super().__init__(max_length=3, validators=[validate_billable_currency], **kwargs)

    def to_internal_value(self, data):
        return super().to_internal_value(data).upper()


class PriceSerializer(serializers.ModelSerializer):
    """A price's fields; amounts are shown with the currency's own decimals ("1500" yen)."""

    currency = CurrencyField(help_text="ISO 4217 code.")

    class Meta:
        model = PlanPrice
        fields = ["currency", "monthly_fee", "setup_fee", "fixed_fee", "percent_fee"]

    def to_representation(self, price):
        data = super().to_representation(price)
        for field in AMOUNTS:
            data[field] = str(quantize(getattr(price, field), price.currency))
        return data

    def _check_model_rules(self, attrs: dict) -> None:
        """The model's own checks (decimals per currency), as field errors."""
        values = {field: getattr(self.instance, field) for field in self.Meta.fields} if self.instance else {}
        try:
            PlanPrice(**{**values, **attrs, "plan": None}).clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc

    def validate(self, attrs):
        self._check_model_rules({key: value for key, value in attrs.items() if key != "plan"})
        return attrs


class PlanPriceSerializer(PriceSerializer):
    class Meta(PriceSerializer.Meta):
        fields = ["id", "plan", *PriceSerializer.Meta.fields]
        validators = []  # one price per currency: the service answers on the currency field

    def validate_plan(self, plan):
        if self.instance is not None and plan != self.instance.plan:
            raise serializers.ValidationError(_("A price cannot move to another plan."))
        return plan


class PlanSerializer(serializers.ModelSerializer):
    price = PriceSerializer(
        write_only=True, required=False, help_text="The plan's first price; required when creating a plan."
    )
    prices = PriceSerializer(many=True, read_only=True)

    class Meta:
        model = Plan
        fields = [
            "id",
            "name",
            "slug",
            "description",
            "is_public",
            "sort_order",
            "event_replication",
            "box_office",
            "custom_domain",
            "max_operators",
            "template_schema",
            "price",
            "prices",
            "created_at",
        ]
        read_only_fields = ["created_at"]

    def validate(self, attrs):
        if self.instance is None and "price" not in attrs:
            raise serializers.ValidationError({"price": _("A plan needs a first price.")})
        if self.instance is not None and "price" in attrs:
            raise serializers.ValidationError({"price": _("Add or change prices through the plan prices.")})
        return attrs


class ExchangeRateSerializer(serializers.ModelSerializer):
    currency = CurrencyField(help_text="ISO 4217 code; one rate per currency.")

    class Meta:
        model = ExchangeRate
        fields = ["id", "currency", "rate", "updated_at"]
        read_only_fields = ["updated_at"]


class ResolvedPriceQuerySerializer(serializers.Serializer):
    currency = serializers.CharField(required=False, min_length=3, max_length=3)
    country = CountryField(required=False)

    def validate_currency(self, value):
        value = value.upper()
        if not is_currency(value):
            raise serializers.ValidationError(
                _("“%(code)s” is not an ISO 4217 currency in use.") % {"code": value}
            )
        return value

    def validate(self, attrs):
        if ("currency" in attrs) == ("country" in attrs):
            raise serializers.ValidationError(
                {"currency": _("Give either a currency or a country (ISO 3166 code).")}
            )
        return attrs


class ResolvedPriceSerializer(serializers.Serializer):
    currency = serializers.CharField()
    monthly_fee = serializers.DecimalField(max_digits=20, decimal_places=3)
    setup_fee = serializers.DecimalField(max_digits=20, decimal_places=3)
    fixed_fee = serializers.DecimalField(max_digits=20, decimal_places=3)
    percent_fee = serializers.DecimalField(max_digits=5, decimal_places=2)
    # A plain string: a "source" enum component would collide with any later field of that name.
    source = serializers.CharField(
        help_text="own (the plan's price in that currency), converted (from the default-currency "
        "price with the stored rate) or default (the default-currency price: no rate, or a "
        "currency that cannot be billed).",
    )

    def to_representation(self, resolved):
        data = super().to_representation(resolved)
        for field in AMOUNTS:
            data[field] = str(getattr(resolved, field))
        return data


class AddonPriceSerializer(serializers.ModelSerializer):
    """A feature's monthly price as an add-on in one currency (one per feature and currency)."""

    currency = CurrencyField(help_text="ISO 4217 code.")

    class Meta:
        model = AddonPrice
        fields = ["id", "feature", "currency", "monthly_fee", "updated_at"]
        read_only_fields = ["updated_at"]
        validators = []  # one price per feature and currency: the service answers on the currency field

    def to_representation(self, price):
        data = super().to_representation(price)
        data["monthly_fee"] = str(quantize(price.monthly_fee, price.currency))
        return data

    def validate(self, attrs):
        values = (
            {"feature": self.instance.feature, "currency": self.instance.currency} if self.instance else {}
        )
        values |= {"monthly_fee": getattr(self.instance, "monthly_fee", None)}
        try:
            AddonPrice(**{**values, **attrs}).clean()  # decimals per currency, as field errors
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        return attrs
