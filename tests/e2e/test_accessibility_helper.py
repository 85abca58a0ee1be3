"""The axe helper itself: it fails on a page with known violations, names them readably, passes
a clean page, and works under a strict Content-Security-Policy like the project's (the
`context` fixture fails the test on any CSP violation)."""

import pytest

from tests.e2e.accessibility import assert_accessible, axe_violations

pytestmark = pytest.mark.e2e

STRICT_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:"
BAD = """<!doctype html><html lang="en"><head><title>Bad</title></head><body><main>
<h1>Bad page</h1>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<form><input type="text" name="q"></form>
<a href="/elsewhere"></a>
</main></body></html>"""
GOOD = """<!doctype html><html lang="en"><head><title>Good</title></head><body><main>
<h1>Good page</h1>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="A dot">
<form><label for="q">Search</label><input id="q" type="text" name="q"></form>
<a href="/elsewhere">Elsewhere</a>
</main></body></html>"""


def _serve(page, html: str) -> None:
    """Serves `html` at http://axe-check.localhost/ with a strict CSP header, as our pages are."""
    page.route(
        "http://axe-check.localhost/",
        lambda route: route.fulfill(
            status=200,
            content_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": STRICT_CSP},
            body=html,
        ),
    )
    page.goto("http://axe-check.localhost/")


def test_a_bad_page_fails_with_each_rule_its_elements_and_help(page):
    _serve(page, BAD)
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page, context="the bad page")
    message = str(failure.value)
    assert "on the bad page (http://axe-check.localhost/)" in message
    for rule in ("image-alt", "label", "link-name"):
        assert f"- {rule} (critical)" in message or f"- {rule} (serious)" in message
    assert "    img" in message  # the element's selector
    assert "Images must have alternative text" in message  # axe's help
    assert "https://dequeuniversity.com/rules/axe/4.14/image-alt" in message


def test_a_clean_page_passes_under_the_strict_policy(page):
    _serve(page, GOOD)
    assert_accessible(page, context="the good page")
    assert page.evaluate("axe.version") == "4.14.1"
    # A page that goes bad after loading is checked as it is now (axe is injected once).
    page.evaluate("document.querySelector('img').removeAttribute('alt')")
    assert [v["id"] for v in axe_violations(page)] == ["image-alt"]
