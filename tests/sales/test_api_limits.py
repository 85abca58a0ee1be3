"""Order creation on the API is throttled per user (settings.RATE_LIMITS["api_order_create"]):
past it, 429 with Retry-After, and nothing sold."""

from django_tenants.utils import schema_context

from apps.sales.models import Order
from tests.factories import ADMIN, SELLER
from tests.tenants import ALPHA


def _sale(world, programme):
    return {
        "distribution": world.team.a_box.pk,
        "email": "buyer@example.com",
        "payment_method": "cash",
        "positions": [{"ticket_type": programme.day1_ticket.pk, "quantity": 1}],
    }


def test_past_the_limit_order_creation_answers_429_with_retry_after(world, programme, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api_order_create": "2/m"}
    seller = world.client(SELLER)

    answers = [seller.post("/api/v1/orders/", _sale(world, programme), format="json") for _ in range(3)]
    other_user = world.client(ADMIN).post("/api/v1/orders/", _sale(world, programme), format="json")
    reading = seller.get("/api/v1/orders/")

    assert [answer.status_code for answer in answers] == [201, 201, 429]
    assert 0 < int(answers[2]["Retry-After"]) <= 60
    assert "detail" in answers[2].json()
    assert other_user.status_code == 201
    assert reading.status_code == 200  # reads are not throttled
    with schema_context(ALPHA.schema_name):
        assert Order.objects.count() == 3
