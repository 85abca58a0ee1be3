"""Control panel pages: my team, member permissions, invitations and their acceptance."""

import re

import pytest
from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.core.models import AuditLogEntry
from apps.operators.models import ConfigurationPermission, Invitation, SalePermission
from apps.operators.services import operator_link
from apps.organizers.services import organizer_create
from tests.factories import UserFactory
from tests.tenants import ALPHA

HOST = ALPHA.host


@pytest.fixture
def team(in_alpha):
    a = organizer_create(name="Park A", currency="EUR", country="NL")
    b = organizer_create(name="Park B", currency="EUR", country="NL")
    me = UserFactory(email="me@example.com", is_operator=True)
    operator_link(operator=me, organizers=[a])
    colleague = UserFactory(email="colleague@example.com", is_operator=True)
    operator_link(operator=colleague, organizers=[a, b], distributions=[b.distributions.first()])
    stranger = UserFactory(email="stranger@example.com", is_operator=True)
    operator_link(operator=stranger, organizers=[b])
    return {"a": a, "b": b, "me": me, "colleague": colleague, "stranger": stranger}


def _login(client, user):
    client.force_login(user)
    return client


def test_my_team_lists_only_team_members_and_only_mutual_resources(client, team):
    page = _login(client, team["me"]).get("/control/team/", HTTP_HOST=HOST).content.decode()

    assert "colleague@example.com" in page
    assert "stranger@example.com" not in page
    assert "Park A" in page
    assert "Park B" not in page  # the colleague reaches it, I do not


def test_the_permissions_editor_grants_and_revokes_what_i_configure(client, team):
    client = _login(client, team["me"])
    a_box_office = team["a"].distributions.get(kind="box_office")

    response = client.post(
        f"/control/team/{team['colleague'].pk}/",
        {"organizers": [], "distributions": [a_box_office.pk]},
        HTTP_HOST=HOST,
    )

    assert response.status_code == 302
    with schema_context(ALPHA.schema_name):
        assert not ConfigurationPermission.objects.filter(
            operator=team["colleague"], organizer=team["a"]
        ).exists()
        assert ConfigurationPermission.objects.filter(
            operator=team["colleague"], organizer=team["b"]
        ).exists()
        assert SalePermission.objects.filter(operator=team["colleague"], distribution=a_box_office).exists()
        actions = set(AuditLogEntry.objects.values_list("action", flat=True))
    assert {"permission.configuration.revoked", "permission.sale.granted"} <= actions


def test_the_permissions_editor_of_a_non_member_is_404(client, team):
    response = _login(client, team["me"]).get(f"/control/team/{team['stranger'].pk}/", HTTP_HOST=HOST)

    assert response.status_code == 404


def test_the_permissions_editor_ignores_resources_i_do_not_configure(client, team):
    b_distribution = team["b"].distributions.first()

    _login(client, team["me"]).post(
        f"/control/team/{team['colleague'].pk}/",
        {"organizers": [team["a"].pk, team["b"].pk], "distributions": [b_distribution.pk]},
        HTTP_HOST=HOST,
    )

    with schema_context(ALPHA.schema_name):  # B's links are untouched: not mine to give or take
        assert ConfigurationPermission.objects.filter(
            operator=team["colleague"], organizer=team["b"]
        ).exists()
        assert SalePermission.objects.filter(operator=team["colleague"], distribution=b_distribution).exists()


def _invite(client, email, organizers=(), distributions=(), callbacks=None):
    data = {
        "email": email,
        "organizers": [o.pk for o in organizers],
        "distributions": [d.pk for d in distributions],
    }
    with callbacks(execute=True):
        return client.post("/control/invitations/", data, HTTP_HOST=HOST)


def test_inviting_sends_a_link_that_creates_the_operator_with_exactly_those_permissions(
    client, team, django_capture_on_commit_callbacks
):
    box_office = team["a"].distributions.get(kind="box_office")
    response = _invite(
        _login(client, team["me"]),
        "new@example.com",
        [team["a"]],
        [box_office],
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302
    link = re.search(r"http://\S+", mail.outbox[-1].body).group(0)
    assert link.startswith(f"http://{HOST}/control/invitations/")
    client.logout()

    path = link.split(HOST, 1)[1]
    page = client.get(path, HTTP_HOST=HOST)
    accepted = client.post(
        path,
        {"full_name": "New One", "password1": "a long pass phrase", "password2": "a long pass phrase"},
        HTTP_HOST=HOST,
    )

    assert page.status_code == 200
    assert accepted.status_code == 302
    with schema_context(ALPHA.schema_name):
        operator = User.objects.get(email="new@example.com")
        assert operator.is_operator
        assert not operator.is_admin
        assert list(operator.configuration_permissions.values_list("organizer", flat=True)) == [team["a"].pk]
        assert list(operator.sale_permissions.values_list("distribution", flat=True)) == [box_office.pk]
        assert {"invitation.sent", "invitation.accepted"} <= set(
            AuditLogEntry.objects.values_list("action", flat=True)
        )
    assert client.get("/control/", HTTP_HOST=HOST).status_code == 200  # logged in as the new operator
    reused = client.get(path, HTTP_HOST=HOST)
    assert reused.status_code == 400
    assert "already been used" in reused.content.decode()


def test_reinviting_a_pending_address_is_a_clear_form_error(client, team, django_capture_on_commit_callbacks):
    client = _login(client, team["me"])
    _invite(client, "new@example.com", [team["a"]], callbacks=django_capture_on_commit_callbacks)

    again = _invite(client, "NEW@example.com", [team["a"]], callbacks=django_capture_on_commit_callbacks)

    assert again.status_code == 400
    assert "already has a pending invitation" in again.content.decode()


def test_an_expired_invitation_link_says_so(client, team, django_capture_on_commit_callbacks):
    _invite(
        _login(client, team["me"]),
        "new@example.com",
        [team["a"]],
        callbacks=django_capture_on_commit_callbacks,
    )
    path = re.search(r"http://\S+", mail.outbox[-1].body).group(0).split(HOST, 1)[1]
    with schema_context(ALPHA.schema_name):
        Invitation.objects.update(expires_at=timezone.now() - timezone.timedelta(minutes=1))
    client.logout()

    response = client.get(path, HTTP_HOST=HOST)

    assert response.status_code == 400
    assert "has expired" in response.content.decode()


def test_a_tampered_invitation_link_says_so(client, team):
    response = client.get("/control/invitations/not-a-real-token/", HTTP_HOST=HOST)

    assert response.status_code == 400
    assert "not valid" in response.content.decode()


def test_accepting_with_a_weak_password_shows_the_error(client, team, django_capture_on_commit_callbacks):
    _invite(
        _login(client, team["me"]),
        "new@example.com",
        [team["a"]],
        callbacks=django_capture_on_commit_callbacks,
    )
    path = re.search(r"http://\S+", mail.outbox[-1].body).group(0).split(HOST, 1)[1]
    client.logout()

    response = client.post(path, {"full_name": "N", "password1": "123", "password2": "123"}, HTTP_HOST=HOST)

    assert response.status_code == 400
    assert "too short" in response.content.decode()
    with schema_context(ALPHA.schema_name):
        assert not User.objects.filter(email="new@example.com").exists()


def test_an_existing_user_accepts_while_logged_in_and_is_linked(
    client, team, django_capture_on_commit_callbacks
):
    _invite(
        _login(client, team["me"]),
        "stranger@example.com",
        [team["a"]],
        callbacks=django_capture_on_commit_callbacks,
    )
    path = re.search(r"http://\S+", mail.outbox[-1].body).group(0).split(HOST, 1)[1]

    client.logout()
    assert "log in as stranger@example.com" in client.get(path, HTTP_HOST=HOST).content.decode()
    _login(client, team["stranger"]).post(path, HTTP_HOST=HOST)

    with schema_context(ALPHA.schema_name):
        assert ConfigurationPermission.objects.filter(operator=team["stranger"], organizer=team["a"]).exists()


def test_an_operator_without_configuration_permission_cannot_invite(
    client, team, django_capture_on_commit_callbacks
):
    seller = UserFactory(email="seller@example.com", is_operator=True)
    operator_link(operator=seller, distributions=[team["a"].distributions.first()])

    page = _login(client, seller).get("/control/invitations/", HTTP_HOST=HOST)
    response = _invite(client, "x@example.com", [team["a"]], callbacks=django_capture_on_commit_callbacks)

    assert "once you have configuration permission" in page.content.decode()
    assert response.status_code == 400
    assert mail.outbox == []


def test_withdrawing_an_invitation(client, team, django_capture_on_commit_callbacks):
    client = _login(client, team["me"])
    _invite(client, "new@example.com", [team["a"]], callbacks=django_capture_on_commit_callbacks)
    with schema_context(ALPHA.schema_name):
        invitation = Invitation.objects.get()

    client.post(f"/control/invitations/{invitation.pk}/revoke/", HTTP_HOST=HOST)

    with schema_context(ALPHA.schema_name):
        assert Invitation.objects.get().status == Invitation.Status.REVOKED
