"""Platform pages of add-ons and adjustments: the client's snapshot and settings say which features
are paid add-ons and at what price, the next invoice's estimate, and list, add and withdraw the
charges and credits of the next invoice; add-on prices are edited in the platform's Django admin."""

from datetime import date
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from apps.billing.models import BillingAccount, BillingAdjustment
from apps.billing.services.accounts import billing_account_update
from apps.billing.services.adjustments import billing_adjustment_create
from apps.billing.services.corrections import invoice_manual_create
from apps.core.audit import Actor
from apps.core.models import AuditLogEntry
from apps.plans.models import AddonPrice
from apps.plans.services import addon_price_create
from tests.factories import UserFactory, totp_for
from tests.plans.factories import plan_build
from tests.platform.test_clients_pages import PLATFORM, account_build
from tests.tenants import ALPHA

SYSTEM = Actor(user=None)


@pytest.fixture
def staff_client(client, organizations):
    with schema_context("public"):
        staff = UserFactory(email="staff@platform.test", is_staff=True)
        totp_for(staff)
    client.force_login(staff)
    return client


@pytest.fixture
def fun(alpha):
    """Starter (EUR 29, setup 10) with box office as a paid add-on (15.00) and event replication
    as a free one (no price)."""
    addon_price_create(feature="box_office", currency="EUR", monthly_fee=Decimal("15.00"))
    account = account_build(alpha, name="Fun park", plan=plan_build(slug="starter"))
    return billing_account_update(
        account_id=account.pk,
        changes={"box_office_override": True, "event_replication_override": True},
        actor=SYSTEM,
    )


def _page(client, path, status=200):
    response = client.get(path, HTTP_HOST=PLATFORM)
    assert response.status_code == status
    return response.content.decode()


def test_the_snapshot_says_which_features_are_paid_addons_and_their_price(staff_client, fun):
    page = _page(staff_client, f"/platform/clients/{fun.pk}/")

    features = page[page.index('class="client-features"') :].split("</table>")[0]
    assert '<span class="badge badge-addon">paid add-on, 15.00 EUR a month</span>' in features
    assert '<span class="badge badge-addon">free add-on</span>' in features
    assert features.count("badge-addon") == 2
    assert "about 54.00 EUR with this period" in page  # 29 + 10 setup + 15 box office


def test_the_snapshot_lists_the_pending_adjustments_in_the_estimate(staff_client, fun):
    billing_adjustment_create(
        account_id=fun.pk, description="Training day", amount=Decimal("100.00"), actor=SYSTEM
    )
    billing_adjustment_create(
        account_id=fun.pk, description="Outage credit", amount=Decimal("-4.00"), actor=SYSTEM
    )

    page = _page(staff_client, f"/platform/clients/{fun.pk}/")

    table = page[page.index('class="client-adjustments"') :].split("</table>")[0]
    assert table.count('class="adjustment"') == 2
    assert "Training day" in table
    assert "100.00 EUR" in table
    assert "-4.00 EUR" in table
    assert "about 150.00 EUR" in page
    assert f'href="/platform/clients/{fun.pk}/adjustments/new/"' in page


def test_a_snapshot_whose_addon_cannot_be_priced_says_so(staff_client, alpha):
    addon_price_create(feature="custom_domain", currency="USD", monthly_fee=Decimal(5))
    account = account_build(alpha, name="Fun park", plan=plan_build(slug="starter"))
    # set directly: the service refuses an add-on it cannot price
    BillingAccount.objects.filter(pk=account.pk).update(custom_domain_override=True)

    page = _page(staff_client, f"/platform/clients/{account.pk}/")

    assert "An add-on of this client has no price to bill in EUR" in page


def test_the_settings_say_what_each_feature_costs_as_an_addon(staff_client, fun):
    page = _page(staff_client, f"/platform/clients/{fun.pk}/settings/")

    assert "On for this client: a paid add-on, 15.00 EUR a month." in page
    assert page.count("On for this client: a free add-on.") == 2  # event replication, custom domain


def test_the_admin_adds_a_charge_to_the_next_invoice(staff_client, fun):
    form = _page(staff_client, f"/platform/clients/{fun.pk}/adjustments/new/")
    response = staff_client.post(
        f"/platform/clients/{fun.pk}/adjustments/new/",
        {"description": "Training day", "amount": "120.50"},
        HTTP_HOST=PLATFORM,
    )

    assert "Amount (EUR)" in form
    assert response.status_code == 302
    assert response["Location"] == f"/platform/clients/{fun.pk}/#adjustments"
    adjustment = BillingAdjustment.objects.get()
    assert (adjustment.description, adjustment.amount, adjustment.created_by) == (
        "Training day",
        Decimal("120.50"),
        "staff@platform.test",
    )
    entry = AuditLogEntry.objects.get(action="client.adjustment_added")
    assert (entry.actor_email, entry.host) == ("staff@platform.test", PLATFORM)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"description": "Training", "amount": "0"}, "Enter an amount other than zero"),
        ({"description": "Training", "amount": "1.005"}, "EUR amounts cannot have that many decimals."),
        ({"description": "", "amount": "10"}, "This field is required."),
        ({"description": "Training", "amount": "ten"}, "Enter a number."),
    ],
)
def test_a_bad_adjustment_is_a_400_with_the_message(staff_client, fun, data, message):
    response = staff_client.post(f"/platform/clients/{fun.pk}/adjustments/new/", data, HTTP_HOST=PLATFORM)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not BillingAdjustment.objects.exists()


def test_a_pending_adjustment_is_withdrawn_a_billed_one_stays(staff_client, alpha, fun):
    pending, billed = (
        billing_adjustment_create(account_id=fun.pk, description=text, amount=Decimal(5), actor=SYSTEM)
        for text in ("Pending", "Billed")
    )
    invoice = invoice_manual_create(
        account_id=fun.pk, description="x", amount=Decimal(1), due_date=date(2026, 1, 1), actor=SYSTEM
    )
    BillingAdjustment.objects.filter(pk=billed.pk).update(invoice=invoice, invoice_line=invoice.lines.get())
    other = account_build(alpha, name="Other", plan=fun.plan)

    withdrawn = staff_client.post(
        f"/platform/clients/{fun.pk}/adjustments/{pending.pk}/delete/", HTTP_HOST=PLATFORM, follow=True
    )
    refused = staff_client.post(
        f"/platform/clients/{fun.pk}/adjustments/{billed.pk}/delete/", HTTP_HOST=PLATFORM, follow=True
    )
    not_theirs = staff_client.post(
        f"/platform/clients/{other.pk}/adjustments/{billed.pk}/delete/", HTTP_HOST=PLATFORM
    )
    by_get = staff_client.get(
        f"/platform/clients/{fun.pk}/adjustments/{billed.pk}/delete/", HTTP_HOST=PLATFORM
    )

    assert "The adjustment is withdrawn." in withdrawn.content.decode()
    assert f"billed on invoice {invoice.number} already" in refused.content.decode()
    assert (not_theirs.status_code, by_get.status_code) == (404, 405)
    assert list(BillingAdjustment.objects.values_list("pk", flat=True)) == [billed.pk]
    assert AuditLogEntry.objects.filter(action="client.adjustment_deleted").count() == 1


@pytest.mark.parametrize("path", ["/platform/clients/{pk}/adjustments/new/"])
def test_the_adjustment_pages_are_for_platform_admins_with_totp(client, fun, path):
    path = path.format(pk=fun.pk)
    assert client.get(path, HTTP_HOST=PLATFORM)["Location"].startswith("/accounts/login/")
    with schema_context("public"):
        someone = UserFactory(email="someone@platform.test")
        staff = UserFactory(email="staff@platform.test", is_staff=True)
    client.force_login(someone)
    assert client.get(path, HTTP_HOST=PLATFORM).status_code == 403
    assert client.post(path, {"description": "x", "amount": "5"}, HTTP_HOST=PLATFORM).status_code == 403
    client.force_login(staff)
    assert client.get(path, HTTP_HOST=PLATFORM)["Location"] == "/accounts/2fa/totp/activate/"
    assert client.get(path, HTTP_HOST=ALPHA.host).status_code == 404
    assert not BillingAdjustment.objects.exists()


def test_a_non_admin_cannot_withdraw_an_adjustment(client, fun):
    adjustment = billing_adjustment_create(
        account_id=fun.pk, description="Training", amount=Decimal(5), actor=SYSTEM
    )
    with schema_context("public"):
        someone = UserFactory(email="someone@platform.test")
    client.force_login(someone)

    response = client.post(
        f"/platform/clients/{fun.pk}/adjustments/{adjustment.pk}/delete/", HTTP_HOST=PLATFORM
    )

    assert response.status_code == 403
    assert BillingAdjustment.objects.filter(pk=adjustment.pk).exists()


def test_addon_prices_are_edited_in_the_platforms_django_admin(client, organizations):
    with schema_context("public"):
        root = UserFactory(email="root@example.com", is_staff=True, is_superuser=True)
        totp_for(root)
        client.force_login(root)

    listed = client.get("/admin/plans/addonprice/", HTTP_HOST=PLATFORM)
    added = client.post(
        "/admin/plans/addonprice/add/",
        {"feature": "box_office", "currency": "EUR", "monthly_fee": "15.00"},
        HTTP_HOST=PLATFORM,
    )
    twice = client.post(
        "/admin/plans/addonprice/add/",
        {"feature": "box_office", "currency": "EUR", "monthly_fee": "9.00"},
        HTTP_HOST=PLATFORM,
    )
    yen = client.post(
        "/admin/plans/addonprice/add/",
        {"feature": "box_office", "currency": "JPY", "monthly_fee": "99.50"},
        HTTP_HOST=PLATFORM,
    )
    price = AddonPrice.objects.get()
    changed = client.post(
        f"/admin/plans/addonprice/{price.pk}/change/",
        {"feature": "box_office", "currency": "EUR", "monthly_fee": "12.00"},
        HTTP_HOST=PLATFORM,
    )

    assert listed.status_code == 200
    assert added.status_code == 302
    assert twice.status_code == 200
    assert "This add-on already has a price in that currency." in twice.content.decode()
    assert yen.status_code == 200
    assert "JPY amounts cannot have that many decimals." in yen.content.decode()
    assert changed.status_code == 302
    assert AddonPrice.objects.get().monthly_fee == Decimal("12.00")
    assert [entry.action for entry in AuditLogEntry.objects.order_by("pk")] == [
        "addon_price.created",
        "addon_price.updated",
    ]
    assert AuditLogEntry.objects.filter(actor_email="root@example.com").count() == 2


def test_an_organization_admin_has_no_addon_prices(client, alpha):
    with schema_context(ALPHA.schema_name):
        root = UserFactory(email="root@example.com", is_staff=True, is_superuser=True)
        totp_for(root)
        client.force_login(root)

    assert client.get("/admin/plans/addonprice/", HTTP_HOST=ALPHA.host).status_code == 404
