from django.contrib.auth import logout
from django.db import connection
from django.urls import Resolver404, resolve

from apps.accounts.permissions import can_enter_template_site

SESSION_SCHEMA_KEY = "_tessera_schema"


class SessionSchemaMiddleware:
    """Binds a logged-in session to the schema it was opened in.

    Sessions already live in per-schema tables behind host-only cookies; this is the second
    lock: a session that somehow reaches another schema's host is logged out, not trusted.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            bound = request.session.get(SESSION_SCHEMA_KEY)
            if bound is None:
                request.session[SESSION_SCHEMA_KEY] = connection.schema_name
            elif bound != connection.schema_name:
                logout(request)
        return self.get_response(request)


class TemplateSiteMiddleware:
    """A template site (Organization.is_template) is kept to be cloned, not served: on its
    hosts everyone but its support identity gets the unknown-host 404 — storefront, signup
    and login pages, control panel and API alike. The one way in is a support session's
    one-time link, which logs the support identity in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tenant = getattr(request, "tenant", None)
        if getattr(tenant, "is_template", False) and not (
            can_enter_template_site(request.user) or _is_support_link(request)
        ):
            from apps.tenancy.views import unknown_host

            return unknown_host(request)
        return self.get_response(request)


def _is_support_link(request) -> bool:
    try:
        match = resolve(request.path_info, urlconf=getattr(request, "urlconf", None))
    except Resolver404:
        return False
    return match.url_name == "token-login"
