"""The seed's example: one customer account per organization, not per organizer."""

import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.platform.models import PlatformSettings
from apps.tenancy.models import Organization
from tests.plans.factories import plan_build

JOHN = "john.doe@example.com"
PASSWORD = "johns long pass phrase"


@pytest.fixture
def demo(organizations):
    call_command("seed_demo", stdout=io.StringIO())


def _sign_up(client, host, callbacks, password=PASSWORD):
    with callbacks(execute=True):
        response = client.post(
            "/accounts/signup/", {"email": JOHN, "password1": password, "password2": password}, HTTP_HOST=host
        )
    assert response.status_code == 302
    link = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
    client.post(link.split(host, 1)[1], HTTP_HOST=host)  # confirm the address
    client.post("/accounts/logout/", HTTP_HOST=host)


def _log_in(client, host, password=PASSWORD):
    client.post("/accounts/login/", {"login": JOHN, "password": password}, HTTP_HOST=host)
    user = client.get("/", HTTP_HOST=host).wsgi_request.user
    client.post("/accounts/logout/", HTTP_HOST=host)
    return user


def test_john_uses_one_account_at_fun_park_and_water_park(client, demo, django_capture_on_commit_callbacks):
    _sign_up(client, "funpark.localhost", django_capture_on_commit_callbacks)

    at_fun_park = _log_in(client, "funpark.localhost")
    at_water_park = _log_in(client, "waterpark.localhost")

    assert at_fun_park.is_authenticated
    assert at_water_park.is_authenticated
    assert at_fun_park.pk == at_water_park.pk
    with schema_context(Organization.objects.get(name="Fancy theme parks").schema_name):
        assert User.objects.filter(email=JOHN).count() == 1


def test_at_football_club_abc_john_needs_another_unrelated_account(
    client, demo, django_capture_on_commit_callbacks
):
    _sign_up(client, "funpark.localhost", django_capture_on_commit_callbacks)

    assert not _log_in(client, "footballclubabc.localhost").is_authenticated

    _sign_up(
        client,
        "footballclubabc.localhost",
        django_capture_on_commit_callbacks,
        password="another pass phrase",
    )
    assert _log_in(client, "footballclubabc.localhost", "another pass phrase").is_authenticated
    assert not _log_in(client, "funpark.localhost", "another pass phrase").is_authenticated
    football = Organization.objects.get(name="Football club ABC")
    with schema_context(football.schema_name):
        assert User.objects.filter(email=JOHN, is_operator=False).count() == 1


def test_in_full_service_mode_one_account_works_for_every_organizer(
    client, alpha, django_capture_on_commit_callbacks
):
    PlatformSettings.objects.update_or_create(
        pk=1, defaults={"mode": PlatformSettings.Mode.FULL_SERVICE, "owner_organization": alpha}
    )
    plan_build(slug="starter")
    for slug in ("circus-one", "circus-two"):
        with django_capture_on_commit_callbacks(execute=True):  # the signup is provisioned by a task
            response = client.post(
                "/register/",
                {
                    "plan": "starter",
                    "organizer_name": slug.title(),
                    "slug": slug,
                    "legal_name": slug.title(),
                    "country": "FR",
                    "currency": "EUR",
                    "full_name": "Owner",
                    "email": f"owner@{slug}.example",
                    "password1": "a long pass phrase",
                    "password2": "a long pass phrase",
                    "accept_terms": "on",
                },
                HTTP_HOST="localhost",
            )
        assert response.status_code == 302

    _sign_up(client, "circus-one.localhost", django_capture_on_commit_callbacks)

    assert _log_in(client, "circus-one.localhost").is_authenticated
    assert _log_in(client, "circus-two.localhost").is_authenticated
