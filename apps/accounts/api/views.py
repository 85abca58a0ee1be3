"""The REST API's token login, on every host: the same checks as the login page; and the
caller's own tokens, to list and revoke."""

from allauth.account import app_settings as account_settings
from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.utils import has_verified_email
from allauth.mfa.base.forms import AuthenticateForm
from allauth.mfa.utils import is_mfa_enabled
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.adapter import login_failed_retry_after
from apps.accounts.models import ApiToken
from apps.accounts.services import api_token_create, api_token_revoke
from apps.core.api import RATE_LIMITED_RESPONSE, RETRY_AFTER_HEADER, ClientRateThrottle
from apps.core.audit import Actor
from apps.core.exceptions import RateLimited

TOO_MANY = "too_many_login_attempts"  # allauth's error code for its failed-login limits


class ApiTokenSerializer(serializers.Serializer):
    """A token for e-mail address and password, as allauth's login checks them (the same
    failed-login limits, shared with the login page; a verified address where the login page
    asks for one), plus the code of the user's authenticator app when the account has
    two-factor authentication: a token is no way around it."""

    username = serializers.CharField(label=_("E-mail address"), write_only=True)
    password = serializers.CharField(
        label=_("Password"), style={"input_type": "password"}, trim_whitespace=False, write_only=True
    )
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
        email = attrs["username"].strip()
        mandatory = account_settings.EMAIL_VERIFICATION == account_settings.EmailVerificationMethod.MANDATORY
        if mandatory and not has_verified_email(user, email):
            raise serializers.ValidationError(
                _("Confirm your e-mail address first: follow the link we sent you, or log in on the site."),
                code="unverified",
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


class ApiTokenCreatedSerializer(serializers.Serializer):
    token = serializers.CharField(
        help_text=_("The secret: shown this once, send it as `Authorization: Token …`.")
    )
    token_key = serializers.CharField(help_text=_("Its first characters, naming it in your list of tokens."))
    expiry = serializers.DateTimeField(allow_null=True, help_text=_("When it stops working (null: never)."))


class ApiTokenListSerializer(serializers.ModelSerializer):
    current = serializers.SerializerMethodField(help_text=_("The token of this request."))

    class Meta:
        model = ApiToken
        fields = ["token_key", "created", "expiry", "current"]

    def get_current(self, token) -> bool:
        return token.pk == getattr(self.context["request"].auth, "pk", None)


@extend_schema_view(
    post=extend_schema(
        request=ApiTokenSerializer,
        responses={200: ApiTokenCreatedSerializer, 400: None, 429: RATE_LIMITED_RESPONSE},
        parameters=[RETRY_AFTER_HEADER],
    )
)
class ApiTokenView(APIView):
    """POST e-mail address (`username`), `password` and, for an account with two-factor
    authentication, the authenticator's `code`: answers a new token of this host's schema,
    `{"token", "token_key", "expiry"}`; list and revoke yours at `/api/v1/auth/tokens/`."""

    permission_classes = []
    throttle_classes = [ClientRateThrottle]
    throttle_scope = "api_token"
    never_conflicts = True  # a new token each time: no 409 (apps.core.api_schema)

    def post(self, request):
        serializer = ApiTokenSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        token, secret = api_token_create(user=user, actor=Actor(user=user, host=request.get_host()))
        return Response({"token": secret, "token_key": token.token_key, "expiry": token.expiry})


class ApiTokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Your own API tokens on this host (never their secrets): DELETE one by its `token_key`
    to revoke it, the one of this request included."""

    permission_classes = [IsAuthenticated]
    serializer_class = ApiTokenListSerializer
    lookup_field = "token_key"
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema's pass, no user
            return ApiToken.objects.none()
        return ApiToken.objects.filter(user=self.request.user).order_by("-created")

    @extend_schema(responses={204: None, 404: None})
    def destroy(self, request, *args, **kwargs):
        return super().destroy(request, *args, **kwargs)

    def perform_destroy(self, instance):
        api_token_revoke(token=instance, actor=Actor.from_request(self.request))


api_token = ApiTokenView.as_view()
