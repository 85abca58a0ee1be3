"""Schema-driven fuzz run of the REST API (schemathesis, in its own venv: .venv-schemathesis):
each host's own OpenAPI schema, against a live server on loopback, as an organization admin
on an organization host and as a platform admin on the platform host. No operation may
answer a server error or a status its schema does not document."""

import json
import os
import subprocess
from pathlib import Path

import pytest
import requests
from django.db import connection
from django_tenants.utils import get_public_schema_name, schema_context

from apps.accounts.services import user_create
from apps.tenancy import services as tenancy
from apps.tenancy.models import Organization
from tests.factories import totp_code, totp_for
from tests.plans.factories import plan_build
from tests.sales.helpers import shop_build

pytestmark = pytest.mark.fuzz

SCHEMATHESIS = Path(__file__).resolve().parents[2] / ".venv-schemathesis" / "bin" / "schemathesis"
# Cases per operation: under a minute per host on two CPUs. Schemathesis's coverage phase
# (TESSERA_FUZZ_PHASES=examples,coverage,fuzzing) takes over ten minutes here: run it by hand.
MAX_EXAMPLES = int(os.environ.get("TESSERA_FUZZ_EXAMPLES", "8"))
PASSWORD = "a long fuzzing pass phrase"
ORGANIZATION_HOST = "fuzz-park.localhost"
# Half the time a path's ids name rows that exist (every schema numbers from 1), so the
# fuzzer gets past the 404s to the validation and the services behind them.
CONFIG = """
[dictionaries.existing]
values = [1, 2]

[parameters]
"path.id" = { dictionary = "existing", probability = 0.5 }
"path.organizer_id" = { dictionary = "existing", probability = 0.5 }
"path.distribution_id" = { dictionary = "existing", probability = 0.5 }
"path.adjustment_id" = { dictionary = "existing", probability = 0.5 }
"""


@pytest.fixture
def fuzz_world(fresh_organization):
    """An organization with one organizer and its admin; a platform admin with TOTP."""
    organization = fresh_organization(name="Fuzz parks", slug="fuzz")
    with schema_context(organization.schema_name):
        shop_build(capacity=50, slug="fuzz-park")  # ids 1 and 2 of most resources exist
        user_create(
            email="admin@fuzz.example",
            password=PASSWORD,
            is_operator=True,
            is_admin=True,
            email_verified=True,
        )
    tenancy.domain_add(organization=organization, domain=ORGANIZATION_HOST, organizer_slug="fuzz-park")
    with schema_context(get_public_schema_name()):
        staff = user_create(
            email="staff@platform.example",
            password=PASSWORD,
            is_staff=True,
            is_superuser=True,
            email_verified=True,
        )
        authenticator = totp_for(staff)
        plan_build(slug="fuzz")
    before = set(Organization.objects.values_list("schema_name", flat=True))
    yield {
        "localhost": ("staff@platform.example", authenticator),
        ORGANIZATION_HOST: ("admin@fuzz.example", None),
    }
    # Organizations the fuzzer created (POST /organizations/) leave no schema behind.
    connection.set_schema_to_public()
    created = set(Organization.objects.values_list("schema_name", flat=True)) - before
    with connection.cursor() as cursor:
        for schema_name in created:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE')


def _token(origin: str, host: str, email: str, authenticator) -> str:
    data = {"username": email, "password": PASSWORD}
    if authenticator is not None:
        data["code"] = totp_code(authenticator)
    response = requests.post(f"{origin}/api/v1/auth/token/", data=data, headers={"Host": host}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["token"]


@pytest.mark.parametrize("host", ["localhost", ORGANIZATION_HOST])
def test_no_operation_answers_a_server_error_or_an_undocumented_status(
    live_server, fuzz_world, tmp_path, host
):
    if not SCHEMATHESIS.exists():
        pytest.fail(f"{SCHEMATHESIS} is missing: run the test command (scripts/test), which installs it.")
    origin = "http://127.0.0.1:" + live_server.url.rsplit(":", 1)[1]
    token = _token(origin, host, *fuzz_world[host])
    schema = requests.get(f"{origin}/api/schema/?format=json", headers={"Host": host}, timeout=60)
    assert schema.status_code == 200
    (tmp_path / "schema.json").write_text(json.dumps(schema.json()))

    (tmp_path / "schemathesis.toml").write_text(CONFIG)
    log = tmp_path / "schemathesis.log"
    with log.open("w") as output:
        run = subprocess.run(
            [
                str(SCHEMATHESIS),
                "--config-file",
                str(tmp_path / "schemathesis.toml"),
                "run",
                str(tmp_path / "schema.json"),
                "--url",
                origin,
                "-H",
                f"Host: {host}",
                "-H",
                f"Authorization: Token {token}",
                "--checks",
                "not_a_server_error,status_code_conformance",
                "--phases",
                os.environ.get("TESSERA_FUZZ_PHASES", "examples,fuzzing"),
                "--max-examples",
                str(MAX_EXAMPLES),
                "--seed",
                "20261202",
                "--workers",
                "2",
                "--request-timeout",
                "30",
                "--no-color",
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
            timeout=600,
            cwd=tmp_path,
        )

    assert run.returncode == 0, log.read_text()[-20000:]
