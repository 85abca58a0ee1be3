"""Client signup: the form (on /register/ or the owner's signup page), the background
provisioning, the progress page, landing logged in, the e-mails."""

import re
import uuid
from decimal import Decimal

import pytest
from django.contrib.auth.hashers import check_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.billing.models import BillingAccount
from apps.core.audit import Actor
from apps.core.models import AuditLogEntry
from apps.operators.permissions import organizers_configurable_by
from apps.organizers.models import Organizer
from apps.plans.models import Plan
from apps.plans.services import plan_price_create, plan_update
from apps.platform.models import ClientSignup, InfoPage, PlatformSettings
from apps.platform.services import info_pages
from apps.platform.services import signup as signup_services
from apps.sales.models import FeeRule
from apps.tenancy.models import Domain, Organization
from tests.factories import UserFactory, totp_for
from tests.plans.factories import plan_build
from tests.tenants import ALPHA

FORM = {
    "plan": "starter",
    "organization_name": "Zeta holding",
    "organizer_name": "Zeta zoo",
    "slug": "zeta-zoo",
    "legal_name": "Zeta Zoo B.V.",
    "country": "NL",
    "currency": "EUR",
    "full_name": "Zoe Zeta",
    "email": "zoe@zeta.example",
    "password1": "a long pass phrase",
    "password2": "a long pass phrase",
    "accept_terms": "on",
}
PRO_GBP = {
    "currency": "GBP",
    "monthly_fee": Decimal("85.00"),
    "setup_fee": Decimal("129.00"),
    "fixed_fee": Decimal("0.25"),
    "percent_fee": Decimal("1.00"),
}


@pytest.fixture
def plans(organizations):
    with schema_context("public"):
        starter = plan_build(slug="starter", sort_order=1)
        pro = plan_build(slug="pro", sort_order=2)
        plan_price_create(plan=pro, **PRO_GBP)
        plan_build(slug="secret", name="Secret deal", is_public=False)
        plan_build(slug="pounds", name="Pounds only", price=PRO_GBP)  # nothing in EUR to convert
        UserFactory(email="staff@platform.example", is_staff=True)
        UserFactory(email="retired@platform.example", is_staff=True, is_active=False)
    return {"starter": starter, "pro": pro}


@pytest.fixture
def sign_up(client, plans, django_capture_on_commit_callbacks):
    """Post the signup form; the provisioning task runs (eagerly) once the request commits."""

    def post(path="/register/", **changes):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(path, {**FORM, **changes}, HTTP_HOST="localhost")

    return post


def _signup() -> ClientSignup:
    return ClientSignup.objects.get()


def _progress_path(response) -> str:
    assert response.status_code == 302, response.content.decode()[:3000]
    assert re.fullmatch(r"/register/[0-9a-f-]{36}/", response["Location"]), response["Location"]
    return response["Location"]


def _enter(client, progress_path) -> tuple[str, str]:
    response = client.post(progress_path + "enter/", HTTP_HOST="localhost")
    match = re.match(r"http://([^/]+)(/control/login/[^/]+/)$", response["Location"])
    assert match, response["Location"]
    return match.group(1), match.group(2)


# --- Self-service: a new organization of one's own.


def test_self_service_signup_creates_organization_organizer_admin_operator_and_client(sign_up):
    _progress_path(sign_up())

    signup = _signup()
    assert signup.status == ClientSignup.Status.READY
    assert signup.host == "zeta-zoo.localhost"
    organization = Organization.objects.get(slug="zeta-zoo")
    assert organization.is_ready
    assert organization.name == "Zeta holding"
    assert signup.organization == organization
    assert Domain.objects.get(domain="zeta-zoo.localhost").organizer_slug == "zeta-zoo"
    with schema_context(organization.schema_name):
        organizer = Organizer.objects.get()
        assert organizer.legal_name == "Zeta Zoo B.V."
        assert organizer.currency == "EUR"
        assert sorted(organizer.distributions.values_list("kind", flat=True)) == ["box_office", "online_shop"]
        operator = User.objects.get(email="zoe@zeta.example")
        assert operator.is_operator
        assert operator.is_admin
        assert operator.full_name == "Zoe Zeta"
        assert operator.check_password("a long pass phrase")
        assert list(operator.configuration_permissions.values_list("organizer__slug", flat=True)) == [
            "zeta-zoo"
        ]
        assert AuditLogEntry.objects.filter(action="organizer.registered").exists()
    account = BillingAccount.objects.get()
    assert (account.organization, account.organizer_id) == (organization, organizer.pk)
    assert (account.organizer_name, account.organizer_slug) == ("Zeta zoo", "zeta-zoo")
    assert (account.plan.slug, account.country, account.currency) == ("starter", "NL", "EUR")
    assert account.contact_email == "zoe@zeta.example"
    assert (signup.operator_id, signup.organizer_id) == (operator.pk, organizer.pk)


def test_the_password_is_kept_only_as_a_hash_and_only_until_the_site_is_ready(
    client, plans, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post("/register/", FORM, HTTP_HOST="localhost")

    signup = _signup()
    assert "a long pass phrase" not in signup.password_hash
    assert check_password("a long pass phrase", signup.password_hash)
    assert not AuditLogEntry.objects.filter(data__icontains="a long pass phrase").exists()

    for callback in callbacks:
        callback()

    signup.refresh_from_db()
    assert signup.is_ready
    assert signup.password_hash == ""
    with schema_context(signup.organization.schema_name):
        assert User.objects.get().check_password("a long pass phrase")


def test_the_site_is_made_in_the_background_after_the_request(
    client, plans, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/register/", FORM, HTTP_HOST="localhost")

    progress = _progress_path(response)
    signup = _signup()
    assert signup.status == ClientSignup.Status.PENDING
    assert Organization.objects.get(slug="zeta-zoo").status == Organization.Status.PENDING
    page = client.get(progress, HTTP_HOST="localhost").content.decode()
    assert '<meta http-equiv="refresh"' in page
    assert 'aria-live="polite"' in page
    assert "Waiting to start" in page
    assert client.get(progress + "status/", HTTP_HOST="localhost").json() == {
        "status": "pending",
        "label": "Waiting to start",
        "finished": False,
    }

    for callback in callbacks:
        callback()

    signup.refresh_from_db()
    assert signup.status == ClientSignup.Status.READY
    assert client.get(progress + "status/", HTTP_HOST="localhost").json()["finished"] is True
    page = client.get(progress, HTTP_HOST="localhost").content.decode()
    assert "http-equiv" not in page
    assert "Go to your control panel" in page


def test_provisioning_twice_changes_nothing(sign_up):
    sign_up()
    signup = _signup()

    again = signup_services.client_signup_provision(signup_id=signup.pk)

    assert again.status == ClientSignup.Status.READY
    assert again.finished_at == signup.finished_at
    assert BillingAccount.objects.count() == 1
    with schema_context(signup.organization.schema_name):
        assert Organizer.objects.count() == 1
        assert User.objects.count() == 1


def test_the_plans_template_site_is_cloned(sign_up, plans):
    with schema_context("public"):
        template = Organization.objects.create(
            name="Pro template", slug="pro-template", schema_name="pro_template", status="pending"
        )
    from apps.tenancy.services import organization_provision

    organization_provision(organization_id=template.pk)
    with schema_context("pro_template"):
        FeeRule.objects.create(name="Template's service fee", fixed="0.50")  # organization-wide
    plan_update(plan=plans["pro"], template_schema="pro_template")

    sign_up(plan="pro")

    organization = Organization.objects.get(slug="zeta-zoo")
    assert organization.template_schema == "pro_template"
    with schema_context(organization.schema_name):
        assert FeeRule.objects.filter(name="Template's service fee").exists()


# --- Landing in the control panel.


def test_the_client_lands_logged_in_in_its_own_control_panel(client, sign_up):
    host, path = _enter(client, _progress_path(sign_up()))

    landing = client.get(path, HTTP_HOST=host)
    dashboard = client.get("/control/", HTTP_HOST=host)

    assert host == "zeta-zoo.localhost"
    assert landing.status_code == 302
    assert landing["Location"] == "/control/"
    assert dashboard.status_code == 200
    assert "Zeta zoo" in dashboard.content.decode()


def test_the_control_panel_button_works_once_then_the_page_links_to_the_login(client, sign_up):
    progress = _progress_path(sign_up())
    _enter(client, progress)

    again = client.post(progress + "enter/", HTTP_HOST="localhost")

    assert again.status_code == 302
    assert again["Location"] == progress
    page = client.get(progress, HTTP_HOST="localhost").content.decode()
    assert "already went to your control panel" in page
    assert "Go to your control panel" not in page
    assert 'href="http://zeta-zoo.localhost/control/"' in page
    assert _signup().landed_at is not None


def test_entering_needs_a_post(client, sign_up):
    progress = _progress_path(sign_up())

    assert client.get(progress + "enter/", HTTP_HOST="localhost").status_code == 405
    assert _signup().landed_at is None


def test_the_login_link_works_once(client, sign_up):
    host, path = _enter(client, _progress_path(sign_up()))
    client.get(path, HTTP_HOST=host)
    client.post("/accounts/logout/", HTTP_HOST=host)

    again = client.get(path, HTTP_HOST=host)

    assert again.status_code == 400
    assert "expired or was already used" in again.content.decode()


def test_the_login_link_is_worthless_on_another_organizations_host(client, sign_up):
    host, path = _enter(client, _progress_path(sign_up()))

    response = client.get(path, HTTP_HOST=ALPHA.host)

    assert response.status_code == 400
    assert not client.get("/control/", HTTP_HOST=ALPHA.host).wsgi_request.user.is_authenticated


def test_the_login_link_keeps_the_requests_port(client, sign_up):
    progress = _progress_path(sign_up())

    response = client.post(progress + "enter/", HTTP_HOST="localhost:8000", SERVER_PORT="8000")

    assert response["Location"].startswith("http://zeta-zoo.localhost:8000/control/login/")


def test_only_the_browser_that_signed_up_sees_the_progress(client, sign_up):
    progress = _progress_path(sign_up())
    stranger = Client()

    assert client.get(progress, HTTP_HOST="localhost").status_code == 200
    for path in (progress, progress + "status/"):
        assert stranger.get(path, HTTP_HOST="localhost").status_code == 404
    assert stranger.post(progress + "enter/", HTTP_HOST="localhost").status_code == 404
    assert client.get(f"/register/{uuid.uuid4()}/", HTTP_HOST="localhost").status_code == 404
    assert _signup().landed_at is None


# --- Full-service: the owner's organization.


@pytest.fixture
def full_service(alpha):
    PlatformSettings.objects.update_or_create(
        pk=1, defaults={"mode": PlatformSettings.Mode.FULL_SERVICE, "owner_organization": alpha}
    )
    return alpha


def test_full_service_signup_joins_the_owners_organization(client, sign_up, full_service):
    page = client.get("/register/", HTTP_HOST="localhost").content.decode()
    assert 'name="organization_name"' not in page

    host, _path = _enter(client, _progress_path(sign_up()))

    assert host == "zeta-zoo.localhost"
    assert not Organization.objects.filter(slug="zeta-zoo").exists()
    assert Domain.objects.get(domain="zeta-zoo.localhost").tenant == full_service
    assert Domain.objects.get(domain="zeta-zoo.localhost").organizer_slug == "zeta-zoo"
    with schema_context(full_service.schema_name):
        operator = User.objects.get(email="zoe@zeta.example")
        assert not operator.is_admin  # the owner's organization is not theirs
        assert [o.slug for o in organizers_configurable_by(operator)] == ["zeta-zoo"]
    assert BillingAccount.objects.get().organization == full_service
    assert _signup().mode == PlatformSettings.Mode.FULL_SERVICE


def test_full_service_refuses_an_email_with_an_account_in_the_owners_organization(sign_up, full_service):
    with schema_context(full_service.schema_name):
        UserFactory(email="zoe@zeta.example")

    response = sign_up()

    assert response.status_code == 400
    assert "already has an account with Alpha parks" in " ".join(response.context["form"].errors["email"])
    assert not ClientSignup.objects.exists()


def test_full_service_without_an_owners_organization_is_closed(sign_up, organizations):
    PlatformSettings.objects.update_or_create(pk=1, defaults={"mode": PlatformSettings.Mode.FULL_SERVICE})

    response = sign_up()

    assert response.status_code == 400
    assert "Signup is closed" in response.content.decode()


# --- Bad input.


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"slug": "www"}, "slug", "reserved"),
        ({"slug": "api"}, "slug", "reserved"),
        ({"slug": "admin"}, "slug", "reserved"),
        ({"slug": "platform"}, "slug", "reserved"),
        ({"slug": "alpha"}, "slug", "already taken"),
        ({"slug": "Not a slug!"}, "slug", "lowercase letters"),
        ({"password2": "something else entirely"}, "password2", "differ"),
        ({"password1": "123", "password2": "123"}, "password1", "too short"),
        ({"password1": "zoe@zeta.example", "password2": "zoe@zeta.example"}, "password1", "too similar"),
        ({"currency": "XYZ"}, "currency", "valid choice"),
        ({"country": "ZZ"}, "country", "valid choice"),
        ({"email": "not-an-email"}, "email", "valid email"),
        ({"accept_terms": ""}, "accept_terms", "required"),
        ({"plan": ""}, "plan", "required"),
        ({"plan": "secret"}, "plan", "valid choice"),
        ({"plan": "pounds"}, "plan", "valid choice"),
        ({"organization_name": ""}, "organization_name", "required"),
    ],
)
def test_bad_signup_input_shows_field_errors_and_creates_nothing(sign_up, changes, field, message):
    response = sign_up(**changes)

    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert message in errors.lower()
    assert not ClientSignup.objects.exists()
    assert (
        not Organization.objects.filter(slug__in=["zeta-zoo", changes.get("slug", "")])
        .exclude(
            slug__in=["alpha", "platform"]  # the test organization and the public one were there before
        )
        .exists()
    )


def test_an_address_another_signup_is_setting_up_is_taken(client, plans, django_capture_on_commit_callbacks):
    PlatformSettings.objects.update_or_create(pk=1, defaults={"mode": PlatformSettings.Mode.SELF_SERVICE})
    with django_capture_on_commit_callbacks(execute=False):
        _progress_path(client.post("/register/", FORM, HTTP_HOST="localhost"))

    second = Client().post("/register/", {**FORM, "email": "other@zeta.example"}, HTTP_HOST="localhost")

    assert second.status_code == 400
    assert "already taken" in " ".join(second.context["form"].errors["slug"])
    assert ClientSignup.objects.count() == 1


def test_the_service_checks_the_plan_and_the_address_itself(plans):
    with pytest.raises(ValidationError) as caught:
        signup_services.client_signup_request(
            plan=Plan.objects.get(slug="secret"),
            organizer_name="Zeta zoo",
            slug="www",
            legal_name="Zeta",
            country="NL",
            currency="",
            email="zoe@zeta.example",
            password="a long pass phrase",
        )

    assert set(caught.value.message_dict) == {"plan", "slug"}
    assert not ClientSignup.objects.exists()


def test_the_signup_form_is_served_on_the_platform_host_only(client, plans):
    assert client.get("/register/", HTTP_HOST="localhost").status_code == 200
    assert client.get("/register/", HTTP_HOST=ALPHA.host).status_code == 404


# --- When provisioning fails.


def test_a_failed_provisioning_tells_the_client_clearly_and_the_admins_why(client, sign_up, plans):
    plan_update(plan=plans["starter"], template_schema="missing_template")

    progress = _progress_path(sign_up())

    signup = _signup()
    assert signup.status == ClientSignup.Status.FAILED
    assert "missing_template" in signup.failure_reason
    assert Organization.objects.get(slug="zeta-zoo").status == Organization.Status.FAILED
    assert not BillingAccount.objects.exists()
    page = client.get(progress, HTTP_HOST="localhost").content.decode()
    assert 'role="alert"' in page
    assert "We could not set up your site. Our team has been told" in page
    assert "missing_template" not in page
    assert "Traceback" not in page
    assert "Go to your control panel" not in page
    [admin_mail] = [m for m in mail.outbox if "staff@platform.example" in m.to]
    assert "failed" in admin_mail.subject
    assert "missing_template" in admin_mail.body
    assert not [m for m in mail.outbox if "zoe@zeta.example" in m.to]
    assert client.post(progress + "enter/", HTTP_HOST="localhost")["Location"] == progress


def test_a_failure_after_the_clone_leaves_no_half_site_and_can_be_retried(
    sign_up, plans, django_capture_on_commit_callbacks
):
    """The organizer cannot be made in the new schema (a constraint the template carries):
    the signup fails with the reason; once fixed, the admin's retry finishes it."""
    with schema_context("public"):
        template = Organization.objects.create(
            name="Tpl", slug="tpl-site", schema_name="tpl_site", status="pending"
        )
    from apps.tenancy.services import organization_provision

    organization_provision(organization_id=template.pk)
    with connection.cursor() as cursor:  # a clone copies the template's constraints
        cursor.execute(
            "ALTER TABLE tpl_site.organizers_organizer ADD CONSTRAINT no_zeta CHECK (slug <> 'zeta-zoo')"
        )
    plan_update(plan=plans["starter"], template_schema="tpl_site")

    sign_up()

    signup = _signup()
    assert signup.status == ClientSignup.Status.FAILED
    assert "no_zeta" in signup.failure_reason
    assert not BillingAccount.objects.exists()
    with schema_context(signup.organization.schema_name):
        assert not User.objects.exists()
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE organizers_organizer DROP CONSTRAINT no_zeta")

    with django_capture_on_commit_callbacks(execute=True):
        signup_services.client_signup_retry(signup_id=signup.pk, actor=Actor(user=None))

    signup.refresh_from_db()
    assert signup.status == ClientSignup.Status.READY
    assert BillingAccount.objects.count() == 1


# --- E-mails.


def test_the_platform_admins_hear_of_each_signup_and_the_client_is_welcomed(sign_up):
    sign_up()

    [admin_mail] = [m for m in mail.outbox if "staff@platform.example" in m.to]
    assert "retired@platform.example" not in admin_mail.to
    assert admin_mail.subject == "New client: Zeta zoo on Starter"
    assert "http://localhost/platform/clients/" in admin_mail.body
    assert "http://zeta-zoo.localhost/" in admin_mail.body
    assert "Starter" in admin_mail.body
    [welcome] = [m for m in mail.outbox if m.to == ["zoe@zeta.example"]]
    assert "http://zeta-zoo.localhost/" in welcome.body
    assert "http://zeta-zoo.localhost/control/" in welcome.body
    assert "Your plan: Starter (29.00 EUR per month)" in welcome.body


def test_the_welcome_is_in_the_language_the_client_signed_up_in(client, sign_up):
    client.cookies["django_language"] = "fr"

    sign_up()

    assert _signup().language == "fr"
    [welcome] = [m for m in mail.outbox if m.to == ["zoe@zeta.example"]]
    assert "29,00 EUR" in welcome.body  # French number format
    [admin_mail] = [m for m in mail.outbox if "staff@platform.example" in m.to]
    assert admin_mail.subject == "New client: Zeta zoo on Starter"  # the admins' own language


# --- The form: plans, prices, preselection, the signup page.


def test_the_query_preselects_the_plan_and_prices_in_the_countrys_currency(client, plans):
    html = client.get("/register/?plan=pro&country=GB", HTTP_HOST="localhost").content.decode()

    assert re.search(r'value="pro" id="plan-choice-pro" required checked', html)
    assert "85.00 GBP" in html
    assert "Secret deal" not in html
    assert "Pounds only" in html
    dutch = client.get("/register/?country=NL", HTTP_HOST="localhost").content.decode()
    assert "Pounds only" not in dutch  # no euro price, nor a default-currency one to convert
    assert '<option value="GB" selected>' in html
    assert re.search(r'<option value="GBP" selected>', html)
    assert ".localhost" in html  # the address's help text names the base domain


def test_update_prices_keeps_what_was_typed_and_creates_nothing(client, plans):
    response = client.post(
        "/register/", {**FORM, "country": "GB", "currency": "", "reprice": "1"}, HTTP_HOST="localhost"
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "85.00 GBP" in html
    assert 'value="Zeta zoo"' in html
    assert "a long pass phrase" not in html
    assert not response.context["form"].errors
    assert not ClientSignup.objects.exists()


def test_the_plan_cards_alone_for_the_pages_script(client, plans):
    response = client.get("/register/?part=plans&country=GB&plan=pro", HTTP_HOST="localhost")

    html = response.content.decode()
    assert "<html" not in html
    assert 'data-currency="GBP"' in html
    assert "85.00 GBP" in html
    assert re.search(r'value="pro" id="plan-choice-pro" required checked', html)


def test_the_terms_are_linked_when_the_owner_has_a_terms_page(client, plans):
    assert 'href="/terms/"' not in client.get("/register/", HTTP_HOST="localhost").content.decode()
    info_pages.info_page_create(
        actor=Actor(user=None), title="Terms", slug="terms", body="Be nice.", is_published=True
    )

    html = client.get("/register/", HTTP_HOST="localhost").content.decode()

    assert '<a href="/terms/" target="_blank" rel="noopener">terms of service</a>' in html


def test_a_signup_page_shows_its_text_then_the_form_and_signs_up(
    client, sign_up, django_capture_on_commit_callbacks
):
    info_pages.info_page_create(
        actor=Actor(user=None),
        title="Join us",
        slug="join",
        kind=InfoPage.Kind.SIGNUP,
        body="Sell your tickets with us.",
        is_published=True,
    )

    page = client.get("/join/", HTTP_HOST="localhost").content.decode()
    pricing = client.get("/pricing/?country=GB", HTTP_HOST="localhost").content.decode()
    response = sign_up(path="/join/")

    assert "Sell your tickets with us." in page
    assert page.index("Sell your tickets with us.") < page.index('name="organizer_name"')
    assert 'href="/join/?plan=pro&amp;country=GB"' in pricing
    _progress_path(response)
    assert _signup().status == ClientSignup.Status.READY


def test_an_unpublished_signup_page_is_not_found_and_register_still_works(client, plans):
    info_pages.info_page_create(
        actor=Actor(user=None), title="Join us", slug="join", kind=InfoPage.Kind.SIGNUP, is_published=False
    )

    assert client.get("/join/", HTTP_HOST="localhost").status_code == 404
    assert client.get("/register/", HTTP_HOST="localhost").status_code == 200
    assert 'href="/register/?plan=starter"' in client.get("/pricing/", HTTP_HOST="localhost").content.decode()


def test_a_text_page_takes_no_post(client, plans):
    info_pages.info_page_create(actor=Actor(user=None), title="About", slug="about", is_published=True)

    assert client.post("/about/", FORM, HTTP_HOST="localhost").status_code == 405
    assert connection.schema_name == "public"


# --- The platform admin's side.


@pytest.fixture
def staff_client(client, plans):
    with schema_context("public"):
        staff = User.objects.get(email="staff@platform.example")
        staff.is_superuser = True
        staff.save(update_fields=["is_superuser"])
        totp_for(staff)
        client.force_login(staff)
    return client


def test_the_platform_admin_adds_a_signup_page_to_the_site(staff_client, django_capture_on_commit_callbacks):
    form = {
        "title": "Start selling",
        "slug": "start",
        "kind": "signup",
        "body": "Join us.",
        "is_published": "on",
        "sort_order": "3",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post("/platform/pages/new/", form, HTTP_HOST="localhost")

    assert response.status_code == 302
    assert InfoPage.objects.get(slug="start").kind == InfoPage.Kind.SIGNUP
    html = staff_client.get("/start/", HTTP_HOST="localhost").content.decode()
    assert "Join us." in html
    assert 'name="organizer_name"' in html
    assert "(signup page)" in staff_client.get("/platform/pages/", HTTP_HOST="localhost").content.decode()


def test_the_django_admin_lists_signups_without_their_password_hash(staff_client, sign_up, plans):
    plan_update(plan=plans["starter"], template_schema="missing_template")
    sign_up()
    signup = _signup()

    listing = staff_client.get("/admin/platform/clientsignup/", HTTP_HOST="localhost")
    detail = staff_client.get(f"/admin/platform/clientsignup/{signup.pk}/change/", HTTP_HOST="localhost")

    assert listing.status_code == 200
    assert "Zeta zoo" in listing.content.decode()
    assert detail.status_code == 200
    assert "missing_template" in detail.content.decode()
    assert signup.password_hash not in detail.content.decode()


def test_a_signup_whose_task_was_lost_is_provisioned_by_the_periodic_task(
    client, plans, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from apps.platform.tasks import provision_stalled_signups

    with django_capture_on_commit_callbacks(execute=False):  # the task is lost
        client.post("/register/", FORM, HTTP_HOST="localhost")
    assert provision_stalled_signups.delay(schema_name="public").get() == []  # too recent to tell
    ClientSignup.objects.update(created_at=timezone.now() - timezone.timedelta(minutes=10))

    with django_capture_on_commit_callbacks(execute=True):
        stalled = provision_stalled_signups.delay(schema_name="public").get()

    assert stalled == [str(_signup().pk)]
    assert _signup().status == ClientSignup.Status.READY
    assert provision_stalled_signups.delay(schema_name="public").get() == []


def test_one_network_makes_a_few_signups_an_hour_not_a_flood(
    client, plans, settings, django_capture_on_commit_callbacks
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup": "5/h"}
    for number in range(5):
        with django_capture_on_commit_callbacks(execute=False):  # no clone needed to count
            response = client.post(
                "/register/",
                {**FORM, "slug": f"zeta-{number}-zoo", "email": f"zoe{number}@zeta.example"},
                HTTP_HOST="localhost",
            )
        _progress_path(response)

    sixth = client.post("/register/", {**FORM, "slug": "zeta-six-zoo"}, HTTP_HOST="localhost")
    with django_capture_on_commit_callbacks(execute=False):
        elsewhere = Client(REMOTE_ADDR="10.1.2.3").post(
            "/register/", {**FORM, "slug": "other-zoo", "email": "other@zeta.example"}, HTTP_HOST="localhost"
        )

    assert sixth.status_code == 429
    assert 0 < int(sixth["Retry-After"]) <= 3600
    assert "Too many signups from your network" in sixth.content.decode()
    assert 'value="zeta-six-zoo"' in sixth.content.decode()
    assert elsewhere.status_code == 302
    assert ClientSignup.objects.count() == 6


def test_failed_signup_attempts_count_too(client, plans, settings, django_capture_on_commit_callbacks):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup": "3/h"}
    for _ in range(3):
        typo = client.post("/register/", {**FORM, "password2": "typo"}, HTTP_HOST="localhost")
        assert typo.status_code == 400

    with django_capture_on_commit_callbacks(execute=False):
        right = client.post("/register/", FORM, HTTP_HOST="localhost")

    assert right.status_code == 429
    assert not ClientSignup.objects.exists()


def test_behind_the_proxy_the_address_it_forwarded_counts(
    client, plans, settings, django_capture_on_commit_callbacks
):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup": "5/h"}
    for number in range(5):
        with django_capture_on_commit_callbacks(execute=False):
            _progress_path(
                client.post(
                    "/register/",
                    {**FORM, "slug": f"zeta-{number}-zoo", "email": f"zoe{number}@zeta.example"},
                    HTTP_HOST="localhost",
                    HTTP_X_FORWARDED_FOR=f"192.0.2.{number}, 198.51.100.7",  # forged first, proxy's last
                )
            )

    same_visitor = client.post(
        "/register/",
        {**FORM, "slug": "zeta-six-zoo"},
        HTTP_HOST="localhost",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    with django_capture_on_commit_callbacks(execute=False):
        another_visitor = client.post(
            "/register/",
            {**FORM, "slug": "other-zoo", "email": "other@zeta.example"},
            HTTP_HOST="localhost",
            HTTP_X_FORWARDED_FOR="203.0.113.9",
        )

    assert same_visitor.status_code == 429
    assert another_visitor.status_code == 302


def test_with_no_proxy_trusted_a_forwarded_address_is_ignored(client, plans, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup": "2/h"}
    for number in range(2):
        client.post(
            "/register/",
            {**FORM, "password2": "typo"},
            HTTP_HOST="localhost",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{number}",
        )

    forged = client.post("/register/", FORM, HTTP_HOST="localhost", HTTP_X_FORWARDED_FOR="192.0.2.99")

    assert forged.status_code == 429


def test_signups_go_on_when_the_rate_limits_cannot_be_counted(
    client, plans, settings, django_capture_on_commit_callbacks
):
    down = {**settings.CACHES["ratelimit"], "LOCATION": "redis://127.0.0.1:1/0"}
    settings.CACHES = {**settings.CACHES, "ratelimit": down}
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post("/register/", FORM, HTTP_HOST="localhost")

    _progress_path(response)
