from rest_framework import serializers

from apps.organizers.api.serializers import OrganizerSerializer
from apps.tenancy.models import Organization


class OrganizationSerializer(serializers.ModelSerializer):
    domains = serializers.SlugRelatedField(slug_field="domain", many=True, read_only=True)

    class Meta:
        model = Organization
        fields = ["id", "name", "slug", "schema_name", "status", "failure_reason", "domains", "created_at"]
        read_only_fields = ["schema_name", "status", "failure_reason", "created_at"]


class OrganizationOrganizerSerializer(OrganizerSerializer):
    slug = serializers.SlugField(required=False)

    class Meta(OrganizerSerializer.Meta):
        read_only_fields = ["currency_locked"]
