"""Clients' own domains: added in the control panel (if the plan allows), verified against a
real DNS server on the loopback (TXT record with the token), routed only once verified."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.test import Client
from django_tenants.utils import schema_context

from apps.billing.services.accounts import billing_account_open
from apps.core.audit import Actor
from apps.core.models import AuditLogEntry
from apps.operators.services import operator_link
from apps.organizers.services import organizer_create
from apps.tenancy import services
from apps.tenancy.models import Domain, HostSettings
from apps.tenancy.tasks import verify_pending_custom_domains
from tests.dns_server import DnsZone, dns_server
from tests.factories import UserFactory
from tests.plans.factories import plan_build
from tests.tenants import ALPHA, BETA

HOST = ALPHA.host


@pytest.fixture
def zone(settings):
    """A DNS server on 127.0.0.1 that the verification asks, and nothing else."""
    records = DnsZone()
    with dns_server(records) as port:
        settings.DOMAIN_VERIFICATION_NAMESERVERS = ["127.0.0.1"]
        settings.DOMAIN_VERIFICATION_PORT = port
        settings.DOMAIN_VERIFICATION_TIMEOUT = 0.5
        yield records


@pytest.fixture
def park(alpha, beta):
    """Alpha's organizer A ("alpha-park", bound to ALPHA.organizer_host) on a plan with custom
    domains, configured by `config`, sold by `seller`; organizer B on a plan without,
    configured by `other`; and an organization admin."""
    with_domains = plan_build(slug="pro", custom_domain=True)
    without = plan_build(slug="basic", custom_domain=False)
    with schema_context(alpha.schema_name):
        a = organizer_create(name="Park A", slug=ALPHA.organizer_slug, currency="EUR", country="NL")
        b = organizer_create(name="Park B", slug="park-b", currency="EUR", country="NL")
        people = {
            "admin": UserFactory(email="admin@example.com", is_operator=True, is_admin=True),
            "config": UserFactory(email="config@example.com", is_operator=True),
            "seller": UserFactory(email="seller@example.com", is_operator=True),
            "other": UserFactory(email="other@example.com", is_operator=True),
        }
        operator_link(operator=people["config"], organizers=[a])
        operator_link(operator=people["seller"], distributions=[a.distributions.get(kind="box_office")])
        operator_link(operator=people["other"], organizers=[b])
    for organizer, plan in ((a, with_domains), (b, without)):
        billing_account_open(
            organization=alpha,
            organizer_id=organizer.pk,
            organizer_name=organizer.name,
            organizer_slug=organizer.slug,
            country="NL",
            plan=plan,
        )
    return SimpleNamespace(alpha=alpha, beta=beta, a=a, b=b, **people)


def _as(user) -> Client:
    client = Client()
    with schema_context(ALPHA.schema_name):  # the session lives in the organization's schema
        client.force_login(user)
    return client


def _add(client, organizer, domain):
    return client.post(f"/control/domains/organizers/{organizer.pk}/add/", {"domain": domain}, HTTP_HOST=HOST)


def _added(park, name="tickets.park-a.example") -> Domain:
    return services.custom_domain_add(
        organization=park.alpha, organizer_slug=park.a.slug, domain=name, actor=Actor(user=None)
    )


def _check(client, domain):
    return client.post(f"/control/domains/{domain.pk}/check/", HTTP_HOST=HOST)


def _fresh(domain) -> Domain:
    return Domain.objects.get(pk=domain.pk)


def _is_routed(host) -> bool:
    response = Client().get("/", HTTP_HOST=host)
    if response.status_code == 404:
        assert "tenancy/unknown_host.html" in [template.name for template in response.templates]
        return False
    assert response.status_code == 200
    return True


# --- adding ---------------------------------------------------------------------------


def test_adding_a_domain_shows_the_records_to_set_and_does_not_route_it_yet(park, zone):
    HostSettings.objects.update_or_create(
        pk=1, defaults={"name_servers": "ns1.platform.example\nns2.platform.example"}
    )
    client = _as(park.config)

    response = _add(client, park.a, "  Tickets.Park-A.example. ")

    assert response.status_code == 302
    domain = Domain.objects.get(domain="tickets.park-a.example")
    assert (domain.tenant_id, domain.organizer_slug, domain.is_custom) == (park.alpha.pk, "alpha-park", True)
    assert len(domain.verification_token) >= 32
    assert domain.verified_at is None
    page = client.get("/control/domains/", HTTP_HOST=HOST).content.decode()
    assert "Waiting for DNS" in page
    assert (
        "<td>CNAME</td><td><code>tickets.park-a.example</code></td><td><code>alpha-park.localhost</code>"
        in page
    )
    assert (
        f"<td>TXT</td><td><code>_tessera-verify.tickets.park-a.example</code></td>"
        f"<td><code>{domain.verification_token}</code>" in page
    )
    assert "ns1.platform.example" in page
    assert "ns2.platform.example" in page
    assert not _is_routed("tickets.park-a.example")
    with schema_context(ALPHA.schema_name):
        entry = AuditLogEntry.objects.get(action="custom_domain.added")
    assert (entry.actor_email, entry.target_repr) == ("config@example.com", "tickets.park-a.example")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Bücher.Example", "xn--bcher-kva.example"),
        ("www.club.example", "club.example"),  # www.<domain> routes as <domain>
        ("shop.club.example.", "shop.club.example"),
    ],
)
def test_domains_are_stored_as_routing_compares_them(park, typed, stored):
    assert (
        services.custom_domain_add(
            organization=park.alpha, organizer_slug=park.a.slug, domain=typed, actor=Actor(user=None)
        ).domain
        == stored
    )


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("https://club.example/", "Enter a host name only"),
        ("club example.com", "Enter a host name only"),
        ("-club.example", "Enter a host name only"),
        ("club_house.example", "Enter a host name only"),
        ("club", "Enter a domain you own"),
        ("10.0.0.7", "Enter a domain you own"),
        ("localhost", "Enter a domain you own"),
        ("shop.localhost", "shop.localhost belongs to the platform"),
        (ALPHA.organizer_host, f"{ALPHA.organizer_host} belongs to the platform"),
    ],
)
def test_bad_or_platform_domains_are_clear_form_errors(park, typed, message):
    response = _add(_as(park.config), park.a, typed)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Domain.objects.filter(is_custom=True).exists()


def test_the_stored_base_domain_and_its_subdomains_are_refused(
    park, django_capture_on_commit_callbacks, request
):
    from apps.platform.services.configuration import platform_settings_update

    request.addfinalizer(cache.clear)  # rolled back in the database: leave no other base domain cached
    with django_capture_on_commit_callbacks(execute=True):
        platform_settings_update(changes={"base_domain": "tickets.example.com"}, actor=Actor(user=None))
    client = _as(park.config)

    for typed in ("tickets.example.com", "Shop.Tickets.Example.com"):
        response = _add(client, park.a, typed)
        assert response.status_code == 400
        assert "belongs to the platform" in response.content.decode()
    assert _add(client, park.a, "example.com").status_code == 302  # the parent is someone's own


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("shop.beta.example", "shop.beta.example is already in use by a site."),
        ("Verified.Beta.example.", "verified.beta.example is already in use by a site."),
        ("www.club.example", "club.example was added by another site and waits for its DNS records"),
        ("mine.park-a.example", "mine.park-a.example is already on this page, waiting for its DNS records."),
    ],
    ids=["routed", "verified-elsewhere", "pending-elsewhere", "pending-here"],
)
def test_a_domain_known_anywhere_is_taken_with_a_clear_message(park, zone, typed, message):
    services.domain_add(organization=park.beta, domain="shop.beta.example")
    verified = services.custom_domain_add(
        organization=park.beta,
        organizer_slug=BETA.organizer_slug,
        domain="verified.beta.example",
        actor=Actor(user=None),
    )
    zone.txt["_tessera-verify.verified.beta.example"] = [verified.verification_token]
    services.custom_domain_verify(domain_id=verified.pk)
    services.custom_domain_add(
        organization=park.beta,
        organizer_slug=BETA.organizer_slug,
        domain="club.example",
        actor=Actor(user=None),
    )
    _added(park, "mine.park-a.example")

    response = _add(_as(park.config), park.a, typed)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert Domain.objects.filter(tenant=park.alpha, is_custom=True).count() == 1


def test_a_plan_without_custom_domains_refuses_and_the_page_explains(park):
    client = _as(park.admin)

    refused = _add(client, park.b, "park-b.example")
    page = client.get("/control/domains/", HTTP_HOST=HOST).content.decode()

    assert refused.status_code == 403
    assert not Domain.objects.filter(domain="park-b.example").exists()
    assert "The plan of Park B has no custom domains." in page
    assert "The plan of Park A" not in page
    assert page.count("Add a domain for") == 1  # A's form only


def test_a_feature_override_allows_custom_domains_regardless_of_plan(park):
    from apps.billing.models import BillingAccount

    BillingAccount.objects.filter(organizer_id=park.b.pk).update(custom_domain_override=True)

    assert _add(_as(park.other), park.b, "park-b.example").status_code == 302


def test_an_organizer_without_a_client_account_may_not_add_domains(park):
    from apps.billing.models import BillingAccount

    BillingAccount.objects.filter(organizer_id=park.a.pk).delete()

    assert _add(_as(park.admin), park.a, "park-a.example").status_code == 403


# --- verification against the DNS server ----------------------------------------------


def test_the_right_txt_record_verifies_and_routes_the_domain(park, zone):
    domain = _added(park)
    zone.txt["_tessera-verify.tickets.park-a.example"] = ["v=something-else", domain.verification_token]
    client = _as(park.config)

    response = _check(client, domain)

    assert response.status_code == 302
    assert response["Location"] == f"/control/domains/#domain-{domain.pk}"
    domain = _fresh(domain)
    assert domain.verified_at is not None
    assert domain.last_check_error == ""
    assert "_tessera-verify.tickets.park-a.example" in zone.queries
    message = client.get("/control/domains/", HTTP_HOST=HOST).content.decode()
    assert "tickets.park-a.example is verified" in message
    assert "Verified" in message
    storefront = Client().get("/", HTTP_HOST="tickets.park-a.example")
    assert storefront.status_code == 200
    assert storefront.wsgi_request.tenant.schema_name == ALPHA.schema_name
    assert storefront.context["organizer"].slug == park.a.slug  # A's storefront
    assert Client().get("/", HTTP_HOST="www.tickets.park-a.example").status_code == 200
    control = Client().get("/control/", HTTP_HOST="tickets.park-a.example")
    assert control.status_code == 302
    assert "/accounts/login/" in control["Location"]
    assert _as(park.config).get("/control/domains/", HTTP_HOST="tickets.park-a.example").status_code == 200


@pytest.mark.parametrize(
    ("arrange", "code", "message"),
    [
        (lambda zone, token: None, "nxdomain", "No DNS record named _tessera-verify.tickets.park-a.example"),
        (
            lambda zone, token: zone.names.add("_tessera-verify.tickets.park-a.example"),
            "no_txt",
            "_tessera-verify.tickets.park-a.example has no TXT record yet.",
        ),
        (
            lambda zone, token: zone.txt.update(
                {
                    "_tessera-verify.tickets.park-a.example": [
                        token[:-1] + ("y" if token.endswith("x") else "x")
                    ]
                }
            ),
            "wrong_value",
            "The TXT record of _tessera-verify.tickets.park-a.example does not hold this domain",
        ),
        (
            lambda zone, token: zone.silent.add("_tessera-verify.tickets.park-a.example"),
            "timeout",
            "The DNS servers did not answer in time",
        ),
    ],
    ids=["nxdomain", "no-txt", "wrong-token", "timeout"],
)
def test_a_failed_check_keeps_its_reason_and_time_and_does_not_route(park, zone, arrange, code, message):
    domain = _added(park)
    arrange(zone, domain.verification_token)
    client = _as(park.config)
    before = dt.datetime.now(dt.UTC)

    _check(client, domain)

    domain = _fresh(domain)
    assert domain.verified_at is None
    assert domain.last_check_error == code
    assert domain.last_checked_at >= before
    page = client.get("/control/domains/", HTTP_HOST=HOST).content.decode()
    assert "tickets.park-a.example is not verified yet" in page  # the message after the check
    assert "Not verified" in page
    assert "Last checked" in page
    assert page.count(message.replace("'", "&#x27;")) >= 2  # in the message and in the domain's row
    assert not _is_routed("tickets.park-a.example")


def test_a_check_that_later_succeeds_clears_the_reason(park, zone):
    domain = _added(park)
    services.custom_domain_verify(domain_id=domain.pk)
    zone.txt["_tessera-verify.tickets.park-a.example"] = [domain.verification_token]

    verified = services.custom_domain_verify(domain_id=domain.pk)

    assert verified.verified_at is not None
    assert verified.last_check_error == ""
    assert _is_routed("tickets.park-a.example")


def test_the_periodic_task_checks_every_organizations_pending_domains(park, zone):
    ready = _added(park, "ready.park-a.example")
    waiting = _added(park, "waiting.park-a.example")
    of_beta = services.custom_domain_add(
        organization=park.beta,
        organizer_slug=BETA.organizer_slug,
        domain="club.example",
        actor=Actor(user=None),
    )
    for domain in (ready, of_beta):
        zone.txt[f"_tessera-verify.{domain.domain}"] = [domain.verification_token]

    checked = verify_pending_custom_domains.delay(schema_name="public").get()

    assert checked == 3
    assert _fresh(ready).verified_at is not None
    assert _fresh(of_beta).verified_at is not None
    assert _fresh(waiting).verified_at is None
    assert _fresh(waiting).last_check_error == "nxdomain"
    assert Client().get("/", HTTP_HOST="club.example").wsgi_request.tenant.schema_name == BETA.schema_name
    zone.queries.clear()
    assert verify_pending_custom_domains.delay(schema_name="public").get() == 1  # the waiting one only
    assert zone.queries == ["_tessera-verify.waiting.park-a.example"]


def test_the_periodic_task_gives_up_on_domains_added_a_month_ago(park, zone):
    old = _added(park, "old.park-a.example")
    recent = _added(park, "recent.park-a.example")
    Domain.objects.filter(pk=old.pk).update(created_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=31))

    assert verify_pending_custom_domains.delay(schema_name="public").get() == 1
    assert zone.queries == [f"_tessera-verify.{recent.domain}"]
    assert _check(_as(park.config), old).status_code == 302  # "Check now" still asks
    assert zone.queries[-1] == f"_tessera-verify.{old.domain}"


def test_a_verified_domain_is_not_looked_up_again(park, zone):
    domain = _added(park)
    zone.txt["_tessera-verify.tickets.park-a.example"] = [domain.verification_token]
    services.custom_domain_verify(domain_id=domain.pk)
    zone.txt.clear()
    zone.queries.clear()

    assert services.custom_domain_verify(domain_id=domain.pk).verified_at is not None
    assert zone.queries == []
    assert _is_routed("tickets.park-a.example")


# --- removing ---------------------------------------------------------------------------


def test_removing_a_verified_domain_stops_routing(park, zone):
    domain = _added(park)
    zone.txt["_tessera-verify.tickets.park-a.example"] = [domain.verification_token]
    services.custom_domain_verify(domain_id=domain.pk)
    assert _is_routed("tickets.park-a.example")

    response = _as(park.config).post(f"/control/domains/{domain.pk}/remove/", HTTP_HOST=HOST)

    assert response.status_code == 302
    assert not Domain.objects.filter(pk=domain.pk).exists()
    assert not _is_routed("tickets.park-a.example")
    with schema_context(ALPHA.schema_name):
        assert AuditLogEntry.objects.get(action="custom_domain.removed").data["was_verified"] is True


def test_after_a_plan_change_the_domain_may_still_be_removed_but_not_checked(park, zone):
    from apps.billing.models import BillingAccount

    domain = _added(park)
    BillingAccount.objects.filter(organizer_id=park.a.pk).update(custom_domain_override=False)
    client = _as(park.config)

    assert _check(client, domain).status_code == 403
    page = client.get("/control/domains/", HTTP_HOST=HOST).content.decode()
    assert "The plan of Park A has no custom domains." in page
    assert "Check now" not in page
    assert client.post(f"/control/domains/{domain.pk}/remove/", HTTP_HOST=HOST).status_code == 302
    assert not Domain.objects.filter(pk=domain.pk).exists()


def test_the_platform_and_ordinary_hosts_route_as_before(park):
    assert Client().get("/", HTTP_HOST="localhost").wsgi_request.tenant.schema_name == "public"
    assert Client().get("/", HTTP_HOST=ALPHA.organizer_host).context["organizer"].slug == park.a.slug


def test_platform_admins_see_every_custom_domain_and_its_state_in_the_django_admin(park, zone):
    from tests.factories import totp_for

    pending = _added(park, "pending.park-a.example")
    services.custom_domain_verify(domain_id=pending.pk)
    with schema_context("public"):
        root = UserFactory(email="root@platform.example", is_staff=True, is_superuser=True)
        totp_for(root)
    client = Client()
    client.force_login(root)

    listing = client.get("/admin/tenancy/domain/?is_custom__exact=1", HTTP_HOST="localhost")
    detail = client.get(f"/admin/tenancy/domain/{pending.pk}/change/", HTTP_HOST="localhost")

    assert listing.status_code == 200
    assert "pending.park-a.example" in listing.content.decode()
    assert ALPHA.organizer_host not in listing.content.decode()  # not a custom domain
    assert detail.status_code == 200
    assert "No DNS record named _tessera-verify.pending.park-a.example exists yet." in detail.content.decode()


# --- release of names never verified -------------------------------------------------


def _added_days_ago(park, name, days, organization=None, organizer_slug=None) -> Domain:
    domain = services.custom_domain_add(
        organization=organization or park.alpha,
        organizer_slug=organizer_slug or park.a.slug,
        domain=name,
        actor=Actor(user=None),
    )
    Domain.objects.filter(pk=domain.pk).update(created_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=days))
    return _fresh(domain)


def test_beat_releases_a_name_left_unverified_past_the_delay_so_another_site_may_take_it(park, zone):
    from django.conf import settings

    squatted = _added_days_ago(park, "squatted.example", days=8)
    of_beta = _added_days_ago(
        park, "old-club.example", days=30, organization=park.beta, organizer_slug=BETA.organizer_slug
    )
    recent = _added_days_ago(park, "recent.park-a.example", days=6)
    verified = _added_days_ago(park, "verified.park-a.example", days=60)
    zone.txt[f"_tessera-verify.{verified.domain}"] = [verified.verification_token]
    services.custom_domain_verify(domain_id=verified.pk)
    task = "apps.tenancy.tasks.release_unverified_custom_domains"

    released = _release()

    assert task in {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert sorted(released) == ["old-club.example", "squatted.example"]
    assert not Domain.objects.filter(pk__in=[squatted.pk, of_beta.pk]).exists()
    assert Domain.objects.filter(pk__in=[recent.pk, verified.pk]).count() == 2
    with schema_context(ALPHA.schema_name):
        entry = AuditLogEntry.objects.get(action="custom_domain.released")
    assert (entry.target_repr, entry.data["organizer"], entry.data["days"]) == (
        "squatted.example",
        park.a.slug,
        7,
    )
    with schema_context(BETA.schema_name):
        assert AuditLogEntry.objects.filter(action="custom_domain.released", target_repr="old-club.example")
    taken = services.custom_domain_add(
        organization=park.beta,
        organizer_slug=BETA.organizer_slug,
        domain="squatted.example",
        actor=Actor(user=None),
    )
    assert taken.tenant_id == park.beta.pk
    assert _release() == []  # the new claim is fresh


def _release() -> list[str]:
    from apps.tenancy.tasks import release_unverified_custom_domains

    return release_unverified_custom_domains.delay(schema_name="public").get()


def test_the_release_delay_is_a_setting(park, settings):
    settings.CUSTOM_DOMAIN_RELEASE_DAYS = 2
    _added_days_ago(park, "three-days.park-a.example", days=3)
    _added_days_ago(park, "one-day.park-a.example", days=1)

    assert _release() == ["three-days.park-a.example"]


def test_the_page_says_when_an_unverified_domain_is_released(park):
    domain = _added_days_ago(park, "soon.park-a.example", days=1)
    release_at = domain.created_at + dt.timedelta(days=7)

    page = _as(park.config).get("/control/domains/", HTTP_HOST=HOST).content.decode()

    assert release_at == domain.release_at
    assert "it is removed and anyone may add it again" in page
