"""The control panel's service fee pages (/control/fee-rules/): the rules in force and which
applies where, with an example priced as orders are; creating, changing and deleting rules;
form errors instead of 500s; who may do what, per role; and nothing of another
organization (twin tenants with the same ids) is ever seen or changed."""

from decimal import Decimal

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from apps.core.audit import Actor
from apps.core.models import AuditLogEntry
from apps.events import services as events
from apps.operators.permissions import Action, can
from apps.sales import selectors
from apps.sales.models import FeeRule, Order
from apps.sales.selectors import fee_rules_for
from apps.sales.services.fees import fee_rule_save
from apps.sales.services.orders import OrderLine, order_create
from tests.factories import (
    ADMIN,
    ANONYMOUS,
    CONFIGURER,
    CUSTOMER,
    OTHER,
    SELLER,
    programme_build,
    role_matrix,
    twin_sequences,
    world_build,
)
from tests.sales.helpers import in_alpha
from tests.sales.roles import OUTSIDERS, client_for, expect
from tests.tenants import ALPHA, BETA

SYSTEM = Actor(user=None)


@pytest.fixture
def world(alpha, beta):
    """alpha's Team and Programme; fee rules share ids with beta's (built by `twin_rules`)."""
    world = world_build(alpha, beta)
    with schema_context(ALPHA.schema_name):
        world.programme = programme_build(world.team)
    twin_sequences(ALPHA.schema_name, BETA.schema_name, tables=("sales_feerule",))
    return world


def _rule(**fields) -> FeeRule:
    return fee_rule_save(actor=SYSTEM, **fields)


@pytest.fixture
def rules(world):
    """alpha's rules: the organization's (1.00 per ticket), A's (0.50 + 10 %), and the concert's
    own (2.5 %, absorbed by the organizer)."""
    with schema_context(ALPHA.schema_name):
        return {
            "organization": _rule(name="ALPHA house fee", fixed=Decimal("1.00")),
            "organizer": _rule(
                organizer=world.team.a, name="ALPHA-A fee", fixed=Decimal("0.50"), percent=Decimal("10")
            ),
            "event": _rule(
                event=world.programme.concert,
                name="ALPHA-A concert fee",
                percent=Decimal("2.5"),
                paid_by=FeeRule.PaidBy.ORGANIZER,
            ),
        }


# --- the permission module -------------------------------------------------------------------


FEES_PAGE = {ADMIN: True, CONFIGURER: True, SELLER: False, OTHER: True, CUSTOMER: False, ANONYMOUS: False}
A_RULES = {ADMIN: True, CONFIGURER: True, SELLER: False, OTHER: False, CUSTOMER: False, ANONYMOUS: False}
ORGANIZATION_RULE = {
    ADMIN: True,
    CONFIGURER: False,
    SELLER: False,
    OTHER: False,
    CUSTOMER: False,
    ANONYMOUS: False,
}


def _user(world, role):
    team = world.team
    return {
        ADMIN: team.admin,
        CONFIGURER: team.configurer,
        SELLER: team.seller,
        OTHER: team.other,
        CUSTOMER: team.customer,
        ANONYMOUS: None,
    }[role]


@pytest.mark.parametrize("role", list(FEES_PAGE))
def test_the_permission_module_says_who_configures_which_fees(world, rules, role):
    user = _user(world, role)
    with schema_context(ALPHA.schema_name):
        assert can(user, Action.CONFIGURE_FEES) == FEES_PAGE[role]
        for obj in (world.team.a, world.programme.concert, rules["organizer"], rules["event"]):
            assert can(user, Action.CONFIGURE_FEES, obj) == A_RULES[role], obj
        assert can(user, Action.CONFIGURE_FEES, world.team.b) == (role in (ADMIN, OTHER))
        assert can(user, Action.CONFIGURE_FEES, rules["organization"]) == ORGANIZATION_RULE[role]
        assert can(user, Action.CONFIGURE_FEES, FeeRule()) == ORGANIZATION_RULE[role]


def test_the_permission_module_gives_no_fees_outside_an_organization(world, rules):
    with schema_context("public"):  # the platform host: no control panel, no fees
        assert not can(world.platform_admin, Action.CONFIGURE_FEES)
        assert not can(world.team.admin, Action.CONFIGURE_FEES)
    with schema_context(ALPHA.schema_name):
        assert not can(world.platform_admin, Action.CONFIGURE_FEES, rules["organization"])


# --- who may see and change what, per role ---------------------------------------------------


PAGE = {ADMIN: 200, CONFIGURER: 200, SELLER: 403, OTHER: 200, **OUTSIDERS}


@role_matrix(PAGE)
def test_the_fee_rules_page(world, rules, role, expected):
    response = client_for(world, role).get("/control/fee-rules/")

    expect(response, expected)
    body = response.content.decode()
    assert ("ALPHA house fee" in body) == (expected == 200)  # the organization's: seen by all who may open
    assert ("ALPHA-A fee" in body) == (role in (ADMIN, CONFIGURER))
    assert ("ALPHA-A concert fee" in body) == (role in (ADMIN, CONFIGURER))
    assert ("ALPHA-B Gala" in body) == (role in (ADMIN, OTHER))
    if role == OTHER:
        assert "ALPHA-A" not in body
    if role == CONFIGURER:
        assert "ALPHA-B" not in body
        edit_house = f"/control/fee-rules/{rules['organization'].pk}/edit/"
        assert edit_house not in body  # seen, but changed by organization admins only
        assert f"/control/fee-rules/{rules['organizer'].pk}/edit/" in body


NAV = {ADMIN: True, CONFIGURER: True, SELLER: False, OTHER: True}


@pytest.mark.parametrize(("role", "shown"), list(NAV.items()))
def test_the_navigation_links_the_page_for_whoever_may_open_it(world, role, shown):
    response = client_for(world, role).get("/control/check-in/")

    assert response.status_code == 200
    assert ('href="/control/fee-rules/"' in response.content.decode()) == shown


CREATE_EVENT_RULE = {ADMIN: 302, CONFIGURER: 302, SELLER: 403, OTHER: 400, **OUTSIDERS}


@role_matrix(CREATE_EVENT_RULE)
def test_creating_a_rule_for_an_event_of_a(world, role, expected):
    response = client_for(world, role).post(
        "/control/fee-rules/new/",
        {
            "level": "event",
            "event": world.programme.workshop.pk,
            "name": "Workshop fee",
            "fixed": "0.75",
            "percent": "0",
            "paid_by": "buyer",
        },
    )

    expect(response, expected)
    created = in_alpha(lambda: list(FeeRule.objects.filter(event=world.programme.workshop)))
    assert len(created) == (1 if expected == 302 else 0)
    if created:
        assert created[0].organizer_id == world.team.a.pk  # an event's rule is its organizer's
        assert (created[0].fixed, created[0].percent) == (Decimal("0.75"), Decimal("0"))
    if role == OTHER:  # the event is not among its choices: a form error, no leak of the name
        assert "Select a valid choice" in response.content.decode()


CHANGE_A_RULE = {ADMIN: 302, CONFIGURER: 302, SELLER: 403, OTHER: 404, **OUTSIDERS}


@role_matrix(CHANGE_A_RULE)
def test_editing_a_rule_of_organizer_a(world, rules, role, expected):
    rule = rules["organizer"]
    client = client_for(world, role)

    page = client.get(f"/control/fee-rules/{rule.pk}/edit/")
    response = client.post(
        f"/control/fee-rules/{rule.pk}/edit/",
        {"name": "Changed", "fixed": "0.60", "percent": "5", "paid_by": "organizer"},
    )

    expect(page, 200 if expected == 302 else expected)
    expect(response, expected)
    saved = in_alpha(lambda: FeeRule.objects.get(pk=rule.pk))
    changed = (saved.name, saved.fixed, saved.percent, saved.paid_by) == (
        "Changed",
        Decimal("0.60"),
        Decimal("5"),
        "organizer",
    )
    assert changed == (expected == 302)


@role_matrix(CHANGE_A_RULE)
def test_deleting_a_rule_of_organizer_a(world, rules, role, expected):
    rule = rules["organizer"]
    client = client_for(world, role)

    confirmation = client.get(f"/control/fee-rules/{rule.pk}/delete/")
    still_there = in_alpha(lambda: FeeRule.objects.filter(pk=rule.pk).exists())
    response = client.post(f"/control/fee-rules/{rule.pk}/delete/")

    expect(confirmation, 200 if expected == 302 else expected)
    assert still_there  # asking is not deleting
    expect(response, expected)
    assert in_alpha(lambda: FeeRule.objects.filter(pk=rule.pk).exists()) == (expected != 302)


ORGANIZATION_RULE_CHANGE = {ADMIN: 302, CONFIGURER: 403, SELLER: 403, OTHER: 403, **OUTSIDERS}


@role_matrix(ORGANIZATION_RULE_CHANGE)
def test_only_organization_admins_change_the_organizations_rule(world, rules, role, expected):
    rule = rules["organization"]
    client = client_for(world, role)

    edited = client.post(
        f"/control/fee-rules/{rule.pk}/edit/", {"name": "X", "fixed": "2", "percent": "0", "paid_by": "buyer"}
    )
    deleted = client.post(f"/control/fee-rules/{rule.pk}/delete/")

    expect(edited, expected)
    expect(deleted, expected)
    assert in_alpha(lambda: FeeRule.objects.filter(pk=rule.pk).exists()) == (expected != 302)


CREATE_ORGANIZATION_RULE = {ADMIN: 302, CONFIGURER: 400, SELLER: 403, OTHER: 400, **OUTSIDERS}


@role_matrix(CREATE_ORGANIZATION_RULE)
def test_only_organization_admins_create_the_organizations_rule(world, role, expected):
    response = client_for(world, role).post(
        "/control/fee-rules/new/",
        {"level": "organization", "name": "House", "fixed": "1", "percent": "0", "paid_by": "buyer"},
    )

    expect(response, expected)
    exists = in_alpha(lambda: FeeRule.objects.filter(organizer=None, event=None).exists())
    assert exists == (expected == 302)


# --- the list: rules in force, which applies where, examples ---------------------------------


def test_the_page_shows_which_rule_applies_to_each_event_with_an_example(world, rules):
    body = client_for(world, ADMIN).get("/control/fee-rules/").content.decode()

    in_force = body[body.index("Which rule applies to each event") :]
    rows = {
        name: in_force[in_force.index(name) : in_force.index("</tr>", in_force.index(name))]
        for name in ("ALPHA-A Concert", "ALPHA-A Workshop", "ALPHA-B Gala")
    }
    # The event's own rule wins over its organizer's, which wins over the organization's.
    assert "ALPHA-A concert fee" in rows["ALPHA-A Concert"]
    assert "the event's own" in rows["ALPHA-A Concert"]
    assert "€10.00 → the buyer pays €10.00, the organizer gets €9.75 (fee €0.25 absorbed)" in rows[
        "ALPHA-A Concert"
    ].replace("&#x27;", "'")
    assert "ALPHA-A fee" in rows["ALPHA-A Workshop"]
    assert "€10.00 → the buyer pays €11.50, fee €1.50" in rows["ALPHA-A Workshop"]
    assert "ALPHA house fee" in rows["ALPHA-B Gala"]
    assert "€10.00 → the buyer pays €11.00, fee €1.00" in rows["ALPHA-B Gala"]


def test_the_page_follows_fee_rules_for_through_its_selector(world, rules):
    with schema_context(ALPHA.schema_name):
        concert, gala = world.programme.concert, world.programme.gala
        from apps.events.models import Event

        listed = selectors.fees_in_force(
            Event.objects.select_related("organizer").filter(pk__in=[concert.pk, gala.pk])
        )
        by_event = {item.event.pk: item for item in listed}
        for organizer, event in ((world.team.a, concert), (world.team.b, gala)):
            assert by_event[event.pk].rule == fee_rules_for(organizer, {event.pk})[event.pk]
        assert (by_event[concert.pk].level, by_event[gala.pk].level) == ("event", "organization")


def test_the_example_is_what_an_order_charges(world, rules):
    """A ticket at 10.00 of the online event (A's rule): the page's example and a real order agree."""
    programme = world.programme
    with schema_context(ALPHA.schema_name):
        events.event_publish(event=programme.online)
        order = order_create(
            distribution=world.team.a_shop,
            lines=[OrderLine(ticket_type=programme.online_ticket, quantity=1)],
            email="buyer@example.com",
            payment_method=Order.PaymentMethod.STRIPE,
        )
        example = selectors.fee_example(rules["organizer"], "EUR")

    body = client_for(world, ADMIN).get("/control/fee-rules/").content.decode()

    assert programme.online_ticket.price == example.price == Decimal("10.00")
    assert (
        (order.fee_total, order.total)
        == (example.fee, example.buyer_pays)
        == (Decimal("1.50"), Decimal("11.50"))
    )
    row = body[body.index("ALPHA-A Online only") :]
    assert "€10.00 → the buyer pays €11.50, fee €1.50" in row[: row.index("</tr>")]


def test_examples_use_the_currencys_exponent(world):
    with schema_context(ALPHA.schema_name):
        from apps.organizers.services import organizer_create

        yen = organizer_create(name="ALPHA Yen", slug="yen", currency="JPY", country="JP")
        world.team.configurer.configuration_permissions.create(organizer=yen)
        _rule(organizer=yen, name="Yen fee", fixed=Decimal("30"), percent=Decimal("3.33"))

    body = client_for(world, CONFIGURER).get("/control/fee-rules/").content.decode()

    row = body[body.index("Yen fee") :]
    row = row[: row.index("</tr>")]
    assert "¥30" in row  # the fixed part, no decimals
    assert "¥10 → the buyer pays ¥40, fee ¥30" in row  # 30 + 3.33 % of 10 = 30.333 → 30


def test_the_list_takes_the_same_number_of_queries_with_more_rules_and_events(
    world, rules, django_assert_num_queries, django_assert_max_num_queries
):
    client = client_for(world, ADMIN)
    client.get("/control/fee-rules/")  # the session's first request loads more
    with django_assert_max_num_queries(20) as few:
        assert client.get("/control/fee-rules/").status_code == 200
    with schema_context(ALPHA.schema_name):
        programme = world.programme
        for n in range(5):
            event = events.event_create(organizer=world.team.a, location=programme.arena, name=f"More {n}")
            _rule(event=event, fixed=Decimal("0.10"))
        _rule(organizer=world.team.b, fixed=Decimal("0.20"))

    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get("/control/fee-rules/")

    assert response.content.decode().count("/edit/") >= 9


def test_empty_page_says_there_is_no_fee(world):
    body = client_for(world, CONFIGURER).get("/control/fee-rules/").content.decode()

    assert "No fee rules yet" in body
    assert body.count("No fee") >= 4  # each of A's three events: no fee


# --- create, edit, delete through the services, with their audit -----------------------------


def test_an_operator_creates_edits_and_deletes_an_organizer_rule_with_audit(world):
    client = client_for(world, CONFIGURER)
    team = world.team

    form = client.get("/control/fee-rules/new/")
    created = client.post(
        "/control/fee-rules/new/",
        {
            "level": "organizer",
            "organizer": team.a.pk,
            "name": "A fee",
            "fixed": "0.99",
            "percent": "1.5",
            "paid_by": "buyer",
        },
        follow=True,
    )
    rule = in_alpha(lambda: FeeRule.objects.get(organizer=team.a, event=None))
    edited = client.post(
        f"/control/fee-rules/{rule.pk}/edit/",
        {"name": "A fee", "fixed": "1.20", "percent": "0", "paid_by": "organizer"},
        follow=True,
    )
    deleted = client.post(f"/control/fee-rules/{rule.pk}/delete/", follow=True)

    body = form.content.decode()
    assert "ALPHA-A" in body  # A's organizer and events only
    assert "ALPHA-B" not in body
    assert 'value="organization"' not in body  # the organization's rule is for admins
    assert "Fee rule for the organizer ALPHA-A saved." in created.content.decode()
    assert "€10.00 → the buyer pays €11.14, fee €1.14" in created.content.decode()  # 0.99 + 0.15
    assert "Fee rule for the organizer ALPHA-A saved." in edited.content.decode()
    assert "Fee rule for the organizer ALPHA-A deleted." in deleted.content.decode()
    assert not in_alpha(lambda: FeeRule.objects.exists())
    actions = in_alpha(
        lambda: list(
            AuditLogEntry.objects.filter(action__startswith="fee_rule.")
            .order_by("pk")
            .values_list("action", "actor__email", "target_id")
        )
    )
    assert actions == [
        ("fee_rule.created", "configurer@example.com", str(rule.pk)),
        ("fee_rule.changed", "configurer@example.com", str(rule.pk)),
        ("fee_rule.deleted", "configurer@example.com", str(rule.pk)),
    ]


def test_the_edit_form_shows_what_the_rule_is_set_on_and_its_values(world, rules):
    body = client_for(world, CONFIGURER).get(f"/control/fee-rules/{rules['event'].pk}/edit/").content.decode()

    assert "Set on the event “ALPHA-A Concert”." in body
    assert 'name="level"' not in body  # a rule never changes what it is set on
    assert 'name="fixed" value="0.00"' in body  # EUR's two decimals
    assert 'name="percent" value="2.50"' in body
    assert 'value="organizer" id="id_paid_by_1" required checked' in body
    assert "Fixed amount per ticket (EUR)" in body


def test_a_link_from_an_event_preselects_it(world):
    concert = world.programme.concert
    body = client_for(world, CONFIGURER).get(f"/control/fee-rules/new/?event={concert.pk}").content.decode()

    assert f'<option value="{concert.pk}" selected>ALPHA-A Concert</option>' in body
    assert 'value="event" id="id_level_1" required checked' in body


# --- bad input: form errors, never a 500 -----------------------------------------------------


def _post_new(client, **fields):
    data = {"level": "organizer", "name": "Fee", "fixed": "0", "percent": "0", "paid_by": "buyer"} | fields
    return client.post("/control/fee-rules/new/", {k: v for k, v in data.items() if v is not None})


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"fixed": "-1"}, "fixed", "greater than or equal to 0"),
        ({"percent": "-0.5"}, "percent", "greater than or equal to 0"),
        ({"percent": "100.01"}, "percent", "less than or equal to 100"),
        ({"percent": "2.555"}, "percent", "no more than 2 decimal places"),
        ({"fixed": "0.005"}, "fixed", "EUR amounts have at most 2 decimals."),
        ({"fixed": "abc"}, "fixed", "Enter a number."),
        ({"paid_by": "nobody"}, "paid_by", "Select a valid choice"),
        ({"name": ""}, "name", "This field is required."),
        ({"organizer": None}, "organizer", "Choose the organizer whose events the rule is for."),
        ({"level": "event", "organizer": None}, "event", "Choose the event the rule is for."),
        ({"level": "galaxy"}, "level", "Select a valid choice"),
    ],
)
def test_bad_input_is_a_form_error(world, fields, field, message):
    client = client_for(world, CONFIGURER)
    fields.setdefault("organizer", world.team.a.pk)

    response = _post_new(client, **fields)

    assert response.status_code == 400
    body = response.content.decode()
    assert message in body.replace("&#x27;", "'")
    assert 'role="alert"' in body  # the error summary
    assert f'href="#id_{field}' in body  # links to the field in error
    assert f'id="id_{field}_error"' in body
    assert not in_alpha(lambda: FeeRule.objects.exists())


def test_decimals_follow_the_organizers_currency(world):
    with schema_context(ALPHA.schema_name):
        from apps.organizers.services import organizer_create

        yen = organizer_create(name="ALPHA Yen", slug="yen", currency="JPY", country="JP")
    client = client_for(world, ADMIN)

    yen_cents = _post_new(client, organizer=yen.pk, fixed="0.5")
    euro_cents = _post_new(client, organizer=world.team.a.pk, fixed="0.5")
    house = _post_new(client, level="organization", fixed="0.5")  # read in EUR and in JPY

    assert yen_cents.status_code == 400
    assert "JPY amounts have at most 0 decimals." in yen_cents.content.decode()
    assert euro_cents.status_code == 302
    assert house.status_code == 400
    assert "JPY amounts have at most 0 decimals." in house.content.decode()


def test_editing_checks_the_decimals_too(world, rules):
    client = client_for(world, CONFIGURER)

    response = client.post(
        f"/control/fee-rules/{rules['organizer'].pk}/edit/",
        {"name": "ALPHA-A fee", "fixed": "0.123", "percent": "101", "paid_by": "buyer"},
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert "EUR amounts have at most 2 decimals." in body
    assert "less than or equal to 100" in body
    assert "Edit a fee rule" in body
    assert in_alpha(lambda: FeeRule.objects.get(pk=rules["organizer"].pk).fixed) == Decimal("0.50")


def test_an_event_of_another_organizer_is_a_form_error(world):
    response = _post_new(
        client_for(world, ADMIN), level="event", organizer=world.team.a.pk, event=world.programme.gala.pk
    )

    assert response.status_code == 400
    assert "“ALPHA-B Gala” is an event of ALPHA-B, not of ALPHA-A." in response.content.decode()
    assert not in_alpha(lambda: FeeRule.objects.exists())


def test_an_event_that_does_not_exist_is_a_form_error(world):
    response = _post_new(client_for(world, CONFIGURER), level="event", organizer=None, event="999999")

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.parametrize("level", ["organization", "organizer", "event"])
def test_a_second_rule_on_the_same_target_is_a_form_error(world, rules, level):
    fields = {
        "organization": {"level": "organization"},
        "organizer": {"level": "organizer", "organizer": world.team.a.pk},
        "event": {"level": "event", "event": world.programme.concert.pk},
    }[level]

    response = _post_new(client_for(world, ADMIN), **fields)

    assert response.status_code == 400
    assert "There is already a fee rule for this; change that one instead." in response.content.decode()
    assert in_alpha(lambda: FeeRule.objects.count()) == 3


def test_unknown_or_malformed_rule_ids_are_404(world, rules):
    client = client_for(world, ADMIN)

    assert client.get("/control/fee-rules/999999/edit/").status_code == 404
    assert client.post("/control/fee-rules/999999/delete/").status_code == 404
    assert client.get("/control/fee-rules/new/?event=abc").status_code == 200
    assert client.get("/control/fee-rules/new/?event=²").status_code == 200  # not int's digit
    assert client.get("/control/fee-rules/?page=abc").status_code == 200


# --- tenant isolation: twin organizations with the same ids ----------------------------------


def test_another_organizations_rules_are_never_seen_or_changed(world, rules):
    """beta's twin has the same ids; its rule shares the id of alpha's organization-wide one."""
    twin = world.beta_twin()
    with schema_context(BETA.schema_name):
        beta_rule = _rule(name="BETA house fee", fixed=Decimal("3.00"))
    assert beta_rule.pk == rules["organization"].pk
    only_in_alpha = rules["organizer"].pk
    beta = Client(HTTP_HOST=BETA.host)
    with schema_context(BETA.schema_name):
        beta.force_login(twin.admin)

    beta_page = beta.get("/control/fee-rules/").content.decode()
    alpha_page = client_for(world, ADMIN).get("/control/fee-rules/").content.decode()
    answers = [
        beta.get(f"/control/fee-rules/{only_in_alpha}/edit/").status_code,
        beta.post(
            f"/control/fee-rules/{only_in_alpha}/edit/",
            {"name": "X", "fixed": "9", "percent": "0", "paid_by": "buyer"},
        ).status_code,
        beta.get(f"/control/fee-rules/{only_in_alpha}/delete/").status_code,
        beta.post(f"/control/fee-rules/{only_in_alpha}/delete/").status_code,
    ]
    same_id = beta.post(
        f"/control/fee-rules/{beta_rule.pk}/edit/",
        {"name": "BETA house fee", "fixed": "4.00", "percent": "0", "paid_by": "buyer"},
    )

    assert "BETA house fee" in beta_page
    assert "ALPHA" not in beta_page
    assert "BETA" not in alpha_page
    assert answers == [404, 404, 404, 404]
    assert same_id.status_code == 302  # beta's own rule, in beta's schema
    with schema_context(ALPHA.schema_name):
        assert FeeRule.objects.filter(pk=only_in_alpha).exists()
        assert FeeRule.objects.get(pk=rules["organization"].pk).fixed == Decimal("1.00")
    with schema_context(BETA.schema_name):
        assert FeeRule.objects.get(pk=beta_rule.pk).fixed == Decimal("4.00")
