"""Twin organizations with the same ids and marker strings: nothing crosses."""

from django_tenants.utils import schema_context

from apps.organizers.models import Organizer
from apps.organizers.services import organizer_create
from tests.factories import UserFactory
from tests.tenants import ALPHA, BETA

TWIN_ID = 424242  # sequences drift between schemas as tests run; twins take this id in both


def _make_twins(alpha, beta):
    twins = []
    for organization, marker, slug in (
        (alpha, "MARKER-ALPHA", ALPHA.organizer_slug),
        (beta, "MARKER-BETA", BETA.organizer_slug),
    ):
        with schema_context(organization.schema_name):
            twins.append(
                Organizer.objects.create(
                    pk=TWIN_ID, name=marker, slug=slug, legal_name=marker, currency="EUR", country="NL"
                )
            )
            UserFactory(email="operator@example.com", is_operator=True, is_admin=True)
    return twins


def test_twin_rows_share_ids_but_each_host_sees_only_its_own(client, alpha, beta):
    alpha_organizer, beta_organizer = _make_twins(alpha, beta)
    assert alpha_organizer.pk == beta_organizer.pk  # same ids in both schemas

    alpha_page = client.get("/", HTTP_HOST=ALPHA.host).content.decode()
    beta_page = client.get("/", HTTP_HOST=BETA.host).content.decode()

    assert "MARKER-ALPHA" in alpha_page
    assert "MARKER-BETA" not in alpha_page
    assert "MARKER-BETA" in beta_page
    assert "MARKER-ALPHA" not in beta_page


def test_an_operator_sees_only_their_organizations_control_panel(client, alpha, beta):
    _make_twins(alpha, beta)
    client.post(
        "/accounts/login/",
        {"login": "operator@example.com", "password": "correct horse battery"},
        HTTP_HOST=ALPHA.host,
    )

    page = client.get("/control/", HTTP_HOST=ALPHA.host).content.decode()

    assert "MARKER-ALPHA" in page
    assert "MARKER-BETA" not in page
    assert client.get("/control/", HTTP_HOST=BETA.host).status_code == 302  # not logged in there


def test_a_row_created_in_one_schema_is_invisible_from_another(alpha, beta):
    with schema_context(alpha.schema_name):
        organizer_create(name="Only in alpha", slug="only-alpha", currency="EUR", country="NL")

    with schema_context(beta.schema_name):
        assert not Organizer.objects.filter(slug="only-alpha").exists()
    with schema_context("public"):
        assert "organizers_organizer" not in _public_tables()


def test_organizer_host_of_one_organization_never_shows_another_organizations_organizer(client, alpha, beta):
    # beta has an organizer whose slug equals the one alpha's host is bound to
    with schema_context(beta.schema_name):
        organizer_create(name="MARKER-BETA", slug=ALPHA.organizer_slug, currency="EUR", country="NL")

    response = client.get("/", HTTP_HOST=ALPHA.organizer_host)

    assert response.context["organizer"] is None
    assert "MARKER-BETA" not in response.content.decode()


def _public_tables() -> set[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return {row[0] for row in cursor.fetchall()}
