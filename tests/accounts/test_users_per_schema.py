import re

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core import mail
from django_tenants.utils import schema_context

from apps.accounts.middleware import SESSION_SCHEMA_KEY
from apps.accounts.models import User
from tests.factories import UserFactory, totp_code, totp_for
from tests.tenants import ALPHA, BETA

PASSWORD = "correct horse battery"


def _login(client, host, email, password=PASSWORD):
    return client.post("/accounts/login/", {"login": email, "password": password}, HTTP_HOST=host)


def _whoami(client, host):
    return client.get("/", HTTP_HOST=host).wsgi_request.user


def test_a_user_logs_in_on_the_host_of_their_own_schema(client, alpha):
    with schema_context(alpha.schema_name):
        UserFactory(email="john@example.com")

    response = _login(client, ALPHA.host, "john@example.com")

    assert response.status_code == 302
    assert _whoami(client, ALPHA.host).email == "john@example.com"


def test_a_user_of_one_schema_cannot_log_in_on_another_schemas_host(client, alpha, beta):
    with schema_context(alpha.schema_name):
        UserFactory(email="john@example.com")

    for host in [BETA.host, "localhost"]:
        response = _login(client, host, "john@example.com")
        assert response.status_code == 200
        assert response.context["form"].errors
        assert not _whoami(client, host).is_authenticated


def test_the_same_email_is_an_unrelated_account_in_each_organization(client, alpha, beta):
    with schema_context(alpha.schema_name):
        UserFactory(email="john@example.com", full_name="John at Alpha")
    with schema_context(beta.schema_name):
        UserFactory(email="john@example.com", full_name="John at Beta", password="another secret 42")

    assert _login(client, BETA.host, "john@example.com").status_code == 200  # alpha's password fails
    assert _login(client, BETA.host, "john@example.com", "another secret 42").status_code == 302
    assert _whoami(client, BETA.host).full_name == "John at Beta"


def test_a_session_from_one_host_is_worthless_on_another(client, alpha, beta):
    with schema_context(alpha.schema_name):
        UserFactory(email="john@example.com")
    with schema_context(beta.schema_name):
        UserFactory(email="someone@example.com")  # takes the same id in beta
    _login(client, ALPHA.host, "john@example.com")

    # The test client sends the cookie to every host; beta's session table does not know it.
    assert _whoami(client, ALPHA.host).is_authenticated
    assert not _whoami(client, BETA.host).is_authenticated
    assert not _whoami(client, "localhost").is_authenticated


def test_a_session_bound_to_another_schema_is_logged_out(client, beta):
    with schema_context(beta.schema_name):
        user = UserFactory(email="someone@example.com")
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        session["_auth_user_hash"] = user.get_session_auth_hash()
        session[SESSION_SCHEMA_KEY] = ALPHA.schema_name  # opened elsewhere
        session.create()
    client.cookies["sessionid"] = session.session_key

    assert not _whoami(client, BETA.host).is_authenticated


def test_session_and_csrf_cookies_are_host_only(client, alpha):
    with schema_context(alpha.schema_name):
        UserFactory(email="john@example.com")

    _login(client, ALPHA.host, "john@example.com")

    assert client.cookies["sessionid"]["domain"] == ""
    assert client.cookies["csrftoken"]["domain"] == ""


def _signup(client, host, email, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(
            "/accounts/signup/",
            {"email": email, "password1": "a long pass phrase", "password2": "a long pass phrase"},
            HTTP_HOST=host,
        )


def test_signup_on_an_organization_host_verifies_the_email_with_a_link_to_that_host(
    client, alpha, django_capture_on_commit_callbacks
):
    response = _signup(client, ALPHA.host, "new@example.com", django_capture_on_commit_callbacks)

    assert response.status_code == 302
    with schema_context(alpha.schema_name):
        assert User.objects.filter(email="new@example.com").exists()
    with schema_context("public"):
        assert not User.objects.filter(email="new@example.com").exists()
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+", mail.outbox[0].body).group(0)
    assert link.startswith(f"http://{ALPHA.host}/accounts/confirm-email/")


def test_email_verification_link_confirms_the_address(client, alpha, django_capture_on_commit_callbacks):
    _signup(client, ALPHA.host, "new@example.com", django_capture_on_commit_callbacks)
    link = re.search(r"https?://\S+", mail.outbox[0].body).group(0)
    path = link.split(ALPHA.host, 1)[1]

    client.post(path, HTTP_HOST=ALPHA.host)

    with schema_context(alpha.schema_name):
        assert User.objects.get(email="new@example.com").emailaddress_set.get().verified


def test_password_reset_on_the_platform_host_mails_a_platform_link(
    client, organizations, django_capture_on_commit_callbacks
):
    with schema_context("public"):
        UserFactory(email="admin@platform.example")

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": "admin@platform.example"}, HTTP_HOST="localhost")

    assert len(mail.outbox) == 1
    assert "http://localhost/accounts/password/reset/key/" in mail.outbox[0].body


def test_password_reset_for_an_address_of_another_schema_mails_no_link(
    client, alpha, beta, django_capture_on_commit_callbacks
):
    with schema_context(alpha.schema_name):
        UserFactory(email="john@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": "john@example.com"}, HTTP_HOST=BETA.host)

    assert all("/password/reset/key/" not in message.body for message in mail.outbox)


def test_logout_ends_the_session(client, alpha):
    with schema_context(alpha.schema_name):
        UserFactory(email="john@example.com")
    _login(client, ALPHA.host, "john@example.com")

    client.post("/accounts/logout/", HTTP_HOST=ALPHA.host)

    assert not _whoami(client, ALPHA.host).is_authenticated


def test_operators_reach_the_control_panel_customers_do_not(client, alpha):
    with schema_context(alpha.schema_name):
        UserFactory(email="operator@example.com", is_operator=True)
        UserFactory(email="customer@example.com")

    _login(client, ALPHA.host, "customer@example.com")
    assert client.get("/control/", HTTP_HOST=ALPHA.host).status_code == 403
    client.post("/accounts/logout/", HTTP_HOST=ALPHA.host)
    _login(client, ALPHA.host, "operator@example.com")
    assert client.get("/control/", HTTP_HOST=ALPHA.host).status_code == 200


def test_platform_admins_reach_the_platform_admin(client, organizations):
    with schema_context("public"):
        authenticator = totp_for(UserFactory(email="admin@platform.example", is_staff=True))

    login = _login(client, "localhost", "admin@platform.example")
    assert login["Location"] == "/accounts/2fa/authenticate/"  # allauth asks for the TOTP code
    client.post("/accounts/2fa/authenticate/", {"code": totp_code(authenticator)}, HTTP_HOST="localhost")

    response = client.get("/platform/", HTTP_HOST="localhost")
    assert response.status_code == 200
    assert "Alpha parks" in response.content.decode()
