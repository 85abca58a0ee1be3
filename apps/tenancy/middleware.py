from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_public_schema_name

from apps.tenancy.models import Domain, Organization
from apps.tenancy.selectors import is_platform_host, routable_domains


class TenantMiddleware(TenantMainMiddleware):
    """Routes a request by its host: the platform host (the stored base domain, or
    settings.PLATFORM_DOMAIN) to the public schema, any live organization's domain to its
    schema (a client's own domain once verified), anything else to a branded 404."""

    @staticmethod
    def hostname_from_request(request):
        # Host names are case-insensitive and may end with the root dot.
        return TenantMainMiddleware.hostname_from_request(request).lower().rstrip(".")

    def get_tenant(self, domain_model, hostname):
        if is_platform_host(hostname):
            try:
                tenant = Organization.objects.get(schema_name=get_public_schema_name())
            except Organization.DoesNotExist:
                raise Domain.DoesNotExist from None
            tenant.current_domain = None
            return tenant
        domain = routable_domains().get(domain=hostname)
        tenant = domain.tenant
        tenant.current_domain = domain
        return tenant

    def process_request(self, request):
        response = super().process_request(request)
        tenant = getattr(request, "tenant", None)
        request.tenant_domain = getattr(tenant, "current_domain", None)
        return response
