from django_countries.serializer_fields import CountryField
from rest_framework import serializers

from apps.core.currencies import currency_choices
from apps.operators.permissions import Action, can, organizers_visible_to
from apps.organizers.models import Distribution, Organizer


class DistributionSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Distribution
        fields = ["id", "name", "kind"]


class OrganizerSerializer(serializers.ModelSerializer):
    country = CountryField()
    currency = serializers.ChoiceField(choices=())
    distributions = DistributionSummarySerializer(many=True, read_only=True)

    class Meta:
        model = Organizer
        fields = [
            "id",
            "name",
            "slug",
            "legal_name",
            "bank_account",
            "vat_number",
            "country",
            "currency",
            "currency_locked",
            "primary_color",
            "accent_color",
            "distributions",
        ]
        read_only_fields = ["slug", "currency_locked"]
        extra_kwargs = {"legal_name": {"required": False}}

    # Bank details are for those who configure the organizer, not for its sellers.
    CONFIGURATION_ONLY_FIELDS = ("bank_account", "vat_number")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = currency_choices()

    def to_representation(self, organizer):
        data = super().to_representation(organizer)
        request = self.context.get("request")
        if request is not None and not can(request.user, Action.CONFIGURE, organizer):
            for field in self.CONFIGURATION_ONLY_FIELDS:
                data.pop(field, None)
        return data


class _VisibleOrganizer(serializers.PrimaryKeyRelatedField):
    """Only organizers the requesting operator can see are accepted (others read as unknown,
    so a refusal never names an organizer the caller cannot see)."""

    def get_queryset(self):
        return organizers_visible_to(self.context["request"].user)


class DistributionSerializer(serializers.ModelSerializer):
    organizer = _VisibleOrganizer()

    class Meta:
        model = Distribution
        fields = ["id", "organizer", "name", "kind"]
        extra_kwargs = {"kind": {"required": False}}

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            fields["organizer"].read_only = True  # a channel never moves to another organizer
        return fields
