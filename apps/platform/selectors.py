from django_tenants.utils import get_public_schema_name

from apps.tenancy.models import Organization


def organizations_with_domains():
    return (
        Organization.objects.exclude(schema_name=get_public_schema_name())
        .prefetch_related("domains")
        .order_by("name")
    )
