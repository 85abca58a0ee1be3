"""Each host's URLs plus a page that fails, to see what a 500 answers (tests only)."""

from django.urls import path

from config import urls_public, urls_tenant


def fail(request):
    raise RuntimeError("a page that fails")


public = [path("fails/", fail), *urls_public.urlpatterns]
tenant = [path("fails/", fail), *urls_tenant.urlpatterns]
