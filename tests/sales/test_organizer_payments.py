"""An organizer connects its Stripe account from the control panel and sees its state."""

import responses
from django.test import Client
from django_tenants.utils import schema_context

from apps.payments.models import ConnectedAccount
from tests.factories import world_build
from tests.payments import stripe_fake
from tests.tenants import ALPHA


def _client(user):
    client = Client(HTTP_HOST=ALPHA.host)
    with schema_context(ALPHA.schema_name):
        client.force_login(user)
    return client


def test_a_configurer_connects_stripe_and_comes_back_to_its_state(alpha, beta, stripe_platform, stripe_api):
    world = world_build(alpha, beta)
    organizer = world.team.a
    client = _client(world.team.configurer)
    stripe_api.add(
        responses.POST,
        f"{stripe_fake.API}/v1/accounts",
        json={"id": "acct_1Conf", "object": "account", "charges_enabled": False, "details_submitted": False},
    )
    stripe_api.add(
        responses.POST,
        f"{stripe_fake.API}/v1/account_links",
        json={"object": "account_link", "url": "https://connect.stripe.com/setup/e/acct_1Conf/x"},
    )
    stripe_api.add(
        responses.GET,
        f"{stripe_fake.API}/v1/accounts/acct_1Conf",
        json={
            "id": "acct_1Conf",
            "object": "account",
            "charges_enabled": True,
            "payouts_enabled": True,
            "details_submitted": True,
        },
    )
    url = f"/control/organizers/{organizer.pk}/payments/"

    before = client.get(url)
    connect = client.post(url)
    back = client.get(url + "?back=1")

    assert "Not connected" in before.content.decode()
    assert connect.status_code == 302
    assert connect["Location"] == "https://connect.stripe.com/setup/e/acct_1Conf/x"
    link = stripe_fake.form(stripe_api.calls[1].request)
    assert link["return_url"] == f"http://{ALPHA.host}{url}?back=1"
    assert "acct_1Conf" in back.content.decode()
    assert "Connect with Stripe" not in back.content.decode()
    with schema_context("public"):  # the public table; every schema has an (empty) copy
        assert ConnectedAccount.objects.get(stripe_account_id="acct_1Conf").charges_enabled


def test_only_who_configures_the_organizer_sees_its_payments(alpha, beta, stripe_platform):
    world = world_build(alpha, beta)
    url = f"/control/organizers/{world.team.a.pk}/payments/"

    assert _client(world.team.seller).get(url).status_code == 404
    assert _client(world.team.other).get(url).status_code == 404
    assert _client(world.team.admin).get(url).status_code == 200
    assert Client(HTTP_HOST=ALPHA.host).get(url).status_code == 302  # to the login page


def test_without_platform_keys_the_page_says_so(alpha, beta):
    world = world_build(alpha, beta)
    client = _client(world.team.configurer)
    url = f"/control/organizers/{world.team.a.pk}/payments/"

    answer = client.post(url, follow=True)

    assert "Online payment is not available" in answer.content.decode()
