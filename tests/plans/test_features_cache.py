"""Clients' cached plan features (apps.plans.features) are dropped by the writes that change a
plan's features, the plans services and the platform's admin, not by a receiver on save."""

import pytest
from django_tenants.utils import schema_context

from apps.core import hooks
from apps.plans.services import plan_update
from tests.factories import OrganizerFactory, UserFactory, clients_open, totp_for
from tests.lookups import lookups_cached  # noqa: F401 - the fixture
from tests.tenants import ALPHA

pytestmark = pytest.mark.usefixtures("lookups_cached")


@pytest.fixture
def account(alpha):
    with schema_context(ALPHA.schema_name):
        organizer = OrganizerFactory()
        (account,) = clients_open(organizer, organization=alpha, plan_slug="plain", box_office=False)
    return account


def _box_office(account) -> bool:
    features = hooks.organizers_features(account.organization_id, [account.organizer_id])
    return features[account.organizer_id].box_office


def test_a_plan_update_drops_its_clients_cached_features(account):
    assert _box_office(account) is False  # now cached

    plan_update(plan=account.plan, box_office=True)

    assert _box_office(account) is True


def test_a_plan_saved_behind_the_services_leaves_the_cache_alone(account):
    """No receiver drops it any more: the services are the one way to change a plan."""
    assert _box_office(account) is False
    plan = account.plan
    plan.box_office = True
    plan.save()

    assert _box_office(account) is False


def test_the_admin_drops_the_cached_features_when_it_saves_a_plan(client, account):
    with schema_context("public"):
        root = UserFactory(email="root@example.com", is_staff=True, is_superuser=True)
        totp_for(root)
        client.force_login(root)
    plan = account.plan
    price = plan.prices.get()
    assert _box_office(account) is False

    answer = client.post(
        f"/admin/plans/plan/{plan.pk}/change/",
        {
            "name": plan.name,
            "slug": plan.slug,
            "sort_order": "0",
            "is_public": "on",
            "box_office": "on",
            "max_operators": "",
            "prices-TOTAL_FORMS": "1",
            "prices-INITIAL_FORMS": "1",
            "prices-MIN_NUM_FORMS": "1",
            "prices-MAX_NUM_FORMS": "1000",
            "prices-0-id": str(price.pk),
            "prices-0-plan": str(plan.pk),
            "prices-0-currency": price.currency,
            "prices-0-monthly_fee": str(price.monthly_fee),
            "prices-0-setup_fee": str(price.setup_fee),
            "prices-0-fixed_fee": str(price.fixed_fee),
            "prices-0-percent_fee": str(price.percent_fee),
        },
        HTTP_HOST="localhost",
    )

    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert _box_office(account) is True
