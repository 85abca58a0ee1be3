"""The REST API's token login, on every host: the same checks as the login page."""

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.mfa.base.forms import AuthenticateForm
from allauth.mfa.utils import is_mfa_enabled
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.settings import api_settings

from apps.accounts.adapter import login_failed_retry_after
from apps.core.api import RATE_LIMITED_RESPONSE, RETRY_AFTER_HEADER, ClientRateThrottle
from apps.core.exceptions import RateLimited

TOO_MANY = "too_many_login_attempts"  # allauth's error code for its failed-login limits


class ApiTokenSerializer(AuthTokenSerializer):
    """A token for e-mail address and password, as allauth's login checks them (the same
    failed-login limits, shared with the login page), plus the code of the user's authenticator
    app when the account has two-factor authentication: a token is no way around it."""

    username = serializers.CharField(label=_("E-mail address"), write_only=True)
    code = serializers.CharField(
        label=_("Authenticator code"),
        write_only=True,
        required=False,
        allow_blank=True,
        help_text=_("The current code of your authenticator app (or a recovery code)."),
    )

    def validate(self, attrs):
        request = self.context["request"]
        try:
            user = get_account_adapter(request).authenticate(
                request, email=attrs["username"].strip(), password=attrs["password"]
            )
        except DjangoValidationError as exc:  # too many failed attempts: 429, like a throttle
            raise RateLimited(retry_after=login_failed_retry_after(), message=exc.messages[0]) from exc
        if user is None or not user.is_active:
            raise serializers.ValidationError(
                _("Unable to log in with provided credentials."), code="authorization"
            )
        if is_mfa_enabled(user):
            if not attrs.get("code"):
                raise serializers.ValidationError(
                    {"code": [_("Enter the code of your authenticator app.")]}, code="authorization"
                )
            second_factor = AuthenticateForm(user=user, data={"code": attrs["code"]})
            if not second_factor.is_valid():  # rate-limited by allauth too
                errors = second_factor.errors.as_data().get("code", [])
                if any(error.code == TOO_MANY for error in errors):
                    raise RateLimited(retry_after=login_failed_retry_after(), message=errors[0].messages[0])
                raise serializers.ValidationError(
                    {"code": second_factor.errors["code"]}, code="authorization"
                )
        attrs["user"] = user
        return attrs


@extend_schema_view(
    post=extend_schema(
        responses={200: ApiTokenSerializer, 400: None, 429: RATE_LIMITED_RESPONSE},
        parameters=[RETRY_AFTER_HEADER],
    )
)
class ApiTokenView(ObtainAuthToken):
    """POST e-mail address (`username`), `password` and, for an account with two-factor
    authentication, the authenticator's `code`: answers `{"token": ...}` for this host's schema."""

    serializer_class = ApiTokenSerializer
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES  # ObtainAuthToken names DRF's own
    throttle_classes = [ClientRateThrottle]
    throttle_scope = "api_token"


api_token = ApiTokenView.as_view()
