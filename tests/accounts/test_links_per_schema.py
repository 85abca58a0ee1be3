"""Links e-mailed by allauth and by our own services are valid in their organization only,
even where the other organization's rows have the same ids (twin organizations)."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail, signing
from django.test import Client
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.accounts.services import login_token_consume, login_token_create
from apps.core.tokens import token_sign, token_unsign
from tests.factories import UserFactory, twin_sequences
from tests.tenants import ALPHA, BETA

PASSWORD = "a long pass phrase"
ACCOUNT_TABLES = ("accounts_user", "account_emailaddress")


def _link_path(host: str) -> str:
    link = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
    return link.split(host, 1)[1]


def _twins(email: str, *, verified: bool) -> tuple[User, User]:
    """Users with one address each, of the same ids in alpha and beta."""
    twin_sequences(ALPHA.schema_name, BETA.schema_name, tables=ACCOUNT_TABLES)
    users = []
    for schema_name in (ALPHA.schema_name, BETA.schema_name):
        with schema_context(schema_name):
            users.append(UserFactory(email=email, verified=verified))
    alpha_user, beta_user = users
    with schema_context(BETA.schema_name):
        assert beta_user.pk == alpha_user.pk
        assert beta_user.emailaddress_set.get().pk == _address_pk(ALPHA.schema_name, email)
    return alpha_user, beta_user


def _address_pk(schema_name: str, email: str) -> int:
    with schema_context(schema_name):
        return EmailAddress.objects.get(email=email).pk


def _verified(schema_name: str, email: str) -> bool:
    with schema_context(schema_name):
        return EmailAddress.objects.get(email=email).verified


def test_a_confirmation_link_confirms_its_own_organizations_address_only(
    organizations, django_capture_on_commit_callbacks
):
    alpha_user, _beta_user = _twins("victim@example.com", verified=False)
    owner = Client()
    with schema_context(ALPHA.schema_name):
        owner.force_login(alpha_user)
    with django_capture_on_commit_callbacks(execute=True):
        owner.post(
            "/accounts/email/",
            {"action_send": "", "email": "victim@example.com"},
            HTTP_HOST=ALPHA.host,
        )
    path = _link_path(ALPHA.host)

    on_beta = Client().post(path, HTTP_HOST=BETA.host)

    assert on_beta.status_code != 302  # allauth's "expired or invalid" page, not a confirmation
    assert not _verified(BETA.schema_name, "victim@example.com")
    assert Client().post(path, HTTP_HOST=ALPHA.host).status_code == 302
    assert _verified(ALPHA.schema_name, "victim@example.com")
    assert not _verified(BETA.schema_name, "victim@example.com")


def test_a_signup_confirmation_link_is_worthless_on_another_organization(
    organizations, django_capture_on_commit_callbacks
):
    """Whoever signs up in alpha gets a link; beta's unverified address of the same id stays so."""
    twin_sequences(ALPHA.schema_name, BETA.schema_name, tables=ACCOUNT_TABLES)
    with schema_context(BETA.schema_name):
        UserFactory(email="someone@example.com", verified=False)
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(
            "/accounts/signup/",
            {"email": "attacker@example.com", "password1": PASSWORD, "password2": PASSWORD},
            HTTP_HOST=ALPHA.host,
        )
    assert _address_pk(ALPHA.schema_name, "attacker@example.com") == _address_pk(
        BETA.schema_name, "someone@example.com"
    )

    Client().post(_link_path(ALPHA.host), HTTP_HOST=BETA.host)

    assert not _verified(BETA.schema_name, "someone@example.com")


def test_a_password_reset_link_is_worthless_for_a_copied_user_of_another_organization(
    organizations, django_capture_on_commit_callbacks
):
    """A row copied into another schema (same id, e-mail, password hash and last login) must
    not accept the original's reset link."""
    alpha_user, beta_user = _twins("copied@example.com", verified=True)
    with schema_context(BETA.schema_name):
        User.objects.filter(pk=beta_user.pk).update(password=alpha_user.password)
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/accounts/password/reset/", {"email": "copied@example.com"}, HTTP_HOST=ALPHA.host)
    path = _link_path(ALPHA.host)

    on_beta = Client()
    opened = on_beta.get(path, HTTP_HOST=BETA.host)
    on_beta.post(
        path.replace(path.rstrip("/").rsplit("-", 1)[1], "set-password"),
        {"password1": "the attacker's new one", "password2": "the attacker's new one"},
        HTTP_HOST=BETA.host,
    )

    assert opened.status_code == 200
    assert opened.context["token_fail"]
    with schema_context(BETA.schema_name):
        assert User.objects.get(pk=beta_user.pk).password == alpha_user.password
    on_alpha = Client().get(path, HTTP_HOST=ALPHA.host)
    assert on_alpha.status_code == 302  # on to the set-password step: the link works at home


def test_one_time_login_links_are_bound_to_their_schema(organizations):
    alpha_user, _beta_user = _twins("operator@example.com", verified=True)
    with schema_context(ALPHA.schema_name):
        token = login_token_create(user=alpha_user)

    with schema_context(BETA.schema_name):
        assert login_token_consume(token=token) is None
    with schema_context(ALPHA.schema_name):
        assert login_token_consume(token=token) == alpha_user


def test_a_signed_token_is_valid_for_its_purpose_in_its_schema_only(organizations):
    with schema_context(ALPHA.schema_name):
        token = token_sign({"i": 7}, purpose="tests.thing")
        assert token_unsign(token, purpose="tests.thing") == {"i": 7}
        with pytest.raises(signing.BadSignature):
            token_unsign(token, purpose="tests.other-thing")
    for schema_name in (BETA.schema_name, "public"):
        with schema_context(schema_name), pytest.raises(signing.BadSignature):
            token_unsign(token, purpose="tests.thing")


def test_expired_confirmation_keys_are_deleted_with_expired_sessions(organizations):
    from allauth.account.models import EmailConfirmation
    from django.utils import timezone

    from apps.tenancy.services import sessions_clear_expired

    with schema_context(ALPHA.schema_name):
        address = UserFactory(email="late@example.com", verified=False).emailaddress_set.get()
        old = EmailConfirmation.create(address)
        EmailConfirmation.objects.filter(pk=old.pk).update(sent=timezone.now() - timezone.timedelta(days=4))
        fresh = EmailConfirmation.create(address)
        EmailConfirmation.objects.filter(pk=fresh.pk).update(sent=timezone.now())

        sessions_clear_expired()

        assert list(EmailConfirmation.objects.values_list("pk", flat=True)) == [fresh.pk]
