"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

Chromium resolves every *.localhost name to loopback, so organization hosts work as-is.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"

# Playwright's sync API runs an event loop in this thread; Django's ORM calls are safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run the test command (scripts/test), which installs it.")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


# Reports each Content-Security-Policy violation on the console (Playwright's init scripts
# run outside the page's policy), where the `context` fixture below collects it.
CSP_WATCH = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error("CSP violation: " + event.effectiveDirective + " blocked " + (event.blockedURI || "inline") + " on " + event.documentURI);
});
"""


@pytest.fixture
def context(context):
    """Every page a browser test opens loads with zero Content-Security-Policy violations."""
    violations = []

    def on_console(message):
        if message.type == "error" and (
            "Content Security Policy" in message.text or "CSP violation" in message.text
        ):
            violations.append(message.text)

    context.add_init_script(CSP_WATCH)
    context.on("console", on_console)
    yield context
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


from tests.lookups import lookups_cached  # noqa: E402,F401
from tests.payments.fixtures import localstripe, localstripe_webhooks, platform_on_localstripe  # noqa: E402,F401


@pytest.fixture(autouse=True)
def _lookups_cached_as_in_production(lookups_cached):  # noqa: F811
    """Browser tests run with the lookups cache on, as production does: what a user changes
    on one page must show on the next one, whatever the cache held."""
