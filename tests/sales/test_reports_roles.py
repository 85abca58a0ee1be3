"""Who opens the report, the ledger and an event's sales page, and which figures each shows:
an organizer's configurers and the organization's admins see all of its sales, a seller only
those of the channels they sell in, the configurer of another organizer none of them; a
customer is refused, a visitor sent to log in, and the twin organization's admin (logged in
at beta) is a stranger at alpha."""

from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from tests.factories import (
    ADMIN,
    CONFIGURER,
    OTHER,
    SELLER,
    programme_build,
)
from tests.sales.helpers import figures_sales_build
from tests.sales.roles import OUTSIDERS, client_for, expect
from tests.tenants import BETA

# A's sales (tests.sales.helpers.figures_sales_build): at the box office, where the seller
# sells, 3 standard tickets (one refunded); online, a pass by card. B: one gala seat.
ALL_OF_A = (3, 4, Decimal("219.00"), Decimal("46.00"))  # orders, tickets, gross, refunds
BOX_OFFICE_OF_A = (2, 3, Decimal("138.00"), Decimal("46.00"))


def _report_of(response):
    total = response.context["report"].total
    return (total.orders, total.tickets, total.gross, total.refunds)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (ADMIN, ALL_OF_A),
        (CONFIGURER, ALL_OF_A),
        (SELLER, BOX_OFFICE_OF_A),
        (OTHER, 404),
        *OUTSIDERS.items(),
    ],
)
def test_who_opens_a_report_of_organizer_a_and_what_it_adds_up_to(world, figures_sales, role, expected):
    response = client_for(world, role).get(f"/control/reports/?organizer={world.team.a.pk}")

    if not isinstance(expected, tuple):
        # OTHER configures B only: A is not a choice of theirs, so the form says so.
        expect(response, 400 if expected == 404 else expected)
        return
    expect(response, 200)
    assert _report_of(response) == expected
    labels = [row.label for row in response.context["report"].ticket_types]
    assert labels
    assert all(label.startswith("ALPHA-A") for label in labels), labels
    assert "BETA" not in response.content.decode()


@pytest.mark.parametrize(
    ("role", "shows"),
    [(ADMIN, "ALPHA-A"), (OTHER, "ALPHA-B"), (CONFIGURER, "ALPHA-A"), (SELLER, "ALPHA-A")],
)
def test_the_default_report_is_of_an_organizer_one_sees(world, figures_sales, role, shows):
    response = client_for(world, role).get("/control/reports/")

    expect(response, 200)
    assert response.context["organizer"].name.startswith(shows)
    assert [o.name for o in response.context["organizers"]] == {
        ADMIN: ["ALPHA-A", "ALPHA-B"],
        OTHER: ["ALPHA-B"],
        CONFIGURER: ["ALPHA-A"],
        SELLER: ["ALPHA-A"],
    }[role]


@pytest.mark.parametrize(
    ("role", "expected"),
    [(ADMIN, ALL_OF_A), (CONFIGURER, ALL_OF_A), (SELLER, BOX_OFFICE_OF_A), (OTHER, 404), *OUTSIDERS.items()],
)
def test_who_opens_organizer_as_ledger_and_what_it_closes_on(world, figures_sales, role, expected):
    response = client_for(world, role).get(f"/control/organizers/{world.team.a.pk}/ledger/")

    if not isinstance(expected, tuple):
        expect(response, expected)
        return
    expect(response, 200)
    ledger = response.context["ledger"]
    gross, refunds = expected[2], expected[3]
    assert (ledger.closing.payments, ledger.closing.refunds) == (gross, refunds)
    assert _report_of(response) == expected
    assert "The ledger and the report agree." in response.content.decode()


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (ADMIN, ((3, 500), (1, 300), Decimal("170.00"))),
        (CONFIGURER, ((3, 500), (1, 300), Decimal("170.00"))),
        # The seats of a date are the same for every channel (the box office sells from
        # them too); the revenue is only that of the seller's channel.
        (SELLER, ((3, 500), (1, 300), Decimal("90.00"))),
        (OTHER, 404),
        *OUTSIDERS.items(),
    ],
)
def test_who_opens_an_events_sales_and_what_it_counts(world, programme, figures_sales, role, expected):
    response = client_for(world, role).get(f"/control/events/{programme.concert.pk}/sales/")

    if not isinstance(expected, tuple):
        expect(response, expected)
        return
    expect(response, 200)
    figures = response.context["figures"]
    *dates, revenue = expected
    assert [(d.sold, d.capacity) for d in figures.dates] == list(dates)
    assert figures.revenue == revenue


def test_the_twin_organizations_own_sales_never_show_at_alpha(world, figures_sales):
    """Beta sells the same programme under the same ids' names: alpha's admin sees none of it."""
    twin = world.beta_twin()
    with schema_context(BETA.schema_name):
        beta_programme = programme_build(twin)
        beta_sales = figures_sales_build(twin, beta_programme, "BETA")

    report = client_for(world, ADMIN).get("/control/reports/")
    ledger = client_for(world, ADMIN).get(f"/control/organizers/{world.team.a.pk}/ledger/")

    for response in (report, ledger):
        expect(response, 200)
        body = response.content.decode()
        assert "BETA" not in body
        assert beta_sales["online"].code not in body
    assert _report_of(ledger) == ALL_OF_A
