"""Plans and exchange rates in the platform's Django admin (public schema only)."""

from django_tenants.utils import schema_context

from apps.plans.models import Plan
from tests.factories import UserFactory, totp_for
from tests.plans.factories import plan_build
from tests.tenants import ALPHA


def _superuser_client(client, schema_name="public"):
    with schema_context(schema_name):  # the session and last_login live in that schema
        root = UserFactory(email="root@example.com", is_staff=True, is_superuser=True)
        totp_for(root)
        client.force_login(root)
    return client


def _plan_form(**prices):
    data = {
        "name": "Pro",
        "slug": "pro",
        "sort_order": "0",
        "is_public": "on",
        "prices-TOTAL_FORMS": str(len(prices)),
        "prices-INITIAL_FORMS": "0",
        "prices-MIN_NUM_FORMS": "1",
        "prices-MAX_NUM_FORMS": "1000",
    }
    for n, (currency, fee) in enumerate(prices.items()):
        data |= {
            f"prices-{n}-currency": currency,
            f"prices-{n}-monthly_fee": fee,
            f"prices-{n}-setup_fee": "0",
            f"prices-{n}-fixed_fee": "0",
            f"prices-{n}-percent_fee": "0",
        }
    return data


def test_the_platform_admin_edits_plans_with_their_prices(client, organizations):
    client = _superuser_client(client)
    plan = plan_build()

    assert client.get("/admin/plans/plan/", HTTP_HOST="localhost").status_code == 200
    assert client.get(f"/admin/plans/plan/{plan.pk}/change/", HTTP_HOST="localhost").status_code == 200
    assert client.get("/admin/plans/exchangerate/", HTTP_HOST="localhost").status_code == 200


def test_an_organization_admin_has_no_plans(client, alpha):
    client = _superuser_client(client, ALPHA.schema_name)

    assert client.get("/admin/plans/plan/", HTTP_HOST=ALPHA.host).status_code == 404


def test_the_admin_refuses_a_plan_without_a_price_or_with_a_bad_one(client, organizations):
    client = _superuser_client(client)

    without = client.post("/admin/plans/plan/add/", _plan_form(), HTTP_HOST="localhost")
    bad = client.post("/admin/plans/plan/add/", _plan_form(JPY="99.50"), HTTP_HOST="localhost")
    good = client.post("/admin/plans/plan/add/", _plan_form(JPY="4800"), HTTP_HOST="localhost")

    assert without.status_code == 200  # the form again, with its errors
    assert "Please submit at least 1 form." in without.content.decode()
    assert bad.status_code == 200
    assert "JPY amounts cannot have that many decimals." in bad.content.decode()
    assert good.status_code == 302
    assert Plan.objects.get().prices.get().monthly_fee == 4800


def test_the_catalogue_admin_pages_of_billing_lead_to_plans(client, organizations):
    plan = plan_build(slug="pro")
    answer = client.get(f"/admin/billing/plan/{plan.pk}/change/?x=1", HTTP_HOST="localhost")
    assert answer.status_code == 302
    assert answer["Location"] == f"/admin/plans/plan/{plan.pk}/change/?x=1"
