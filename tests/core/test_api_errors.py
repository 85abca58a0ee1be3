"""Errors under /api/ answer JSON on both hosts — an unknown path, a bug (500) — while the
other pages keep their HTML error pages."""

import pytest
from django.test import Client, override_settings

from tests.factories import PLATFORM_HOST
from tests.tenants import ALPHA

HOSTS = [ALPHA.host, PLATFORM_HOST]


@pytest.mark.parametrize("host", HOSTS)
def test_an_unknown_api_path_is_a_json_404(organizations, host):
    answer = Client().get("/api/v1/no-such-thing/", HTTP_HOST=host)

    assert answer.status_code == 404
    assert answer["Content-Type"] == "application/json"
    assert answer.json() == {"detail": "Not found."}


@pytest.mark.parametrize("host", HOSTS)
def test_an_unknown_page_is_still_the_html_404(organizations, host):
    answer = Client().get("/no-such-page/", HTTP_HOST=host)

    assert answer.status_code == 404
    assert answer["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("host", "urlconf"),
    [(ALPHA.host, "tests.core.failing_urls.tenant"), (PLATFORM_HOST, "tests.core.failing_urls.public")],
)
def test_a_bug_in_an_api_view_is_a_json_500(organizations, host, urlconf):
    with override_settings(ROOT_URLCONF=urlconf, PUBLIC_SCHEMA_URLCONF=urlconf):
        answer = Client(raise_request_exception=False).get("/api/v1/failing/", HTTP_HOST=host)

    assert answer.status_code == 500
    assert answer["Content-Type"] == "application/json"
    assert answer.json() == {"detail": "A server error occurred."}
