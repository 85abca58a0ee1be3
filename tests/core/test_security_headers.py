"""Every answer of both hosts carries a strict Content-Security-Policy and a Permissions-Policy:
pages, redirects, API answers, the unknown-host 404 and the 500 page; only the pages that
load Stripe.js allow Stripe's hosts, and only those."""

import re
from pathlib import Path

import pytest
import responses
from django.conf import settings
from django.test import Client
from django_tenants.utils import schema_context

from apps.payments.models import ConnectedAccount
from apps.tenancy import services as tenancy
from tests.payments import stripe_fake
from tests.sales.helpers import shop_build
from tests.tenants import ALPHA

SHOP_HOST = "cspshop.localhost"
STRIPE_HOSTS = (
    "https://js.stripe.com",
    "https://*.js.stripe.com",
    "https://hooks.stripe.com",
    "https://api.stripe.com",
)


def policy_of(response) -> dict[str, list[str]]:
    header = response.get("Content-Security-Policy")
    assert header, f"{response.status_code} {response.get('Location', '')}: no Content-Security-Policy"
    return {name: sources for name, *sources in (part.split() for part in header.split(";") if part.strip())}


def assert_strict(response) -> None:
    policy = policy_of(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "frame-src" not in policy
    assert not any(host in response["Content-Security-Policy"] for host in STRIPE_HOSTS)
    permissions = response.get("Permissions-Policy", "")
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in permissions


@pytest.mark.parametrize(
    ("host", "path", "status"),
    [
        ("localhost", "/", 200),
        ("localhost", "/accounts/login/", 200),
        ("localhost", "/platform/", 302),
        ("localhost", "/no-such-page/", 404),
        ("localhost", "/api/v1/plans/", 401),
        ("localhost", "/api/docs/", 200),
        (ALPHA.host, "/accounts/login/", 200),
        (ALPHA.host, "/control/", 302),
        (ALPHA.host, "/no-such-page/", 404),
        (ALPHA.host, "/api/v1/events/", 401),
        (ALPHA.host, "/api/docs/", 200),
        ("nobody.localhost", "/", 404),
    ],
)
def test_every_answer_of_both_hosts_carries_the_policies(client, organizations, host, path, status):
    response = client.get(path, HTTP_HOST=host)

    assert response.status_code == status
    assert_strict(response)


@pytest.mark.parametrize(
    ("host", "urlconf"), [("localhost", "PUBLIC_SCHEMA_URLCONF"), (ALPHA.host, "ROOT_URLCONF")]
)
def test_the_server_error_page_carries_the_policies(settings, organizations, host, urlconf):
    setattr(settings, urlconf, f"tests.core.failing_urls.{'public' if host == 'localhost' else 'tenant'}")
    client = Client(raise_request_exception=False)

    response = client.get("/fails/", HTTP_HOST=host)

    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
    assert_strict(response)


def test_the_card_payment_page_allows_stripe_and_no_other_page_does(
    settings, alpha, stripe_platform, stripe_api
):
    settings.STRIPE_JS_URL = "https://js.stripe.com/v3/"
    with schema_context(ALPHA.schema_name):
        shop = shop_build(capacity=5, slug="cspshop")
    tenancy.domain_add(organization=alpha, domain=SHOP_HOST, organizer_slug="cspshop")
    ConnectedAccount.objects.create(
        stripe_account_id="acct_1CspShop",
        schema_name=alpha.schema_name,
        organizer_id=shop.organizer.pk,
        charges_enabled=True,
    )
    stripe_api.add(
        responses.POST, f"{stripe_fake.API}/v1/payment_intents", json=stripe_fake.payment_intent(amount=1000)
    )
    buyer = Client(HTTP_HOST=SHOP_HOST)
    buyer.post(f"/events/{shop.event.pk}/", {f"qty-{shop.day_ticket.pk}-{shop.dates[0].pk}": "1"})
    buyer.post("/cart/", {"email": "csp@example.com"})

    pay_page = buyer.get("/checkout/pay/")
    cart_page = buyer.get("/cart/")

    assert pay_page.status_code == 200
    assert '<script src="https://js.stripe.com/v3/">' in pay_page.content.decode()
    policy = policy_of(pay_page)
    assert policy["script-src"] == ["'self'", "https://js.stripe.com", "https://*.js.stripe.com"]
    assert policy["frame-src"] == [
        "https://js.stripe.com",
        "https://*.js.stripe.com",
        "https://hooks.stripe.com",
    ]
    assert policy["connect-src"] == ["'self'", "https://api.stripe.com"]
    assert policy["style-src"] == ["'self'"]
    assert_strict(cart_page)


def test_a_stand_in_for_stripe_js_is_allowed_its_own_origin_alone(settings):
    from apps.payments.csp import stripe_js_sources

    settings.STRIPE_JS_URL = "http://127.0.0.1:8420/js.stripe.com/v3/"

    assert stripe_js_sources() == {
        "script-src": ["http://127.0.0.1:8420"],
        "frame-src": ["http://127.0.0.1:8420"],
        "connect-src": ["http://127.0.0.1:8420"],
    }


def test_the_brand_colours_come_from_a_style_sheet_that_never_changes(client, organizations):
    page = client.get("/", HTTP_HOST="localhost").content.decode()
    href = re.search(r'href="(/brand\.css\?[^"]+)"', page).group(1).replace("&amp;", "&")

    sheet = client.get(href, HTTP_HOST="localhost")
    forged = client.get("/brand.css?primary=red;}body{x&accent=ff7a1a", HTTP_HOST="localhost")

    assert sheet.status_code == 200
    assert sheet["Content-Type"].startswith("text/css")
    assert re.fullmatch(
        r":root \{ --brand-primary: #[0-9a-f]{6}; --brand-accent: #[0-9a-f]{6}; \}\n", sheet.content.decode()
    )
    assert "immutable" in sheet["Cache-Control"]
    assert forged.status_code == 400


# Inline script or style anywhere in a template, which the policy would block: a <script>
# without src (JSON data blocks excepted), a <style> element, a style="" or on*="" attribute.
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>|<style\b|\sstyle\s*=|\son[a-z]+\s*=",
    re.IGNORECASE,
)


def test_no_template_has_inline_script_or_style():
    found = [
        f"{path.relative_to(settings.BASE_DIR)}:{number}: {line.strip()}"
        for path in sorted((Path(settings.BASE_DIR) / "templates").rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if INLINE.search(line)
    ]

    assert found == []


def test_no_template_loads_a_script_or_style_sheet_from_another_host():
    remote = re.compile(r"<(?:script|link)\b[^>]*\b(?:src|href)=\"(?:https?:)?//", re.IGNORECASE)
    found = [
        str(path.relative_to(settings.BASE_DIR))
        for path in (Path(settings.BASE_DIR) / "templates").rglob("*.html")
        if remote.search(path.read_text())
    ]

    assert found == []
