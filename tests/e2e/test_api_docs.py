"""The API documentation of each host: Swagger UI from our own static files, nothing fetched
from another origin, no Content-Security-Policy violation (the `context` fixture checks)."""

import pytest
from playwright.sync_api import expect

from tests.tenants import ALPHA

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("host", ["localhost", ALPHA.host])
def test_the_api_docs_render_from_our_own_origin(page, live_server, transactional_db, host):
    from tests.tenants import ensure_rows

    ensure_rows()
    origin = f"http://{host}:{live_server.url.rsplit(':', 1)[1]}"
    elsewhere = []
    page.on(
        "request", lambda request: None if request.url.startswith(origin) else elsewhere.append(request.url)
    )

    page.goto(f"{origin}/api/docs/")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Tessera API")
    expect(page.locator(".opblock").first).to_be_visible()
    assert elsewhere == []
