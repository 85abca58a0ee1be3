"""Who may see and manage an organizer's own domains: per role, on alpha's host (and the twin
organization's admin, with the same ids and e-mail, on both hosts)."""

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from apps.billing.services.accounts import billing_account_open
from apps.core.audit import Actor
from apps.operators.permissions import Action, can
from apps.tenancy import services
from apps.tenancy.models import Domain
from tests.dns_server import DnsZone, dns_server
from tests.factories import (
    ADMIN,
    ANONYMOUS,
    CONFIGURER,
    CUSTOMER,
    OTHER,
    OTHER_ORGANIZATION,
    SELLER,
    role_matrix,
    world_build,
)
from tests.plans.factories import plan_build
from tests.tenants import ALPHA, BETA

HOST = ALPHA.host


@pytest.fixture
def world(alpha, beta, settings):
    """alpha's Team (organizer A on a plan with custom domains, B on one without), one
    pending domain of A, and a DNS server that holds its token."""
    world = world_build(alpha, beta)
    with_domains = plan_build(slug="pro", custom_domain=True)
    without = plan_build(slug="basic", custom_domain=False)
    for organizer, plan in ((world.team.a, with_domains), (world.team.b, without)):
        billing_account_open(
            organization=alpha,
            organizer_id=organizer.pk,
            organizer_name=organizer.name,
            organizer_slug=organizer.slug,
            country="NL",
            plan=plan,
        )
    world.domain = services.custom_domain_add(
        organization=alpha,
        organizer_slug=world.team.a.slug,
        domain="tickets.a.example",
        actor=Actor(user=None),
    )
    zone = DnsZone()
    zone.txt["_tessera-verify.tickets.a.example"] = [world.domain.verification_token]
    with dns_server(zone) as port:
        settings.DOMAIN_VERIFICATION_NAMESERVERS = ["127.0.0.1"]
        settings.DOMAIN_VERIFICATION_PORT = port
        yield world


def _client(world, role) -> Client:
    client = Client()
    if role == ANONYMOUS:
        return client
    if role == OTHER_ORGANIZATION:  # logged in at beta, calling alpha's host
        twin = world.beta_twin()
        with schema_context(BETA.schema_name):
            client.force_login(twin.admin)
        return client
    team = world.team
    user = {ADMIN: team.admin, CONFIGURER: team.configurer, SELLER: team.seller, OTHER: team.other}.get(role)
    with schema_context(ALPHA.schema_name):
        client.force_login(user or team.customer)
    return client


def _to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


TO_LOGIN = "to the login page"
OUTSIDERS = {CUSTOMER: 403, ANONYMOUS: TO_LOGIN, OTHER_ORGANIZATION: TO_LOGIN}


def _expect(response, expected):
    if expected == TO_LOGIN:
        assert _to_login(response), (response.status_code, response.get("Location"))
    else:
        assert response.status_code == expected, response.content.decode()[:300]


PAGE = {ADMIN: 200, CONFIGURER: 200, SELLER: 403, OTHER: 200, **OUTSIDERS}


@role_matrix(PAGE)
def test_the_domains_page(world, role, expected):
    response = _client(world, role).get("/control/domains/", HTTP_HOST=HOST)

    _expect(response, expected)
    body = response.content.decode()
    sees_a = "tickets.a.example" in body
    assert sees_a == (role in (ADMIN, CONFIGURER))
    assert world.domain.verification_token in body if sees_a else world.domain.verification_token not in body
    if role == OTHER:  # B's section only, and why B may add none
        assert "ALPHA-A" not in body
        assert "has no custom domains" in body


ADD = {ADMIN: 302, CONFIGURER: 302, SELLER: 403, OTHER: 404, **OUTSIDERS}


@role_matrix(ADD)
def test_adding_a_domain_for_organizer_a(world, role, expected):
    response = _client(world, role).post(
        f"/control/domains/organizers/{world.team.a.pk}/add/", {"domain": "new.a.example"}, HTTP_HOST=HOST
    )

    _expect(response, expected)
    assert Domain.objects.filter(domain="new.a.example").exists() == (expected == 302)


CHECK = {ADMIN: 302, CONFIGURER: 302, SELLER: 403, OTHER: 404, **OUTSIDERS}


@role_matrix(CHECK)
def test_checking_a_domain_of_organizer_a(world, role, expected):
    response = _client(world, role).post(f"/control/domains/{world.domain.pk}/check/", HTTP_HOST=HOST)

    _expect(response, expected)
    checked = Domain.objects.get(pk=world.domain.pk)
    assert (checked.verified_at is not None) == (expected == 302)


REMOVE = {ADMIN: 302, CONFIGURER: 302, SELLER: 403, OTHER: 404, **OUTSIDERS}


@role_matrix(REMOVE)
def test_removing_a_domain_of_organizer_a(world, role, expected):
    response = _client(world, role).post(f"/control/domains/{world.domain.pk}/remove/", HTTP_HOST=HOST)

    _expect(response, expected)
    assert Domain.objects.filter(pk=world.domain.pk).exists() == (expected != 302)


def test_the_twin_admin_on_its_own_host_cannot_reach_alphas_domain(world):
    client = _client(world, OTHER_ORGANIZATION)
    twin_a = world.beta_twin().a  # same id as alpha's A

    page = client.get("/control/domains/", HTTP_HOST=BETA.host)
    check = client.post(f"/control/domains/{world.domain.pk}/check/", HTTP_HOST=BETA.host)
    remove = client.post(f"/control/domains/{world.domain.pk}/remove/", HTTP_HOST=BETA.host)
    add = client.post(
        f"/control/domains/organizers/{twin_a.pk}/add/", {"domain": "x.example"}, HTTP_HOST=BETA.host
    )

    assert page.status_code == 200
    assert "tickets.a.example" not in page.content.decode()
    assert (check.status_code, remove.status_code) == (404, 404)
    assert add.status_code == 403  # beta's organizer has no client account, so no custom domains
    assert Domain.objects.get(pk=world.domain.pk).verified_at is None


def test_the_permission_module_answers_for_templates_and_views_alike(world):
    team = world.team
    with schema_context(ALPHA.schema_name):
        assert can(team.admin, Action.MANAGE_CUSTOM_DOMAINS, team.a)
        assert can(team.configurer, Action.MANAGE_CUSTOM_DOMAINS, team.a)
        assert not can(team.admin, Action.MANAGE_CUSTOM_DOMAINS, team.b)  # the plan decides for admins too
        assert not can(team.other, Action.MANAGE_CUSTOM_DOMAINS, team.b)
        assert not can(team.seller, Action.MANAGE_CUSTOM_DOMAINS, team.a)
        assert not can(team.customer, Action.MANAGE_CUSTOM_DOMAINS, team.a)
        assert not can(None, Action.MANAGE_CUSTOM_DOMAINS, team.a)
    with schema_context(BETA.schema_name):
        twin = world.beta_twin()
        assert not can(twin.admin, Action.MANAGE_CUSTOM_DOMAINS, twin.a)  # same id, other organization
