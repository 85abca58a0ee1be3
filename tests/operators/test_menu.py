"""The control panel's menu (apps.operators.menu, templates/base.html): grouped into Sell,
Events, Orders & customers, Reports and Settings, each role shown exactly the pages it may
use (a cashier: the box office, check-in and orders; not organizers, team or domains), the
current page marked, pages not built yet left out; the permission module's questions behind
it, per role; Django messages shown by their level."""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.urls.base import set_urlconf
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.operators import permissions
from apps.operators.menu import MENU, Entry, Section, control_menu
from apps.operators.models import SalePermission
from apps.organizers.services import organizer_create
from tests.factories import (
    ADMIN,
    ANONYMOUS,
    CONFIGURER,
    CUSTOMER,
    OTHER,
    SELLER,
    OperatorFactory,
    UserFactory,
    totp_for,
    world_build,
)
from tests.tenants import ALPHA, BETA

HOST = ALPHA.host
PEER = "configures A and sells at A's box office"
SUPPORT = "platform admin in a support session"
EMPTY_ADMIN = "organization admin of an organization without organizers"

SELL = ["box-office", "check-in", "home"]  # home: the online shop, for every operator
EVENTS = [
    "event-list",
    "location-list",
    "fee-rule-list",
    "control-vouchers",
    "control-tax-rules",
    "control-questions",
    "control-pass-types",
    "control-add-ons",
]
ORDERS = ["control-order-list", "control-customer-list", "control-exports", "control-invoices"]
REPORTS = ["control-dashboard", "control-reports"]  # several organizers: each one's ledger from there
SETTINGS = ["organizer-list", "team", "invitations", "custom-domains", "control-billing", "support-sessions"]
# Neither billing nor support sessions (organization admins'); the ledger and payments pages
# of the one organizer they configure ("organizer-payments:a": of A).
CONFIGURES_A = {
    "events": EVENTS,
    "orders": ORDERS,
    "reports": [*REPORTS, "control-ledger:a"],
    "settings": ["organizer-list", "organizer-payments:a", "team", "invitations", "custom-domains"],
}
CONFIGURES_B = {group: [name.replace(":a", ":b") for name in names] for group, names in CONFIGURES_A.items()}
EVERYTHING = {"sell": SELL, "events": EVENTS, "orders": ORDERS, "reports": REPORTS, "settings": SETTINGS}

# The pages each role finds in the menu, by group, before leaving out those not built yet.
MENUS = {
    ADMIN: EVERYTHING,
    SUPPORT: EVERYTHING,
    # No organizer yet: no page of what one configures per organizer (domains, reports).
    EMPTY_ADMIN: {
        **EVERYTHING,
        "reports": ["control-dashboard"],
        "settings": [name for name in SETTINGS if name != "custom-domains"],
    },
    CONFIGURER: {"sell": ["check-in", "home"], **CONFIGURES_A},  # sells nowhere: no box office
    OTHER: {"sell": ["check-in", "home"], **CONFIGURES_B},
    PEER: {"sell": SELL, **CONFIGURES_A},
    # The cashier: the buyers of their channels' orders too, not the organizers' settings.
    SELLER: {"sell": SELL, "orders": ["control-order-list", "control-customer-list", "control-invoices"]},
    CUSTOMER: {},  # not an operator: the 403 page, without a menu
}


@pytest.fixture
def world(alpha, beta):
    return world_build(alpha, beta)


def _support_client(alpha) -> Client:
    """Through the real door: a platform admin opens alpha's control panel in support mode."""
    with schema_context("public"):
        staff = UserFactory(email="staff@platform.example", full_name="Alice Martin", is_staff=True)
        totp_for(staff)
    platform = Client()
    platform.force_login(staff)
    response = platform.post(
        f"/platform/organizations/{alpha.pk}/support/",
        {"reason": "Ticket #7: the menu"},
        HTTP_HOST="localhost",
    )
    link = re.match(r"http://([^/]+)(/control/login/[^/]+/)$", response["Location"])
    assert link, response["Location"]
    tenant = Client(HTTP_HOST=link.group(1))
    assert tenant.get(link.group(2)).status_code == 302
    return tenant


def _client(world, role) -> Client:
    if role == SUPPORT:
        return _support_client(world.alpha)
    client = Client(HTTP_HOST=HOST)
    if role == ANONYMOUS:
        return client
    team = world.team
    if role == EMPTY_ADMIN:
        with schema_context(BETA.schema_name):
            client = Client(HTTP_HOST=BETA.host)
            client.force_login(OperatorFactory(email="boss@beta.example", is_admin=True))
        return client
    user = {
        ADMIN: team.admin,
        CONFIGURER: team.configurer,
        SELLER: team.seller,
        OTHER: team.other,
        PEER: team.peer,
        CUSTOMER: team.customer,
    }[role]
    with schema_context(ALPHA.schema_name):
        client.force_login(user)
    return client


def _resolving(url_names, world) -> list[str]:
    """The URLs of the pages that exist on an organization's host, in their order; "name:a"
    is the page of organizer A."""
    urls = []
    set_urlconf("config.urls_tenant")
    try:
        for name in url_names:
            name, _, organizer = name.partition(":")
            args = [getattr(world.team, organizer).pk] if organizer else []
            try:
                urls.append(reverse(name, args=args))
            except NoReverseMatch:
                continue
    finally:
        set_urlconf(None)
    return urls


def _expected(role, world) -> dict[str, list[str]]:
    shown = {group: _resolving(names, world) for group, names in MENUS[role].items()}
    return {group: urls for group, urls in shown.items() if urls}


class _MenuParser(HTMLParser):
    """The control menu of a page: {group key: [link URLs]}, group names, marked links."""

    def __init__(self):
        super().__init__()
        self.groups: dict[str, list[str]] = {}
        self.labels: dict[str, str] = {}
        self.current: list[str] = []
        self.current_groups: list[str] = []
        self._group: str | None = None
        self._in_summary = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "details" and attrs.get("data-menu-group") and attrs["data-menu-group"] != "account":
            self._group = attrs["data-menu-group"]
            self.groups[self._group] = []
        elif tag == "summary" and self._group:
            self._in_summary = True
            self.labels[self._group] = ""
            if "current" in (attrs.get("class") or "").split():
                self.current_groups.append(self._group)
        elif tag == "a" and self._group:
            self.groups[self._group].append(attrs["href"])
            if attrs.get("aria-current") == "page":
                self.current.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "details":
            self._group = None
        elif tag == "summary":
            self._in_summary = False

    def handle_data(self, data):
        if self._in_summary and self._group:
            self.labels[self._group] += data.strip()


def _menu(body: str) -> _MenuParser:
    parser = _MenuParser()
    parser.feed(body)
    return parser


# --- per role: exactly what it may use -----------------------------------------------------


@pytest.mark.parametrize("role", list(MENUS))
def test_each_role_finds_in_the_menu_exactly_the_pages_it_may_use(world, role):
    response = _client(world, role).get("/control/check-in/")

    assert response.status_code == (403 if role == CUSTOMER else 200)
    menu = _menu(response.content.decode())
    assert menu.groups == _expected(role, world)
    assert list(menu.groups) == [
        key for key in ("sell", "events", "orders", "reports", "settings") if key in menu.groups
    ]


def test_the_cashier_sees_the_box_office_check_in_and_orders_but_no_organizers_team_or_domains(world):
    body = _client(world, SELLER).get("/control/box-office/").content.decode()

    menu = _menu(body)
    links = [url for urls in menu.groups.values() for url in urls]
    assert {"/control/box-office/", "/control/check-in/"} <= set(links)
    for hidden in (
        "/control/organizers/",
        "/control/team/",
        "/control/domains/",
        "/control/invitations/",
        "/control/events/",
        "/control/locations/",
        "/control/fee-rules/",
        "/control/billing/",
    ):
        assert hidden not in links
        assert f'href="{hidden}"' not in body  # nowhere on the page's menu


def test_the_groups_are_named_for_what_one_does_there(world):
    menu = _menu(_client(world, ADMIN).get("/control/check-in/").content.decode())

    names = {
        "sell": "Sell",
        "events": "Events",
        "orders": "Orders & customers",
        "reports": "Reports",
        "settings": "Settings",
    }
    assert menu.labels == {key: name for key, name in names.items() if key in _expected(ADMIN, world)}


def test_the_menu_speaks_french(world):
    client = _client(world, ADMIN)
    client.cookies["django_language"] = "fr"
    body = client.get("/control/check-in/").content.decode()

    names = {
        "sell": "Vente",
        "events": "Événements",
        "orders": "Commandes et clients",
        "reports": "Rapports",
        "settings": "Paramètres",
    }
    assert _menu(body).labels == {key: name for key, name in names.items() if key in _expected(ADMIN, world)}
    assert ">Billetterie sur place</a>" in body


def test_the_menu_is_the_same_on_every_control_page(world):
    client = _client(world, CONFIGURER)

    menus = [
        _menu(client.get(path).content.decode()).groups
        for path in ("/control/", "/control/events/", "/control/team/")
    ]

    assert menus[0] == menus[1] == menus[2] == _expected(CONFIGURER, world)


def test_the_page_one_is_on_is_marked_and_so_is_its_group(world):
    client = _client(world, ADMIN)

    on_list = _menu(client.get("/control/events/").content.decode())
    on_new = _menu(client.get("/control/events/new/").content.decode())  # under "All events"
    on_dashboard = _menu(client.get("/control/").content.decode())

    assert on_list.current == ["/control/events/"]
    assert on_list.current_groups == ["events"]
    assert on_new.current == ["/control/events/"]
    assert on_new.current_groups == ["events"]
    assert on_dashboard.current == ["/control/"]
    assert on_dashboard.current_groups == ["reports"]


def test_the_storefront_keeps_its_own_nav(world):
    body = _client(world, SELLER).get("/").content.decode()

    assert "data-menu-group" not in body
    assert 'href="/control/">Control panel</a>' in body  # an operator's way back


def test_an_organization_of_one_organizer_finds_its_payments_in_the_settings(world):
    client = _client(world, EMPTY_ADMIN)
    assert "/payments/" not in client.get("/control/check-in/").content.decode()  # no organizer yet
    with schema_context(BETA.schema_name):
        park = organizer_create(name="Beta park", slug="beta-park", currency="EUR", country="BE")

    menu = _menu(client.get("/control/check-in/").content.decode())

    assert f"/control/organizers/{park.pk}/payments/" in menu.groups["settings"]


# --- the menu's table: pages not built yet are left out ------------------------------------


def test_a_page_whose_url_does_not_exist_is_left_out_and_an_empty_group_with_it(world):
    menu = (
        Section(
            "sell",
            "Sell",
            (
                Entry("check-in", "Check-in", permissions.can_see_orders),
                Entry("no-such-page", "Soon", permissions.can_see_orders),
            ),
        ),
        Section("later", "Later", (Entry("not-built-yet", "Not yet", permissions.can_see_orders),)),
    )
    set_urlconf("config.urls_tenant")
    try:
        with schema_context(ALPHA.schema_name):
            groups = control_menu(world.team.seller, "/control/check-in/", menu)
    finally:
        set_urlconf(None)

    assert [
        (group.key, [(str(link.label), link.url, link.current) for link in group.links]) for group in groups
    ] == [("sell", [("Check-in", "/control/check-in/", True)])]


def test_every_page_of_the_menu_is_named_once_and_asks_the_permission_module():
    names = [entry.url_name for section in MENU for entry in section.entries]

    assert len(names) == len(set(names))
    assert [section.key for section in MENU] == ["sell", "events", "orders", "reports", "settings"]
    for section in MENU:
        for entry in section.entries:
            assert entry.check.__module__ == "apps.operators.permissions", entry.url_name


@pytest.mark.parametrize("role", [SELLER, PEER])
def test_the_menu_takes_a_few_queries_however_many_organizers_and_channels(
    world, role, django_assert_num_queries, django_assert_max_num_queries
):
    set_urlconf("config.urls_tenant")
    user = world.team.seller if role == SELLER else world.team.peer
    try:
        with schema_context(ALPHA.schema_name):
            control_menu(user, "/control/")  # the first call may load what any page loads
            with django_assert_max_num_queries(7) as few:  # at most: each question asked once
                control_menu(user, "/control/")
            for n in range(3):
                more = organizer_create(name=f"More {n}", slug=f"more-{n}", currency="EUR", country="NL")
                OperatorFactory(email=f"more{n}@example.com", configures=[more])
                SalePermission.objects.create(operator=user, distribution=more.distributions.first())
            with django_assert_num_queries(len(few.captured_queries)):
                control_menu(user, "/control/")
    finally:
        set_urlconf(None)


# --- the permission module's questions, per role -------------------------------------------

QUESTIONS = {
    # role: (configures some organizer, configures an existing one, sells somewhere, sees
    # orders, manages billing, the organizer it configures alone)
    ADMIN: (True, True, True, True, True, None),  # alpha has two organizers
    EMPTY_ADMIN: (True, False, True, True, True, None),
    CONFIGURER: (True, True, False, True, False, "a"),
    OTHER: (True, True, False, True, False, "b"),
    PEER: (True, True, True, True, False, "a"),
    SELLER: (False, False, True, True, False, None),
    CUSTOMER: (False, False, False, False, False, None),
    ANONYMOUS: (False, False, False, False, False, None),
}


@pytest.mark.parametrize(("role", "answers"), list(QUESTIONS.items()))
def test_which_control_pages_one_works_in_per_role(world, role, answers):
    team = world.team
    schema = ALPHA.schema_name
    if role == EMPTY_ADMIN:
        schema = BETA.schema_name
        with schema_context(schema):
            user = OperatorFactory(email="boss@beta.example", is_admin=True)
    else:
        user = {
            ADMIN: team.admin,
            CONFIGURER: team.configurer,
            OTHER: team.other,
            PEER: team.peer,
            SELLER: team.seller,
            CUSTOMER: team.customer,
            ANONYMOUS: None,
        }[role]
    *questions, alone = answers
    with schema_context(schema):
        assert [
            permissions.can_configure_some_organizer(user),
            permissions.configures_an_organizer(user),
            permissions.can_sell_somewhere(user),
            permissions.can_see_orders(user),
            permissions.can_manage_billing(user),
        ] == questions
        assert permissions.organizer_configured_alone_by(user) == (getattr(team, alone) if alone else None)


def test_an_operator_whose_links_are_gone_works_nowhere(world):
    with schema_context(ALPHA.schema_name):
        former = OperatorFactory(email="former@example.com")  # an operator without any link
        assert not permissions.can_configure_some_organizer(former)
        assert not permissions.configures_an_organizer(former)
        assert permissions.organizer_configured_alone_by(former) is None
        assert not permissions.can_sell_somewhere(former)
        assert not permissions.can_see_orders(former)


def test_a_session_of_one_organization_shows_no_menu_on_its_twin(world):
    """beta's twin team has alpha's ids; alpha's cashier's session means nothing on beta's
    host, and beta's own cashier gets beta's cashier menu."""
    twin = world.beta_twin()
    alpha_cashier = _client(world, SELLER)
    beta_cashier = Client(HTTP_HOST=BETA.host)
    with schema_context(BETA.schema_name):
        beta_cashier.force_login(twin.seller)

    elsewhere = alpha_cashier.get("/control/check-in/", HTTP_HOST=BETA.host)
    at_home = _menu(beta_cashier.get("/control/check-in/").content.decode())

    assert elsewhere.status_code == 302
    assert elsewhere["Location"].startswith("/accounts/login/")
    assert at_home.groups == _expected(SELLER, world)


def test_a_platform_user_is_no_operator_of_any_organization(world):
    with schema_context("public"):
        platform_user = User.objects.get(email="user@platform.test")
        assert not permissions.can_configure_some_organizer(platform_user)
        assert not permissions.can_sell_somewhere(platform_user)
        assert not permissions.can_see_orders(platform_user)


# --- messages by level ------------------------------------------------------------------------


def test_a_success_message_looks_like_success_and_an_error_like_an_error(world):
    client = _client(world, CONFIGURER)

    sent = client.post(
        "/control/invitations/", {"email": "new@example.com", "organizers": [world.team.a.pk]}, follow=True
    )
    with schema_context(ALPHA.schema_name):
        invitation = world.team.invitation_a
        invitation.refresh_from_db()
    client.post(f"/control/invitations/{invitation.pk}/revoke/")
    refused = client.post(f"/control/invitations/{invitation.pk}/revoke/", follow=True)  # already withdrawn

    body = sent.content.decode()
    assert re.search(
        r'<p class="message message-success" role="status">Invitation sent to new@example.com.</p>', body
    )
    assert "message-warning" not in body
    error = re.search(r'<p class="message message-error" role="alert">([^<]+)</p>', refused.content.decode())
    assert error, refused.content.decode()[:2000]
