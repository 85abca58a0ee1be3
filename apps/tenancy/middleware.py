from django.conf import settings
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_public_schema_name

from apps.tenancy.models import Domain, Organization


class TenantMiddleware(TenantMainMiddleware):
    """Routes a request by its host: the platform host to the public schema, any live
    organization's domain to its schema, anything else to a branded 404."""

    @staticmethod
    def hostname_from_request(request):
        # Host names are case-insensitive and may end with the root dot.
        return TenantMainMiddleware.hostname_from_request(request).lower().rstrip(".")

    def get_tenant(self, domain_model, hostname):
        if hostname == settings.PLATFORM_DOMAIN:
            try:
                tenant = Organization.objects.get(schema_name=get_public_schema_name())
            except Organization.DoesNotExist:
                raise Domain.DoesNotExist from None
            tenant.current_domain = None
            return tenant
        domain = (
            Domain.objects.select_related("tenant")
            .filter(tenant__status=Organization.Status.READY)
            .get(domain=hostname)
        )
        tenant = domain.tenant
        tenant.current_domain = domain
        return tenant

    def process_request(self, request):
        response = super().process_request(request)
        tenant = getattr(request, "tenant", None)
        request.tenant_domain = getattr(tenant, "current_domain", None)
        return response
