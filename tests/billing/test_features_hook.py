"""Billing answers the permission module's question (core.hooks.organizers_features) with each
client's plan features, overrides winning, cached; the client services drop that cache."""

import pytest
from django_tenants.utils import schema_context

from apps.billing.services.accounts import billing_account_update
from apps.core import hooks
from apps.core.audit import Actor
from apps.core.hooks import PlanFeatures
from tests.factories import OrganizerFactory, clients_open
from tests.lookups import lookups_cached  # noqa: F401 - the fixture
from tests.tenants import ALPHA

pytestmark = pytest.mark.usefixtures("lookups_cached")


@pytest.fixture
def organizers(alpha):
    with schema_context(ALPHA.schema_name):
        with_account, without = OrganizerFactory(), OrganizerFactory()
        (account,) = clients_open(
            with_account, organization=alpha, plan_slug="plain", box_office=False, max_operators=3
        )
    return account, without


def test_billing_answers_the_plan_features_question(organizers):
    account, without = organizers

    assert hooks.organizers_features.is_answered
    features = hooks.organizers_features(account.organization_id, [account.organizer_id, without.pk])

    assert features == {
        account.organizer_id: PlanFeatures(
            event_replication=True,
            box_office=False,
            custom_domain=True,
            max_operators=3,
            overridden=frozenset(),
        )
    }


def test_a_client_override_drops_the_cached_features(organizers):
    account, _without = organizers
    ask = lambda: hooks.organizers_features(account.organization_id, [account.organizer_id])  # noqa: E731
    assert ask()[account.organizer_id].box_office is False  # now cached

    billing_account_update(
        account_id=account.pk, changes={"box_office_override": True}, actor=Actor(user=None)
    )

    assert ask()[account.organizer_id] == PlanFeatures(
        event_replication=True,
        box_office=True,
        custom_domain=True,
        max_operators=3,
        overridden=frozenset({"box_office"}),
    )


def test_a_client_saved_behind_the_services_leaves_the_cache_alone(organizers):
    """No receiver drops it any more: the services are the one way to change a client."""
    account, _without = organizers
    ask = lambda: hooks.organizers_features(account.organization_id, [account.organizer_id])  # noqa: E731
    assert ask()[account.organizer_id].box_office is False
    account.box_office_override = True
    account.save()

    assert ask()[account.organizer_id].box_office is False
