"""Facebook login with the platform's own Facebook app: allauth's real OAuth2 flow, with
Facebook's HTTP endpoints (token exchange, /me) answered by `responses`. A Facebook sign-in
makes or finds the user in the organization of the host it happens on, and nowhere else."""

import hashlib
import hmac
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.core import mail
from django.test import Client
from django_tenants.utils import schema_context
from responses import matchers

from apps.accounts.models import FacebookApp, User
from apps.core.audit import Actor
from apps.platform.services.configuration import platform_settings_update
from tests.factories import UserFactory
from tests.tenants import ALPHA, BETA

APP_ID = "1234567890"
APP_SECRET = "fb-app-secret-0123456789abcdef"
GRAPH = "https://graph.facebook.com/v19.0"
FAN = {
    "id": "10158000000000001",
    "email": "fan@example.com",
    "name": "Fanny Fan",
    "first_name": "Fanny",
    "last_name": "Fan",
}
PLATFORM = "localhost"
LOGIN_URL = "/accounts/facebook/login/"
CALLBACK_URL = "/accounts/facebook/login/callback/"


@pytest.fixture
def facebook_app(organizations):
    platform_settings_update(
        changes={"facebook_app_id": APP_ID, "facebook_app_secret": APP_SECRET}, actor=Actor(user=None)
    )


def _appsecret_proof(token: str) -> str:
    return hmac.new(APP_SECRET.encode(), token.encode(), hashlib.sha256).hexdigest()


def _facebook_answers(rsps, *, host: str, code: str, token: str, profile: dict) -> None:
    """Facebook's side: the code is exchanged for a token (our app's id, secret and this host's
    callback required), and /me answers only with that token and its appsecret_proof."""
    rsps.get(
        f"{GRAPH}/oauth/access_token",
        match=[
            matchers.query_param_matcher(
                {
                    "client_id": APP_ID,
                    "client_secret": APP_SECRET,
                    "code": code,
                    "grant_type": "authorization_code",
                    "redirect_uri": f"http://{host}{CALLBACK_URL}",
                },
                strict_match=False,
            )
        ],
        json={"access_token": token, "token_type": "bearer", "expires_in": 5183944},
    )
    rsps.get(
        f"{GRAPH}/me",
        match=[
            matchers.query_param_matcher(
                {"access_token": token, "appsecret_proof": _appsecret_proof(token)}, strict_match=False
            )
        ],
        json=profile,
    )


def _sign_in_with_facebook(
    client, host: str, *, token: str, code: str = "the-code", profile=FAN, process: str = "login"
):
    """Click "Continue with Facebook" on `host`, come back from Facebook with a code."""
    to_facebook = client.post(f"{LOGIN_URL}?process={process}", HTTP_HOST=host)
    assert to_facebook.status_code == 302, to_facebook.content.decode()[:300]
    dialog = urlsplit(to_facebook["Location"])
    query = parse_qs(dialog.query)
    assert (dialog.netloc, dialog.path) == ("www.facebook.com", "/v19.0/dialog/oauth")
    assert query["client_id"] == [APP_ID]
    assert query["redirect_uri"] == [f"http://{host}{CALLBACK_URL}"]
    with responses.RequestsMock() as rsps:  # every registered call must be made, no other
        _facebook_answers(rsps, host=host, code=code, token=token, profile=profile)
        return client.get(CALLBACK_URL, {"code": code, "state": query["state"][0]}, HTTP_HOST=host)


def _fans(schema_name: str):
    with schema_context(schema_name):
        return list(User.objects.filter(email=FAN["email"]).values_list("pk", "full_name", "is_operator"))


def _facebook_accounts(schema_name: str):
    with schema_context(schema_name):
        return list(SocialAccount.objects.filter(provider="facebook").values_list("user__email", "uid"))


def test_the_login_page_offers_facebook_when_the_platform_has_an_app(client, facebook_app):
    page = client.get("/accounts/login/", HTTP_HOST=ALPHA.host).content.decode()

    assert "Continue with Facebook" in page
    assert f'href="{LOGIN_URL}?process=login"' in page


def test_without_an_app_there_is_no_facebook_button_and_no_facebook_login(client, organizations):
    page = client.get("/accounts/login/", HTTP_HOST=ALPHA.host)

    assert page.status_code == 200
    assert "Facebook" not in page.content.decode()
    assert client.get(LOGIN_URL, HTTP_HOST=ALPHA.host).status_code == 404
    assert client.post(LOGIN_URL, HTTP_HOST=ALPHA.host).status_code == 404
    assert client.get(CALLBACK_URL, {"code": "x", "state": "y"}, HTTP_HOST=ALPHA.host).status_code == 404


def test_an_app_id_without_its_secret_is_no_app(client, organizations):
    with schema_context("public"):  # only possible by writing the row directly
        FacebookApp.objects.update_or_create(pk=1, defaults={"facebook_app_id": APP_ID})

    assert "Facebook" not in client.get("/accounts/login/", HTTP_HOST=ALPHA.host).content.decode()
    assert client.post(LOGIN_URL, HTTP_HOST=ALPHA.host).status_code == 404


def test_the_platform_host_has_no_facebook_login(client, facebook_app):
    """Platform admins sign in with their password and TOTP only."""
    page = client.get("/accounts/login/", HTTP_HOST=PLATFORM)

    assert page.status_code == 200
    assert "Facebook" not in page.content.decode()
    assert client.post(LOGIN_URL, HTTP_HOST=PLATFORM).status_code == 404


def test_a_new_customer_is_created_in_that_organization_only(
    client, facebook_app, alpha, beta, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _sign_in_with_facebook(client, ALPHA.host, token="token-1")

    assert response.status_code == 302, response.content.decode()[:500]
    [(fan_id, full_name, is_operator)] = _fans(alpha.schema_name)
    assert (full_name, is_operator) == ("Fanny Fan", False)  # a customer
    assert _facebook_accounts(alpha.schema_name) == [(FAN["email"], FAN["id"])]
    assert _fans(beta.schema_name) == []
    assert _fans("public") == []
    assert _facebook_accounts(beta.schema_name) == []
    # Facebook's address is not taken as verified: the usual confirmation link, to alpha's host.
    [confirmation] = mail.outbox
    assert confirmation.to == [FAN["email"]]
    assert re.search(rf"http://{re.escape(ALPHA.host)}/accounts/confirm-email/\S+", confirmation.body)


def test_the_same_facebook_user_on_beta_is_another_account(
    facebook_app, alpha, beta, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _sign_in_with_facebook(Client(), ALPHA.host, token="token-at-alpha")
    with schema_context(alpha.schema_name):
        alpha_fan = User.objects.get(email=FAN["email"])

    with django_capture_on_commit_callbacks(execute=True):
        _sign_in_with_facebook(Client(), BETA.host, token="token-at-beta")

    assert len(_fans(alpha.schema_name)) == len(_fans(beta.schema_name)) == 1
    assert _facebook_accounts(alpha.schema_name) == [(FAN["email"], FAN["id"])]
    assert _facebook_accounts(beta.schema_name) == [(FAN["email"], FAN["id"])]
    with schema_context(alpha.schema_name):
        unchanged = User.objects.get(pk=alpha_fan.pk)
        assert (unchanged.date_joined, unchanged.last_login) == (alpha_fan.date_joined, alpha_fan.last_login)
    with schema_context(beta.schema_name):
        assert User.objects.get(email=FAN["email"]).date_joined > alpha_fan.date_joined
    assert [message.to for message in mail.outbox] == [[FAN["email"]], [FAN["email"]]]
    assert BETA.host in mail.outbox[1].body
    assert ALPHA.host not in mail.outbox[1].body


def test_a_beta_account_with_that_address_is_not_linked_from_alpha(
    facebook_app, alpha, beta, django_capture_on_commit_callbacks
):
    with schema_context(beta.schema_name):
        beta_customer = UserFactory(email=FAN["email"], full_name="Beta's own")

    with django_capture_on_commit_callbacks(execute=True):
        _sign_in_with_facebook(Client(), ALPHA.host, token="token-1")

    assert [name for _pk, name, _op in _fans(alpha.schema_name)] == ["Fanny Fan"]
    assert _facebook_accounts(beta.schema_name) == []
    with schema_context(beta.schema_name):
        assert User.objects.get(pk=beta_customer.pk).check_password("correct horse battery")


def test_signing_in_again_finds_the_same_account(facebook_app, alpha, django_capture_on_commit_callbacks):
    with schema_context(alpha.schema_name):
        UserFactory(email="someone.else@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        _sign_in_with_facebook(Client(), ALPHA.host, token="first")
    with schema_context(alpha.schema_name):
        fan = User.objects.get(email=FAN["email"])
        fan.emailaddress_set.update(verified=True)  # the fan confirmed the address

    client = Client()
    response = _sign_in_with_facebook(client, ALPHA.host, token="second")

    assert response.status_code == 302
    assert client.get("/", HTTP_HOST=ALPHA.host).wsgi_request.user.pk == fan.pk
    assert len(_fans(alpha.schema_name)) == 1
    assert _facebook_accounts(alpha.schema_name) == [(FAN["email"], FAN["id"])]


def test_facebook_login_stops_once_the_platform_removes_the_app(client, facebook_app, alpha):
    platform_settings_update(
        changes={"facebook_app_id": "", "facebook_app_secret": ""}, actor=Actor(user=None)
    )

    assert "Facebook" not in client.get("/accounts/login/", HTTP_HOST=ALPHA.host).content.decode()
    assert client.post(LOGIN_URL, HTTP_HOST=ALPHA.host).status_code == 404


def test_only_the_platforms_app_counts_not_one_stored_in_the_organization(client, alpha):
    with schema_context(alpha.schema_name):
        SocialApp.objects.create(provider="facebook", name="Stray", client_id="999", secret="stray")

    assert "Facebook" not in client.get("/accounts/login/", HTTP_HOST=ALPHA.host).content.decode()
    assert client.post(LOGIN_URL, HTTP_HOST=ALPHA.host).status_code == 404

    platform_settings_update(
        changes={"facebook_app_id": APP_ID, "facebook_app_secret": APP_SECRET}, actor=Actor(user=None)
    )
    to_facebook = client.post(LOGIN_URL, HTTP_HOST=ALPHA.host)

    assert parse_qs(urlsplit(to_facebook["Location"]).query)["client_id"] == [APP_ID]
    assert client.get("/accounts/login/", HTTP_HOST=ALPHA.host).content.decode().count("Continue with") == 1


def test_an_existing_customer_links_facebook_to_the_account_then_signs_in_with_it(
    alpha, django_capture_on_commit_callbacks
):
    platform_settings_update(
        changes={"facebook_app_id": APP_ID, "facebook_app_secret": APP_SECRET}, actor=Actor(user=None)
    )
    with schema_context(alpha.schema_name):
        customer = UserFactory(email=FAN["email"], full_name="Fan of alpha")

    # Not linked by e-mail alone (Facebook's address is not verified), nor told that the address
    # has an account (allauth prevents enumeration): the address gets an e-mail saying so.
    with django_capture_on_commit_callbacks(execute=True):
        anonymous = _sign_in_with_facebook(Client(), ALPHA.host, token="anonymous")
    assert anonymous.status_code == 302
    assert anonymous["Location"] == "/accounts/confirm-email/"
    assert _facebook_accounts(alpha.schema_name) == []
    assert len(_fans(alpha.schema_name)) == 1
    [notice] = mail.outbox
    assert notice.to == [FAN["email"]]
    assert "already" in notice.body
    assert ALPHA.host in notice.body

    signed_in = Client()
    with schema_context(alpha.schema_name):
        signed_in.force_login(customer)
    connected = _sign_in_with_facebook(signed_in, ALPHA.host, token="connecting", process="connect")

    assert connected.status_code == 302
    assert _facebook_accounts(alpha.schema_name) == [(FAN["email"], FAN["id"])]

    client = Client()
    _sign_in_with_facebook(client, ALPHA.host, token="later")

    assert client.get("/", HTTP_HOST=ALPHA.host).wsgi_request.user.pk == customer.pk
    assert len(_fans(alpha.schema_name)) == 1
