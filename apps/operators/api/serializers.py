from django.utils.translation import gettext as _
from rest_framework import serializers

from apps.operators.models import Invitation
from apps.operators.permissions import distributions_visible_to, organizers_visible_to
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
