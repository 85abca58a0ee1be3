"""A plan clients are on cannot be deleted: a clear 409, never a 500 (found by the API fuzz run)."""

from apps.billing.services.accounts import billing_account_open
from apps.plans.models import Plan
from tests.factories import PLATFORM_HOST, UserFactory, api_client, api_token, totp_for
from tests.plans.factories import plan_build


def test_a_plan_a_client_is_on_is_not_deleted(alpha):
    plan = plan_build()
    billing_account_open(
        organization=alpha,
        organizer_id=1,
        organizer_name="Alpha park",
        organizer_slug="alpha-park",
        country="FR",
        plan=plan,
    )
    admin = UserFactory(email="admin@platform.test", is_staff=True)
    totp_for(admin)
    client = api_client(host=PLATFORM_HOST, token=api_token(admin))

    response = client.delete(f"/api/v1/plans/{plan.pk}/")

    assert response.status_code == 409
    assert response.json() == {"detail": "“Starter” cannot be deleted: 1 clients or signups are on it."}
    assert Plan.objects.filter(pk=plan.pk).exists()
    assert plan.prices.exists()
