"""The shared bases: control-panel views (`control_view`, `require`) and API viewsets that write
through services (`ServiceViewSet`) ask the permission module."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from rest_framework.test import APIRequestFactory, force_authenticate

from apps.core.exceptions import NotAllowed
from apps.operators.api.base import ServiceViewSet
from apps.operators.decorators import control_view, require
from apps.operators.permissions import Action, is_organization_admin
from apps.operators.services import operator_link
from apps.organizers.services import organizer_create
from tests.factories import UserFactory
from tests.tenants import ALPHA


@pytest.fixture
def park(in_alpha):
    a = organizer_create(name="Park A", currency="EUR", country="NL")
    b = organizer_create(name="Park B", currency="EUR", country="NL")
    me = UserFactory(email="me@example.com", is_operator=True)
    operator_link(operator=me, organizers=[a])
    return {"a": a, "b": b, "me": me}


def _request(user):
    request = RequestFactory().get("/control/x/", HTTP_HOST=ALPHA.host)
    request.user = user
    return request


@control_view
def _page(request):
    return HttpResponse("ok")


@control_view(check=is_organization_admin)
def _admin_page(request):
    return HttpResponse("ok")


def test_control_view_sends_anonymous_visitors_to_log_in_and_refuses_non_operators(park):
    assert _page(_request(AnonymousUser())).status_code == 302
    with pytest.raises(PermissionDenied):
        _page(_request(UserFactory(email="customer@example.com")))
    assert _page(_request(park["me"])).status_code == 200


def test_control_view_with_a_check_asks_that_check(park):
    with pytest.raises(PermissionDenied):
        _admin_page(_request(park["me"]))
    assert _admin_page(
        _request(UserFactory(email="admin@example.com", is_operator=True, is_admin=True))
    ).content


def test_require_returns_the_object_it_may_act_on_and_refuses_the_others(park):
    request = _request(park["me"])

    assert require(request, Action.CONFIGURE, park["a"]) == park["a"]
    with pytest.raises(PermissionDenied):
        require(request, Action.CONFIGURE, park["b"])


class _Recorder:
    calls: list = []

    @classmethod
    def update(cls, **kwargs):
        cls.calls.append(kwargs)
        return kwargs["organizer"]


class _Viewset(ServiceViewSet):
    update_service = _Recorder.update
    instance_kwarg = "organizer"
    write_action = Action.CONFIGURE
    create_only_fields = ("currency",)


class _Serializer:
    def __init__(self, instance, data):
        self.instance, self.validated_data = instance, data


def _viewset(user):
    request = APIRequestFactory().patch("/api/v1/x/", HTTP_HOST=ALPHA.host)
    force_authenticate(request, user)
    viewset = _Viewset()
    viewset.request = request
    request.user = user
    return viewset


def test_service_viewset_asks_the_write_action_on_the_object_and_drops_create_only_fields(park):
    _Recorder.calls = []
    viewset = _viewset(park["me"])

    viewset.perform_update(_Serializer(park["a"], {"name": "Park A2", "currency": "CHF"}))
    with pytest.raises(NotAllowed, match="configuration permission"):
        viewset.perform_update(_Serializer(park["b"], {"name": "Park B2"}))

    assert len(_Recorder.calls) == 1
    call = _Recorder.calls[0]
    assert call["organizer"] == park["a"]
    assert call["name"] == "Park A2"
    assert "currency" not in call
    assert call["actor"].user == park["me"]
