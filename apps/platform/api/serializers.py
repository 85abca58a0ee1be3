from django.utils.translation import gettext_lazy as _
from django_countries.serializer_fields import CountryField
from django_tenants.utils import get_public_schema_name
from rest_framework import serializers

from apps.accounts.models import FacebookApp
from apps.billing.models import InvoiceIssuer
from apps.core.models import Branding
from apps.core.singletons import mask_secret
from apps.operators.api.serializers import OrganizerSerializer
from apps.payments.models import PlatformStripeAccount
from apps.plans.models import PricingSettings
from apps.platform.models import PlatformConfiguration, PlatformSettings
from apps.tenancy.models import HostSettings, Organization, validate_host_name


class OrganizationSerializer(serializers.ModelSerializer):
    domains = serializers.SlugRelatedField(slug_field="domain", many=True, read_only=True)

    class Meta:
        model = Organization
        fields = ["id", "name", "slug", "schema_name", "status", "failure_reason", "domains", "created_at"]
        read_only_fields = ["schema_name", "status", "failure_reason", "created_at"]


class OrganizationOrganizerSerializer(OrganizerSerializer):
    slug = serializers.SlugField(required=False)
    plan = serializers.SlugField(
        required=False,
        write_only=True,
        help_text=_("The client's plan (its slug); by default the first public plan."),
    )

    class Meta(OrganizerSerializer.Meta):
        fields = [*OrganizerSerializer.Meta.fields, "plan"]
        read_only_fields = ["currency_locked"]


def _secret_field(label):
    return serializers.CharField(
        label=label,
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=255,
        style={"input_type": "password"},
        help_text=_("Write-only. An empty value removes the stored one."),
    )


class HostNameField(serializers.CharField):
    """A host name as typed: any case, maybe with the root's trailing dot."""

    def to_internal_value(self, data):
        return super().to_internal_value(data).lower().rstrip(".")


def part_fields(model, *names: str) -> list[serializers.Field]:
    """The serializer fields of a settings part's model fields, as a ModelSerializer of it
    would make them."""
    meta = type("Meta", (), {"model": model, "fields": names})
    fields = type("PartSerializer", (serializers.ModelSerializer,), {"Meta": meta})().get_fields()
    return [fields[name] for name in names]


class PlatformSettingsSerializer(serializers.Serializer):
    """The platform's settings (a PlatformConfiguration: each part stored by the app that
    owns it). Secrets are write-only (their masked form is read-only), and changing any
    Stripe or Facebook value needs the caller's password in `current_password`."""

    FIELDS = [
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
        "show_powered_by",
        "stripe_secret_key",
        "stripe_secret_key_masked",
        "stripe_publishable_key",
        "stripe_webhook_secret",
        "stripe_webhook_secret_masked",
        "stripe_connect_client_id",
        "facebook_app_id",
        "facebook_app_secret",
        "facebook_app_secret_masked",
        "facebook_login_enabled",
        "current_password",
    ]

    name, primary_color, accent_color, support_email, legal_footer, show_powered_by = part_fields(
        Branding, "name", "primary_color", "accent_color", "support_email", "legal_footer", "show_powered_by"
    )
    logo = serializers.ImageField(read_only=True)
    (default_currency,) = part_fields(PricingSettings, "default_currency")
    legal_name, legal_address, vat_number, vat_rate = part_fields(
        InvoiceIssuer, "legal_name", "legal_address", "vat_number", "vat_rate"
    )
    legal_country = CountryField(
        required=False, allow_blank=True, help_text=_("The invoices' issuer's country (ISO 3166 code).")
    )
    (mode,) = part_fields(PlatformSettings, "mode")
    base_domain = HostNameField(max_length=253, required=False, validators=[validate_host_name])
    (name_servers,) = part_fields(HostSettings, "name_servers")
    owner_organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.exclude(schema_name=get_public_schema_name()),
        allow_null=True,
        required=False,
    )
    stripe_publishable_key, stripe_connect_client_id = part_fields(
        PlatformStripeAccount, "stripe_publishable_key", "stripe_connect_client_id"
    )
    (facebook_app_id,) = part_fields(FacebookApp, "facebook_app_id")
    stripe_secret_key = _secret_field(_("Stripe secret key"))
    stripe_webhook_secret = _secret_field(_("Stripe webhook signing secret"))
    facebook_app_secret = _secret_field(_("Facebook app secret"))
    stripe_secret_key_masked = serializers.SerializerMethodField()
    stripe_webhook_secret_masked = serializers.SerializerMethodField()
    facebook_app_secret_masked = serializers.SerializerMethodField()
    facebook_login_enabled = serializers.BooleanField(read_only=True)
    current_password = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        style={"input_type": "password"},
        help_text=_("Your password: needed to change any Stripe or Facebook setting."),
    )

    def get_fields(self):
        fields = super().get_fields()
        return {name: fields[name] for name in self.FIELDS}  # the documented order

    def get_stripe_secret_key_masked(self, platform) -> str:
        return mask_secret(platform.stripe_secret_key)

    def get_stripe_webhook_secret_masked(self, platform) -> str:
        return mask_secret(platform.stripe_webhook_secret)

    def get_facebook_app_secret_masked(self, platform) -> str:
        return mask_secret(platform.facebook_app_secret)

    def validate(self, attrs):
        """Keep only what changes; a credential change needs the caller's own password."""
        platform = self.instance
        password = attrs.pop("current_password", "")
        changes = {}
        for name, value in attrs.items():
            stored = getattr(platform, name)
            if name in PlatformConfiguration.CREDENTIAL_FIELDS and value == stored:
                continue  # the same value again is no change, and needs no password
            changes[name] = value
        if any(name in PlatformConfiguration.CREDENTIAL_FIELDS for name in changes):
            user = self.context["request"].user
            if not password:
                raise serializers.ValidationError(
                    {"current_password": _("Enter your password to change the Stripe or Facebook settings.")}
                )
            if not user.check_password(password):
                raise serializers.ValidationError({"current_password": _("This is not your password.")})
        return changes
