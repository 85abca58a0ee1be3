import pytest
from django.db import connection
from django_tenants.utils import schema_context

from tests import tenants as test_tenants
from tests.tenants import ALPHA, BETA


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        test_tenants.clone_schemas()


@pytest.fixture
def organizations(db):
    """{"alpha": Organization, "beta": Organization}, live, with their hosts routed."""
    return test_tenants.ensure_rows()


@pytest.fixture
def alpha(organizations):
    return organizations[ALPHA.slug]


@pytest.fixture
def beta(organizations):
    return organizations[BETA.slug]


@pytest.fixture
def in_alpha(alpha):
    with schema_context(alpha.schema_name):
        yield alpha


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The suite's own Redis database starts empty for every test (rate limits live there)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _back_to_public():
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)  # a request in French must not leak into the next test
    yield
    # Again afterwards: a module-scoped fixture set up before the next test's function fixtures
    # (tests/events/test_api.py builds its world so) must not be built in French either.
    translation.activate(settings.LANGUAGE_CODE)
    if connection.schema_name != "public":
        connection.set_schema_to_public()


@pytest.fixture
def fresh_organization(transactional_db):
    """Provision committed organizations for tests that need them (live server, worker);
    their schemas are dropped afterwards, their rows go with the transactional flush."""
    from apps.tenancy import services

    created = []

    def make(*, name: str, slug: str):
        test_tenants.ensure_rows()
        organization = services.organization_create(name=name, slug=slug)
        created.append(organization.schema_name)
        return organization

    yield make
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        for schema_name in created:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE')
