"""Platform admin pages of the clients: list (search, filters, order, pages, CSV), snapshot, settings."""

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.billing.models import BillingAccount, Invoice, SalesMonth
from apps.billing.selectors.periods import months_back
from apps.billing.services.accounts import billing_account_open, billing_account_update
from apps.core.audit import Actor, audit_log
from apps.core.models import AuditLogEntry
from apps.plans.services import exchange_rate_set
from apps.tenancy.models import Organization
from tests.factories import UserFactory, totp_for
from tests.plans.factories import plan_build
from tests.tenants import ALPHA

PLATFORM = "localhost"


def this_month():
    return timezone.localdate().replace(day=1)


def account_build(
    organization, *, name: str, plan, organizer_id: int | None = None, **fields
) -> BillingAccount:
    """A client account through the service, then any field set directly (dates, status…)."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    account = billing_account_open(
        organization=organization,
        organizer_id=organizer_id or (BillingAccount.objects.count() + 1),
        organizer_name=name,
        organizer_slug=slug,
        country=fields.pop("country", "NL"),
        plan=plan,
        contact_email=fields.pop("contact_email", f"billing@{slug}.test"),
    )
    if fields:
        BillingAccount.objects.filter(pk=account.pk).update(**fields)
        account.refresh_from_db()
    return account


def sales(account, gross: str, *, month=None, currency="EUR", orders=1, tickets=1):
    return SalesMonth.objects.create(
        account=account,
        month=month or this_month(),
        gross=Decimal(gross),
        currency=currency,
        orders=orders,
        tickets=tickets,
    )


def invoice(account, total: str, *, paid: str = "0", status=Invoice.Status.OPEN):
    return Invoice.objects.create(
        account=account,
        status=status,
        currency=account.currency,
        total=Decimal(total),
        amount_paid=Decimal(paid),
    )


@pytest.fixture
def staff_client(client, organizations):
    with schema_context("public"):
        staff = UserFactory(email="staff@platform.test", is_staff=True)
        totp_for(staff)
    client.force_login(staff)
    return client


@pytest.fixture
def plans(organizations):
    starter = plan_build(slug="starter")
    pro = plan_build(slug="pro", box_office=True, max_operators=None)
    return starter, pro


@pytest.fixture
def three(alpha, beta, plans):
    """Three clients: Fun park (alpha, starter), Water park (alpha, pro, past due), Club (beta, pro)."""
    starter, pro = plans
    now = timezone.now()
    fun = account_build(alpha, name="Fun park", plan=starter, signed_up_at=now - timedelta(days=30))
    water = account_build(
        alpha,
        name="Water park",
        plan=pro,
        status=BillingAccount.Status.PAST_DUE,
        signed_up_at=now - timedelta(days=10),
        contact_email="money@splash.test",
    )
    club = account_build(beta, name="Club", plan=pro, signed_up_at=now - timedelta(days=20))
    sales(fun, "120.50")
    sales(fun, "9999.00", month=months_back(this_month(), 1))  # last month: not this month's
    sales(water, "80.00")
    sales(club, "1500", currency="JPY")
    exchange_rate_set(currency="JPY", rate=Decimal(162))
    invoice(fun, "29.00")
    invoice(fun, "50.00", paid="20.00")
    invoice(fun, "1000.00", status=Invoice.Status.PAID, paid="1000.00")
    invoice(water, "500.00", status=Invoice.Status.VOID)
    invoice(club, "99.00")
    return fun, water, club


def _rows(page: str) -> list[str]:
    """The organizer names of the list's rows, in order."""
    return re.findall(r'<th scope="row"><a href="/platform/clients/\d+/">([^<]+)</a>', page)


def _get(client, path="/platform/clients/", **params):
    return client.get(path, params, HTTP_HOST=PLATFORM)


# --- the list ---------------------------------------------------------------------------


def test_the_list_shows_each_client_with_its_figures(staff_client, three):
    response = _get(staff_client)

    assert response.status_code == 200
    page = response.content.decode()
    assert _rows(page) == ["Club", "Fun park", "Water park"]
    fun_row = page[page.index(">Fun park<") :].split("</tr>")[0]
    assert "Alpha parks" in fun_row
    assert "Starter" in fun_row
    assert "Active" in fun_row
    assert "120.50 EUR" in fun_row  # this month only
    assert "59.00 EUR" in fun_row  # open invoices: 29 + (50 − 20); paid and void ones owe nothing
    water_row = page[page.index(">Water park<") :].split("</tr>")[0]
    assert "Past due" in water_row
    assert "0.00 EUR" in water_row
    club_row = page[page.index(">Club<") :].split("</tr>")[0]
    assert "Beta club" in club_row
    assert "1,500 JPY" in club_row
    assert "3 clients" in page


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("water", ["Water park"]),  # organizer name
        ("FUN-PA", ["Fun park"]),  # organizer address, any case
        ("beta", ["Club"]),  # organization name
        ("splash.test", ["Water park"]),  # contact e-mail
        ("nothing like it", []),
    ],
)
def test_the_list_searches(staff_client, three, query, names):
    page = _get(staff_client, q=query).content.decode()

    assert _rows(page) == names


def test_the_list_filters_by_plan_and_status(staff_client, three, plans):
    _starter, pro = plans

    assert _rows(_get(staff_client, plan=pro.pk).content.decode()) == ["Club", "Water park"]
    assert _rows(_get(staff_client, status="past_due").content.decode()) == ["Water park"]
    assert _rows(_get(staff_client, plan=pro.pk, status="active").content.decode()) == ["Club"]


@pytest.mark.parametrize(
    ("sort", "names"),
    [
        ("name", ["Club", "Fun park", "Water park"]),
        ("-name", ["Water park", "Fun park", "Club"]),
        ("signed_up", ["Fun park", "Club", "Water park"]),
        ("-signed_up", ["Water park", "Club", "Fun park"]),
        # in euros: 1,500 JPY at 162 per euro is 9.26, then 80 and 120.50
        ("sales", ["Club", "Water park", "Fun park"]),
        ("-sales", ["Fun park", "Water park", "Club"]),
        ("balance", ["Water park", "Fun park", "Club"]),  # 0, 59, 99 EUR
        ("-balance", ["Club", "Fun park", "Water park"]),
    ],
)
def test_the_list_sorts_both_ways(staff_client, three, sort, names):
    assert _rows(_get(staff_client, sort=sort).content.decode()) == names


@pytest.mark.parametrize("params", [{"sort": "secret"}, {"plan": "999999"}, {"status": "gone"}])
def test_bad_filters_are_a_400_with_the_message(staff_client, three, params):
    response = _get(staff_client, **params)

    assert response.status_code == 400
    assert 'class="field-error" role="alert"' in response.content.decode()


def test_the_list_has_pages_of_50_that_keep_the_filters(staff_client, alpha, plans):
    starter, _pro = plans
    for n in range(55):
        account_build(alpha, name=f"Client {n:02d}", plan=starter)

    first = _get(staff_client, q="client", sort="-name").content.decode()
    second = _get(staff_client, q="client", sort="-name", page=2).content.decode()

    assert _rows(first) == [f"Client {n:02d}" for n in range(54, 4, -1)]
    assert _rows(second) == [f"Client {n:02d}" for n in range(4, -1, -1)]
    assert "Page 1 of 2" in first
    assert 'href="?q=client&amp;sort=-name&amp;page=2"' in first


def test_the_list_costs_the_same_queries_for_5_or_60_clients(
    staff_client, alpha, plans, django_assert_max_num_queries, django_assert_num_queries
):
    starter, pro = plans

    def build(count):
        for n in range(count):
            account = account_build(
                alpha, name=f"Client {BillingAccount.objects.count():03d}", plan=pro if n % 2 else starter
            )
            sales(account, "10.00")
            invoice(account, "5.00")
            if n % 3 == 0:
                billing_account_update(
                    account_id=account.pk, changes={"box_office_override": True}, actor=Actor(user=None)
                )

    build(5)
    _get(staff_client)  # warm caches (the platform's brand) so both counts are like for like
    with django_assert_max_num_queries(100) as small:
        assert _get(staff_client).status_code == 200
    build(55)
    with django_assert_num_queries(len(small.captured_queries)):
        page = _get(staff_client).content.decode()
    assert len(_rows(page)) == 50


def test_overridden_fees_and_features_carry_a_badge(staff_client, three):
    fun, water, _club = three
    billing_account_update(
        account_id=fun.pk, changes={"monthly_fee_override": Decimal(19)}, actor=Actor(user=None)
    )

    page = _get(staff_client).content.decode()

    fun_row = page[page.index(">Fun park<") :].split("</tr>")[0]
    water_row = page[page.index(">Water park<") :].split("</tr>")[0]
    assert 'class="badge badge-override" title="Set for this client alone: monthly fee"' in fun_row
    assert "badge-override" not in water_row


def test_the_csv_export_has_every_row_filtered_and_sorted(staff_client, alpha, plans):
    starter, pro = plans
    for n in range(60):
        account_build(alpha, name=f"Client {n:02d}", plan=starter)
    account_build(alpha, name="=HYPERLINK(evil)", plan=pro)
    invoice(account_build(alpha, name="Other", plan=pro), "10.00", paid="20.00")  # paid too much

    response = _get(staff_client, "/platform/clients/export/", plan=starter.pk, sort="-name")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="clients-')
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["organizer"] for row in rows] == [f"Client {n:02d}" for n in range(59, -1, -1)]
    assert rows[0]["plan"] == "Starter"
    assert rows[0]["organization"] == "Alpha parks"
    assert rows[0]["balance"] == "0.00"
    everyone = list(
        csv.DictReader(io.StringIO(_get(staff_client, "/platform/clients/export/").content.decode()))
    )
    assert "'=HYPERLINK(evil)" in [row["organizer"] for row in everyone]  # never a formula
    assert [row["balance"] for row in everyone if row["organizer"] == "Other"] == ["-10.00"]  # a number


def test_the_list_links_the_export_with_the_same_query(staff_client, three):
    page = _get(staff_client, q="park", sort="-sales").content.decode()

    assert 'href="/platform/clients/export/?q=park&amp;sort=-sales"' in page


@pytest.mark.parametrize(
    "path",
    [
        "/platform/clients/",
        "/platform/clients/export/",
        "/platform/clients/{pk}/",
        "/platform/clients/{pk}/settings/",
    ],
)
def test_the_pages_are_for_platform_admins_with_totp(client, three, path):
    path = path.format(pk=three[0].pk)
    assert client.get(path, HTTP_HOST=PLATFORM)["Location"].startswith("/accounts/login/")
    with schema_context("public"):
        someone = UserFactory(email="someone@platform.test")
        staff = UserFactory(email="staff@platform.test", is_staff=True)
    client.force_login(someone)
    assert client.get(path, HTTP_HOST=PLATFORM).status_code == 403
    client.force_login(staff)
    assert client.get(path, HTTP_HOST=PLATFORM)["Location"] == "/accounts/2fa/totp/activate/"
    assert client.get(path, HTTP_HOST=ALPHA.host).status_code == 404  # not on a client's host


# --- the snapshot -----------------------------------------------------------------------


def test_the_snapshot_shows_status_hosts_plan_and_billing(staff_client, three, alpha):
    fun, _water, _club = three
    billing_account_update(
        account_id=fun.pk,
        changes={"fixed_fee_override": Decimal("0.30"), "box_office_override": True},
        actor=Actor(user=None),
    )

    response = _get(staff_client, f"/platform/clients/{fun.pk}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Fun park</h1>" in page
    assert "Alpha parks" in page
    assert ALPHA.host in page
    assert ALPHA.organizer_host in page
    assert "Plan: Starter" in page
    price = page[
        page.index('class="client-price"') : page.index("</table>", page.index('class="client-price"'))
    ]
    assert "29.00 EUR" in price
    assert re.search(
        r"Fixed fee per ticket</th><td[^>]*>0.30 EUR</td><td><span class=\"badge badge-override\">", price
    )
    assert price.count("overridden") == 1
    features = page[page.index('class="client-features"') :].split("</table>")[0]
    assert re.search(r"Box office</th><td>On</td><td><span class=\"badge badge-override\">", features)
    assert re.search(r"Event replication</th><td>Off</td><td></td>", features)
    assert features.count("overridden") == 1
    assert '<dd class="client-balance">59.00 EUR</dd>' in page
    assert '<dd class="client-open-invoices">2</dd>' in page


def test_the_snapshot_draws_twelve_months_of_sales_accessibly(staff_client, three):
    fun, _water, _club = three
    sales(fun, "60.25", month=months_back(this_month(), 11))
    sales(fun, "1.00", month=months_back(this_month(), 12))  # thirteen months ago: not drawn

    page = _get(staff_client, f"/platform/clients/{fun.pk}/").content.decode()

    svg = page[page.index("<svg") : page.index("</svg>")]
    assert 'role="img" aria-labelledby="sales-chart-title sales-chart-desc"' in svg
    assert '<title id="sales-chart-title">Monthly ticket sales of Fun park</title>' in svg
    assert '<desc id="sales-chart-desc">' in svg
    bars = re.findall(r'<rect class="bar" x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)">', svg)
    assert len(bars) == 12
    heights = [float(height) for _y, height in bars]
    # the tallest (last month, 9999.00) is full height; this month 120.50 in proportion
    assert heights[10] == 160.0
    assert heights[11] == pytest.approx(160 * 120.50 / 9999, abs=0.1)
    assert heights[0] == pytest.approx(160 * 60.25 / 9999, abs=0.1)
    assert heights[1:10] == [0.0] * 9
    table = page[page.index('<table class="visually-hidden">') :].split("</table>")[0]
    assert len(re.findall(r'<tr><th scope="row">', table)) == 12
    assert "9,999.00 EUR" in table
    assert "1.00 EUR" not in table


def test_the_chart_keeps_svg_numbers_in_french(staff_client, three):
    fun, _water, _club = three
    staff_client.cookies["django_language"] = "fr"

    page = staff_client.get(
        f"/platform/clients/{fun.pk}/", HTTP_HOST=PLATFORM, HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()

    svg = page[page.index("<svg") : page.index("</svg>")]
    assert not re.search(r'(x|y|width|height)="\d+,\d', svg)


def test_the_snapshot_shows_recent_activity_of_both_sides(staff_client, three, alpha):
    fun, _water, _club = three
    with schema_context(alpha.schema_name):
        audit_log(actor=Actor(user=None), action="event.published", target=None)
    audit_log(actor=Actor(user=None), action="unrelated.thing", target=None)
    billing_account_update(account_id=fun.pk, changes={"notes": "Pays by transfer"}, actor=Actor(user=None))

    page = _get(staff_client, f"/platform/clients/{fun.pk}/").content.decode()

    activity = page[page.index('id="client-activity"') :]
    assert "<code>event.published</code>" in activity
    assert "<code>client.updated</code>" in activity
    assert "<code>client.opened</code>" in activity
    assert "unrelated.thing" not in activity
    assert activity.index("client.updated") < activity.index("event.published")  # newest first


def test_the_snapshot_offers_quick_links_and_support(staff_client, three, alpha):
    fun, _water, _club = three

    page = _get(staff_client, f"/platform/clients/{fun.pk}/").content.decode()

    support = f'action="/platform/organizations/{alpha.pk}/support/"'
    assert page.count(support) == 4
    for next_path in (
        "/control/events/",
        "/control/locations/",
        f"/control/organizers/{fun.organizer_id}/payments/",
    ):
        assert f'<input type="hidden" name="next" value="{next_path}">' in page
    assert "Open support session</button>" in page
    assert f'href="/platform/clients/{fun.pk}/settings/">Plan & pricing' in page
    assert f'href="http://{ALPHA.host}/">Home page' in page  # no host bound to "fun-park": the primary


def test_the_home_link_is_the_organizers_own_host(staff_client, alpha, plans):
    starter, _pro = plans
    account = account_build(alpha, name="Alpha park", plan=starter)  # slug alpha-park has its host

    page = _get(staff_client, f"/platform/clients/{account.pk}/").content.decode()

    assert f'href="http://{ALPHA.organizer_host}/">Home page' in page


def test_the_support_link_lands_on_the_asked_page(staff_client, three, alpha):
    path = f"/platform/organizations/{alpha.pk}/support/"
    asked = staff_client.post(path, {"next": "/control/locations/"}, HTTP_HOST=PLATFORM)
    assert '<input type="hidden" name="next" value="/control/locations/"' in asked.content.decode()

    response = staff_client.post(
        path, {"next": "/control/locations/", "reason": "Client asked for help"}, HTTP_HOST=PLATFORM
    )

    assert response.status_code == 302
    assert response["Location"].endswith("?next=%2Fcontrol%2Flocations%2F")


def test_an_unknown_client_is_a_404(staff_client, organizations):
    assert _get(staff_client, "/platform/clients/999999/").status_code == 404
    assert _get(staff_client, "/platform/clients/999999/settings/").status_code == 404


# --- settings and overrides -------------------------------------------------------------

SETTINGS = {
    "status": "active",
    "contact_email": "billing@fun-park.test",
    "notes": "",
    "monthly_fee_override": "",
    "setup_fee_override": "",
    "fixed_fee_override": "",
    "percent_fee_override": "",
    "event_replication_override": "",
    "box_office_override": "",
    "custom_domain_override": "",
    "max_operators_override": "",
}


def _post_settings(client, account, **changes):
    data = {**SETTINGS, "plan": account.plan_id, **changes}
    return client.post(f"/platform/clients/{account.pk}/settings/", data, HTTP_HOST=PLATFORM)


def test_the_settings_form_shows_the_plans_values(staff_client, three):
    fun, _water, _club = three

    page = _get(staff_client, f"/platform/clients/{fun.pk}/settings/").content.decode()

    assert "Empty: the plan&#x27;s (29.00 EUR)." in page
    assert "Empty: the plan&#x27;s (1.50 %)." in page
    assert '<option value="" selected>Plan default (off)</option>' in page
    assert "Empty: the plan&#x27;s (unlimited)." in page


def test_the_admin_changes_plan_status_and_overrides(staff_client, three, plans):
    fun, _water, _club = three
    _starter, pro = plans

    response = _post_settings(
        staff_client,
        fun,
        plan=pro.pk,
        status="suspended",
        notes="Unpaid since May",
        monthly_fee_override="19.00",
        percent_fee_override="0.75",
        event_replication_override="true",
        box_office_override="false",
        max_operators_override="5",
    )

    assert response.status_code == 302
    assert response["Location"] == f"/platform/clients/{fun.pk}/"
    fun.refresh_from_db()
    assert fun.plan == pro
    assert fun.status == "suspended"
    assert fun.notes == "Unpaid since May"
    assert (fun.monthly_fee_override, fun.percent_fee_override) == (Decimal(19), Decimal("0.75"))
    assert (fun.event_replication_override, fun.box_office_override, fun.custom_domain_override) == (
        True,
        False,
        None,
    )
    assert fun.max_operators_override == 5
    entry = AuditLogEntry.objects.get(action="client.updated")
    assert entry.actor_email == "staff@platform.test"
    assert entry.target_id == str(fun.pk)
    assert entry.data["changes"]["plan"] == {"from": "starter", "to": "pro"}
    assert entry.data["changes"]["monthly_fee_override"] == {"from": None, "to": "19.00"}
    assert entry.data["changes"]["box_office_override"] == {"from": None, "to": False}
    assert "contact_email" not in entry.data["changes"]  # unchanged
    page = staff_client.get(response["Location"], HTTP_HOST=PLATFORM).content.decode()
    assert "The settings of Fun park are saved." in page
    assert "Plan: Pro" in page
    assert "19.00 EUR" in page


def test_clearing_an_override_gives_back_the_plans_value(staff_client, three):
    fun, _water, _club = three
    _post_settings(staff_client, fun, monthly_fee_override="19.00", box_office_override="true")

    _post_settings(staff_client, fun)

    fun.refresh_from_db()
    assert fun.overridden_fields() == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"monthly_fee_override": "19.999"}, "monthly_fee_override"),  # EUR has 2 decimals
        ({"percent_fee_override": "101"}, "percent_fee_override"),
        ({"fixed_fee_override": "-1"}, "fixed_fee_override"),
        ({"max_operators_override": "0"}, "max_operators_override"),
        ({"status": "deleted"}, "status"),
        ({"contact_email": "not an address"}, "contact_email"),
        ({"plan": "999999"}, "plan"),
        ({"box_office_override": "maybe"}, "box_office_override"),
    ],
)
def test_bad_settings_are_a_400_with_the_fields_message(staff_client, three, changes, field):
    fun, _water, _club = three

    response = _post_settings(staff_client, fun, **{"notes": "changed", **changes})

    assert response.status_code == 400
    assert f'id="id_{field}_error"' in response.content.decode()
    fun.refresh_from_db()
    assert fun.notes == ""
    assert not AuditLogEntry.objects.filter(action="client.updated").exists()


def test_yen_fees_take_no_decimals(staff_client, alpha, organizations):
    plan = plan_build(
        slug="yen", price={"currency": "JPY", "monthly_fee": Decimal(3000), "percent_fee": Decimal(1)}
    )
    account = account_build(alpha, name="Tokyo dome", plan=plan, country="JP")
    assert account.currency == "JPY"

    bad = _post_settings(staff_client, account, monthly_fee_override="2500.5")
    good = _post_settings(staff_client, account, monthly_fee_override="2500")

    assert bad.status_code == 400
    assert "JPY amounts cannot have that many decimals." in bad.content.decode()
    assert good.status_code == 302
    account.refresh_from_db()
    assert account.monthly_fee_override == Decimal(2500)


def test_a_client_whose_organization_is_not_live_has_a_page_without_support(staff_client, three, alpha):
    fun, _water, _club = three
    Organization.objects.filter(pk=alpha.pk).update(status=Organization.Status.FAILED)

    response = _get(staff_client, f"/platform/clients/{fun.pk}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "/support/" not in page
    assert "Set-up failed" in page


def test_balances_in_other_currencies_sort_by_their_value_in_the_default_currency(staff_client, alpha, plans):
    starter, _pro = plans
    exchange_rate_set(currency="SEK", rate=Decimal("11.5"))
    krona = account_build(alpha, name="Krona club", plan=starter, currency="SEK")
    euro = account_build(alpha, name="Euro club", plan=starter)
    invoice(krona, "500.00")  # 43.48 EUR
    invoice(euro, "50.00")

    assert _rows(_get(staff_client, sort="-balance").content.decode()) == ["Euro club", "Krona club"]
    assert "500.00 SEK" in _get(staff_client).content.decode()


def test_a_plan_without_a_price_for_the_client_is_said_not_failed(staff_client, alpha):
    yen_only = plan_build(slug="yen", price={"currency": "JPY", "monthly_fee": Decimal(3000)})
    account = account_build(alpha, name="Tokyo dome", plan=yen_only, country="JP", currency="USD")

    snapshot = _get(staff_client, f"/platform/clients/{account.pk}/")
    settings_page = _get(staff_client, f"/platform/clients/{account.pk}/settings/")

    assert snapshot.status_code == 200
    assert "This plan has no price to bill in USD" in snapshot.content.decode()
    assert settings_page.status_code == 200
