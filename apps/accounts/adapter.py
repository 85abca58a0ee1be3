from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from django import forms
from django.db import connection
from django.http import Http404
from django_tenants.utils import get_public_schema_name, schema_context

from apps.accounts.models import FacebookApp
from apps.accounts.support import is_support_address, support_address_refusal
from apps.core.emails import email_send
from apps.core.ratelimit import Rate, client_address

FACEBOOK = "facebook"


class AccountAdapter(DefaultAccountAdapter):
    """allauth's e-mails go out through our queue, in the schema of the host that sent them;
    its rate limits see the client address every other limit sees."""

    def get_client_ip(self, request) -> str:
        return client_address(request)

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        # The key of ACCOUNT_RATE_LIMITS["login_failed"]'s per-account rate (allauth counts
        # failed logins and clears them on a password reset under it): per account *and*
        # address, so failures from one address lock the account there only.
        return f"{super()._get_login_attempts_cache_key(request, **credentials)}:{client_address(request)}"

    def clean_email(self, email: str) -> str:
        # Signup, social signup, an added address and a password reset all pass here.
        refusal = support_address_refusal(email)
        if refusal:
            raise forms.ValidationError(refusal, code="reserved")
        return super().clean_email(email)

    def send_mail(self, template_prefix, email, context):
        message = self.render_mail(template_prefix, email, context)
        html_body = next(
            (
                content
                for content, mimetype in getattr(message, "alternatives", [])
                if mimetype == "text/html"
            ),
            "",
        )
        email_send(
            to=list(message.to),
            subject=message.subject,
            body=message.body,
            html_body=html_body,
            from_email=message.from_email,
        )


class FacebookLoginOff(SocialApp.DoesNotExist, Http404):
    """No Facebook app here: allauth's "no such app", which Django answers with a 404
    (the provider's login and callback addresses then do not exist)."""


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Social login providers as the platform's settings configure them.

    Facebook uses the platform's own app (FacebookApp.facebook_app_id/_secret), never
    one from the database or the Django settings, and only on organization hosts: customers
    and operators are users of their organization's schema, so a Facebook sign-in creates or
    finds the user there alone. The platform host (platform admins: password and TOTP) has none.
    """

    def list_apps(self, request, provider=None, client_id=None) -> list[SocialApp]:
        apps = [
            app
            for app in super().list_apps(request, provider=provider, client_id=client_id)
            if app.provider != FACEBOOK
        ]
        if provider in (None, FACEBOOK):
            app = platform_facebook_app(request)
            if app is not None and client_id in (None, app.client_id):
                apps.append(app)
        return apps

    def is_auto_signup_allowed(self, request, sociallogin) -> bool:
        # The support identity's address goes to the signup form, which refuses it.
        if any(is_support_address(address.email) for address in sociallogin.email_addresses):
            return False
        return super().is_auto_signup_allowed(request, sociallogin)

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        if not user.full_name:
            name = data.get("name") or " ".join(filter(None, (data.get("first_name"), data.get("last_name"))))
            user.full_name = (name or "")[: type(user)._meta.get_field("full_name").max_length]
        return user

    def get_app(self, request, provider, client_id=None) -> SocialApp:
        try:
            return super().get_app(request, provider, client_id=client_id)
        except SocialApp.DoesNotExist:
            if provider == FACEBOOK:
                raise FacebookLoginOff from None
            raise


def platform_facebook_app(request) -> SocialApp | None:
    """The platform's Facebook app as an unsaved SocialApp, on organization hosts when the
    platform settings hold both its id and secret; None otherwise. Read once per request
    (allauth asks for the app several times) from the public schema."""
    if connection.schema_name == get_public_schema_name():
        return None
    cached = getattr(request, "_platform_facebook_app", False) if request is not None else False
    if cached is not False:
        return cached
    with schema_context(get_public_schema_name()):
        credentials = (
            FacebookApp.objects.filter(pk=1).values_list("facebook_app_id", "facebook_app_secret").first()
        )
    app = None
    if credentials and all(credentials):
        client_id, secret = credentials
        app = SocialApp(provider=FACEBOOK, name="Facebook", client_id=client_id, secret=secret)
    if request is not None:
        request._platform_facebook_app = app
    return app


def login_failed_retry_after() -> int:
    """Seconds a login refused by ACCOUNT_RATE_LIMITS["login_failed"] may have to wait: its
    longest window (allauth keeps no end time to read)."""
    from allauth.account import app_settings

    rates = (app_settings.RATE_LIMITS.get("login_failed") or "").split(",")
    return max(
        (Rate.parse("/".join(rate.split("/")[:2])).seconds for rate in rates if rate.strip()), default=60
    )
