"""Nobody but the platform's support identity holds its address (support@<platform domain>,
sub-addresses included) in any organization, by any way in."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django_tenants.utils import schema_context

from apps.accounts.exceptions import AddressReserved
from apps.accounts.models import User
from apps.accounts.services import user_create
from apps.accounts.support import is_support_address
from apps.core.audit import Actor
from apps.operators.services import invitation_create
from apps.platform.services import signup as platform_signup
from apps.platform.services import support as platform_support
from tests.factories import OperatorFactory, OrganizerFactory, UserFactory, totp_for
from tests.plans.factories import plan_build
from tests.tenants import ALPHA

PASSWORD = "a long pass phrase"
SUPPORT = "support@localhost"  # PLATFORM_DOMAIN is localhost in the suite
RESERVED = [SUPPORT, "Support@localhost", "support+alice@localhost"]


def _users(email: str) -> list[str]:
    with schema_context(ALPHA.schema_name):
        return list(User.objects.filter(email__iexact=email.strip()).values_list("email", flat=True))


@pytest.mark.parametrize(
    ("email", "reserved"),
    [
        (SUPPORT, True),
        ("SUPPORT@localhost", True),
        ("support+alice@localhost", True),
        ("support@example.com", False),
        ("supporter@localhost", False),
        ("help.support@localhost", False),
    ],
)
def test_what_is_the_support_address(organizations, email, reserved):
    assert is_support_address(email) is reserved


@pytest.mark.parametrize("email", RESERVED)
def test_a_customer_cannot_sign_up_with_the_support_address(client, alpha, email):
    response = client.post(
        "/accounts/signup/",
        {"email": email, "password1": PASSWORD, "password2": PASSWORD},
        HTTP_HOST=ALPHA.host,
    )

    assert response.status_code == 200
    assert "is reserved for the platform" in response.content.decode()
    assert _users(email) == []
    assert mail.outbox == []


def test_an_ordinary_address_at_the_platform_domain_signs_up(client, alpha):
    response = client.post(
        "/accounts/signup/",
        {"email": "fan@localhost", "password1": PASSWORD, "password2": PASSWORD},
        HTTP_HOST=ALPHA.host,
    )

    assert response.status_code == 302
    assert _users("fan@localhost") == ["fan@localhost"]


def test_a_customer_cannot_add_the_support_address_to_an_account(client, alpha):
    with schema_context(ALPHA.schema_name):
        client.force_login(UserFactory(email="fan@example.com"))

    response = client.post("/accounts/email/", {"action_add": "", "email": SUPPORT}, HTTP_HOST=ALPHA.host)

    assert "is reserved for the platform" in response.content.decode()
    with schema_context(ALPHA.schema_name):
        assert not User.objects.get(email="fan@example.com").emailaddress_set.filter(email=SUPPORT).exists()


def test_the_support_identity_gets_no_password_reset(client, alpha):
    """Its mailbox may be a real one of the platform: a reset there would give it a password."""
    with schema_context("public"):
        staff = UserFactory(email="staff@platform.example", is_staff=True)
        totp_for(staff)
    platform_support.support_session_open(organization=alpha, actor=Actor(user=staff), reason="Help")

    response = client.post("/accounts/password/reset/", {"email": SUPPORT}, HTTP_HOST=ALPHA.host)

    assert "is reserved for the platform" in response.content.decode()
    assert mail.outbox == []
    with schema_context(ALPHA.schema_name):
        assert not User.objects.get(is_support=True).has_usable_password()


def test_an_attempt_to_take_the_address_leaves_support_sessions_working(alpha):
    Client().post(
        "/accounts/signup/",
        {"email": SUPPORT, "password1": PASSWORD, "password2": PASSWORD},
        HTTP_HOST=ALPHA.host,
    )
    with schema_context("public"):
        staff = UserFactory(email="staff@platform.example", is_staff=True)
        url = platform_support.support_session_open(
            organization=alpha, actor=Actor(user=staff), reason="Help"
        )

    assert "/control/login/" in url
    with schema_context(ALPHA.schema_name):
        assert list(User.objects.filter(email__istartswith="support").values_list("email", "is_support")) == [
            (f"support+{staff.pk}@localhost", True)
        ]


def test_an_operator_cannot_invite_the_support_address(client, alpha):
    with schema_context(ALPHA.schema_name):
        organizer = OrganizerFactory()
        admin = OperatorFactory(email="boss@alpha.example", is_admin=True)
        with pytest.raises(AddressReserved, match="reserved for the platform"):
            invitation_create(actor=Actor(user=admin), email="Support@localhost", organizers=[organizer])
        client.force_login(admin)

    page = client.post(
        "/control/invitations/",
        {"email": SUPPORT, "organizers": [organizer.pk]},
        HTTP_HOST=ALPHA.host,
    )

    assert page.status_code == 400
    assert "is reserved for the platform" in page.content.decode()
    with schema_context(ALPHA.schema_name):
        assert not admin.invitations_sent.exists()


def test_no_user_but_the_support_identity_is_created_with_the_address(organizations):
    with schema_context(ALPHA.schema_name):
        with pytest.raises(AddressReserved):
            user_create(email=SUPPORT, password=PASSWORD, is_operator=True)
        assert user_create(email=SUPPORT, password=None, is_admin=True, is_support=True).is_support


def test_a_client_cannot_sign_up_with_the_support_address(organizations):
    with schema_context("public"):
        plan = plan_build(slug="starter")
        with pytest.raises(ValidationError) as raised:
            platform_signup.client_signup_request(
                plan=plan,
                organizer_name="Zeta zoo",
                slug="zeta-zoo",
                legal_name="Zeta Zoo B.V.",
                country="NL",
                currency="EUR",
                email=SUPPORT,
                password=PASSWORD,
            )

    assert "is reserved for the platform" in raised.value.message_dict["email"][0]


def test_facebook_with_the_support_address_is_no_automatic_signup(rf, organizations):
    from allauth.account.models import EmailAddress
    from allauth.socialaccount.models import SocialAccount, SocialLogin

    from apps.accounts.adapter import SocialAccountAdapter

    def login_with(email):
        return SocialLogin(
            user=User(email=email),
            account=SocialAccount(provider="facebook", uid="1"),
            email_addresses=[EmailAddress(email=email)],
        )

    request = rf.get("/", HTTP_HOST=ALPHA.host)
    with schema_context(ALPHA.schema_name):
        assert not SocialAccountAdapter().is_auto_signup_allowed(request, login_with(SUPPORT))
        assert SocialAccountAdapter().is_auto_signup_allowed(request, login_with("fan@example.com"))
