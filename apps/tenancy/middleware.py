from django.core.exceptions import DisallowedHost
from django.db import connection
from django.http import HttpResponseNotFound
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_public_schema_name, get_tenant_domain_model

from apps.tenancy.models import Domain, Organization
from apps.tenancy.selectors import is_platform_host, routed_domain


class TenantMiddleware(TenantMainMiddleware):
    """Routes a request by its host: the platform host (the stored base domain, or
    settings.PLATFORM_DOMAIN) to the public schema, any live organization's domain to its
    schema (a client's own domain once verified), anything else to a branded 404.

    Hosts are looked up in the cache (selectors.routed_domain). A persistent connection
    whose session already has the search_path this request needs is not sent it again."""

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
        domain = routed_domain(hostname)
        tenant = domain.tenant
        tenant.current_domain = domain
        return tenant

    def process_request(self, request):
        # TenantMainMiddleware.process_request, keeping a search_path still in force.
        request.tenant_domain = None
        session_search_path = connection.search_path_set_schemas
        connection.set_schema_to_public()
        try:
            hostname = self.hostname_from_request(request)
        except DisallowedHost:
            return HttpResponseNotFound()
        domain_model = get_tenant_domain_model()
        try:
            tenant = self.get_tenant(domain_model, hostname)
        except domain_model.DoesNotExist:
            return self.no_tenant_found(request, hostname)
        # None again unless routing queried the database (which SET the public search_path).
        nothing_set = connection.search_path_set_schemas is None
        tenant.domain_url = hostname
        request.tenant = tenant
        connection.set_tenant(tenant)
        if nothing_set:
            _keep_search_path(session_search_path)
        self.setup_url_routing(request)
        request.tenant_domain = getattr(tenant, "current_domain", None)


def _keep_search_path(session_search_path) -> None:
    """django-tenants forgets the search_path it SET whenever a tenant is set, so each request
    would SET it again. `session_search_path` is what the connection's session had when the
    request started: None when unknown (a new connection, or after a rollback or a failed
    SET, which django-tenants also forgets it on). If it is the one now needed, and nothing
    was SET since, it is still in force: remembered again, it is not sent again."""
    if (
        session_search_path is not None
        and connection.connection is not None
        and connection._get_cursor_search_paths() == session_search_path
    ):
        connection.search_path_set_schemas = session_search_path
