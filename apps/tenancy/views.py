from django.shortcuts import render
from django.utils import translation


def unknown_host(request):
    """No live organization answers to this host name.

    Tenant routing runs before LocaleMiddleware, so the visitor's language is picked here.
    """
    with translation.override(translation.get_language_from_request(request)):
        return render(request, "tenancy/unknown_host.html", {"host": request.get_host()}, status=404)
