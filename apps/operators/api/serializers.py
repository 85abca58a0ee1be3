from django.utils.translation import gettext as _
from django_countries.serializer_fields import CountryField
from rest_framework import serializers

from apps.core.currencies import currency_choices
from apps.operators.models import Invitation
from apps.operators.permissions import Action, can, distributions_visible_to, organizers_visible_to
from apps.organizers.models import Distribution, Organizer


class MutualOrganizerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organizer
        fields = ["id", "name"]


class MutualDistributionSerializer(serializers.ModelSerializer):
    organizer = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Distribution
        fields = ["id", "name", "organizer"]


class TeamMemberSerializer(serializers.Serializer):
    """An operator as a colleague sees them: only the resources both can reach."""

    type = serializers.SerializerMethodField()
    id = serializers.IntegerField(read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    mutual_organizers = MutualOrganizerSerializer(many=True, read_only=True)
    mutual_distributions = MutualDistributionSerializer(many=True, read_only=True)

    def get_type(self, member) -> str:
        return "team_member"


class OrganizerLinkSerializer(serializers.Serializer):
    organizer = serializers.PrimaryKeyRelatedField(queryset=Organizer.objects.all())


class DistributionLinkSerializer(serializers.Serializer):
    distribution = serializers.PrimaryKeyRelatedField(queryset=Distribution.objects.all())


class _VisibleOnly(serializers.PrimaryKeyRelatedField):
    """Only ids the requesting operator can see are accepted (others read as unknown)."""

    def __init__(self, visible, **kwargs):
        self.visible = visible
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.visible(self.context["request"].user)


class InvitationSerializer(serializers.ModelSerializer):
    organizers = _VisibleOnly(organizers_visible_to, many=True, required=False)
    distributions = _VisibleOnly(distributions_visible_to, many=True, required=False)
    status = serializers.CharField(read_only=True)
    invited_by = serializers.EmailField(source="invited_by.email", read_only=True, default=None)

    class Meta:
        model = Invitation
        fields = [
            "id",
            "email",
            "organizers",
            "distributions",
            "status",
            "invited_by",
            "created_at",
            "expires_at",
        ]
        read_only_fields = ["created_at", "expires_at"]

    def validate(self, attrs):
        if not attrs.get("organizers") and not attrs.get("distributions"):
            raise serializers.ValidationError(
                _("Choose at least one organizer or distribution to give access to.")
            )
        return attrs


class InvitationAcceptSerializer(serializers.Serializer):
    token = serializers.CharField()
    password = serializers.CharField(
        required=False, allow_blank=True, write_only=True, style={"input_type": "password"}
    )
    full_name = serializers.CharField(required=False, allow_blank=True)


# --- organizers and their distributions ----------------------------------------------


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
            "time_zone",
            "currency",
            "currency_locked",
            "primary_color",
            "accent_color",
            "distributions",
        ]
        read_only_fields = ["slug", "currency_locked"]
        extra_kwargs = {"legal_name": {"required": False}, "time_zone": {"required": False}}

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
