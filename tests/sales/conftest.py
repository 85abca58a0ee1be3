import pytest
from django_tenants.utils import schema_context

from apps.events import services as events
from tests.factories import clients_open, programme_build, world_build
from tests.payments.fixtures import (  # noqa: F401
    localstripe,
    localstripe_webhooks,
    platform_on_localstripe,
    stripe_api,
    stripe_platform,
)
from tests.sales.helpers import figures_sales_build
from tests.tenants import ALPHA


@pytest.fixture
def world(alpha, beta):
    """Twin organizations' teams (tests.factories), alpha's organizers on a plan with every
    feature; a test file may build its own."""
    world = world_build(alpha, beta)
    clients_open(world.team.a, world.team.b, organization=alpha)
    return world


@pytest.fixture
def programme(world):
    """alpha's programme with its concert published."""
    with schema_context(ALPHA.schema_name):
        programme = programme_build(world.team)
        events.event_publish(event=programme.concert)
    return programme


@pytest.fixture
def figures_sales(world, programme):
    """alpha's sales of tests.sales.helpers.figures_sales_build, for the figures pages' tests."""
    with schema_context(ALPHA.schema_name):
        return figures_sales_build(world.team, programme, "ALPHA")
