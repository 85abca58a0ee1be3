import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.platform.demo import PLATFORM_ADMIN_EMAIL

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args, **env):
    inherited = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**inherited, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_the_production_settings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        SECRET_KEY="x7#kq2!m9z" * 6,
        PLATFORM_DOMAIN="tickets.example.com",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("urlconf", ["config.urls_tenant", "config.urls_public"])
def test_both_api_schemas_validate_without_warnings(urlconf):
    result = _manage(
        "spectacular", "--urlconf", urlconf, "--validate", "--fail-on-warn", "--file", os.devnull
    )

    assert result.returncode == 0, result.stdout + result.stderr


def _python(code: str, **env):
    """Run `code` in a fresh interpreter with the environment minus the keys set to None."""
    inherited = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    merged = {key: value for key, value in {**inherited, **env}.items() if value is not None}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=merged, capture_output=True, text=True, timeout=120
    )


GOOD_KEY = "x7#kq2!m9z" * 6


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = _python(
        "import django; django.setup()", DJANGO_SETTINGS_MODULE="config.settings.prod", SECRET_KEY=None
    )

    assert result.returncode != 0
    assert "django.core.exceptions.ImproperlyConfigured: SECRET_KEY is not set." in result.stderr
    assert "secrets.token_urlsafe(50)" in result.stderr  # and says how to make one


@pytest.mark.parametrize(
    "key",
    [
        "dev-only-insecure-key-change-me",
        "test-only-insecure-key",
        "compose-local-only-insecure-key",
        "short-but-random-9f8e7d",
        "a" * 60,
    ],
)
def test_production_settings_refuse_a_published_or_weak_secret_key(key):
    result = _python(
        "import django; django.setup()", DJANGO_SETTINGS_MODULE="config.settings.prod", SECRET_KEY=key
    )

    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is a published development key or too weak" in result.stderr


@pytest.mark.parametrize(
    "code",
    [
        "import config.wsgi",
        "import config.asgi",
        "import config.celery, django; django.setup()",
    ],
)
def test_servers_and_workers_run_production_settings_unless_told_otherwise(code):
    probe = code + "; from django.conf import settings; print(settings.SETTINGS_MODULE, settings.DEBUG)"

    chosen = _python(probe, DJANGO_SETTINGS_MODULE=None, SECRET_KEY=GOOD_KEY)
    keyless = _python(probe, DJANGO_SETTINGS_MODULE=None, SECRET_KEY=None)

    assert chosen.stdout.split() == ["config.settings.prod", "False"], chosen.stderr
    assert "SECRET_KEY is not set" in keyless.stderr


def test_manage_py_keeps_development_settings_for_developers():
    result = _python(
        "import runpy, sys; sys.argv = ['manage.py', 'diffsettings']; runpy.run_path('manage.py', run_name='__main__')",
        DJANGO_SETTINGS_MODULE=None,
        SECRET_KEY=None,
    )

    assert result.returncode == 0, result.stderr
    assert "DEBUG = True" in result.stdout


def test_the_image_runs_production_settings():
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert "DJANGO_SETTINGS_MODULE=config.settings.prod" in dockerfile
    assert "collectstatic-build-only" not in dockerfile  # its build step makes a throwaway random key


def _compose() -> dict:
    import yaml

    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_no_secret_key_of_its_own_and_stops_without_one():
    environment = _compose()["x-app"]["environment"]

    assert re.fullmatch(r"\$\{SECRET_KEY:\?[^}]+\}", environment["SECRET_KEY"])  # required, no default


def test_compose_seeds_the_demo_only_when_asked():
    compose = _compose()

    assert compose["x-app"]["environment"]["TESSERA_DEMO"] == "${TESSERA_DEMO:-false}"
    command = compose["services"]["web"]["command"]
    assert "seed_demo --if-enabled" in command
    assert re.findall(r"seed_demo\b[^&]*", command) == ["seed_demo --if-enabled "]


def test_the_demo_is_refused_where_it_is_not_enabled(settings, organizations):
    settings.DEMO_ENABLED = False

    with pytest.raises(CommandError, match="TESSERA_DEMO"):
        call_command("seed_demo", stdout=io.StringIO())
    out = io.StringIO()
    call_command("seed_demo", "--if-enabled", stdout=out)

    assert "not seeded" in out.getvalue()
    with schema_context("public"):
        assert not User.objects.filter(email=PLATFORM_ADMIN_EMAIL).exists()


def test_the_demo_is_off_by_default_in_production():
    result = _python(
        "import django; django.setup(); from django.conf import settings; print(settings.DEMO_ENABLED)",
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        SECRET_KEY=GOOD_KEY,
        TESSERA_DEMO=None,
    )

    assert result.stdout.strip() == "False", result.stderr


def test_deploy_time_values_come_from_the_environment():
    assert settings.DATABASES["default"]["ENGINE"] == "django_tenants.postgresql_backend"
    assert settings.SESSION_COOKIE_DOMAIN is None
    assert settings.CACHES["default"]["KEY_FUNCTION"] == "django_tenants.cache.make_key"
    assert settings.STORAGES["default"]["BACKEND"] == "django_tenants.files.storage.TenantFileSystemStorage"
