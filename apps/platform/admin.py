from allauth.account.admin import EmailAddressAdmin
from allauth.account.models import EmailAddress
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import ApiToken, ApprovalRequest, FacebookApp
from apps.core.admin_sites import platform_admin_site
from apps.core.audit import Actor
from apps.core.exceptions import DomainError
from apps.core.models import Branding
from apps.payments.models import PlatformStripeAccount
from apps.platform.forms import InfoPageForm, PlatformSettingsPartsForm
from apps.platform.models import ClientSignup, InfoPage, PlatformSettings
from apps.platform.services.configuration import platform_settings_update
from apps.platform.services.info_pages import info_page_create, info_page_delete, info_page_update
from apps.platform.services.signup import client_signup_retry


@admin.register(PlatformSettings, site=platform_admin_site)
class PlatformSettingsAdmin(admin.ModelAdmin):
    """The platform's settings with the other parts of its settings page (brand, hosts), as
    one. Stripe and Facebook values are read-only here (secrets masked): changing them needs
    the admin's password, which only the platform's settings page (/platform/settings/) asks for."""

    form = PlatformSettingsPartsForm
    list_display = ["__str__", "brand_name", "mode", "owner_organization"]
    fields = [
        "name",
        "logo",
        "primary_color",
        "accent_color",
        "support_email",
        "legal_footer",
        "default_currency",
        "base_domain",
        "name_servers",
        "mode",
        "owner_organization",
        "show_powered_by",
    ]
    readonly_fields = [
        "stripe_secret_key_masked",
        "stripe_publishable_key",
        "stripe_webhook_secret_masked",
        "stripe_connect_client_id",
        "facebook_app_id",
    ]

    def get_fields(self, request, obj=None):
        return [*self.fields, *self.readonly_fields]

    def has_add_permission(self, request):
        return not PlatformSettings.objects.exists()

    @admin.display(description=_("platform name"))
    def brand_name(self, obj):
        return Branding.stored().name

    @admin.display(description=_("Stripe secret key"))
    def stripe_secret_key_masked(self, obj):
        return PlatformStripeAccount.stored().stripe_secret_key_masked or "—"

    @admin.display(description=_("Stripe publishable key"))
    def stripe_publishable_key(self, obj):
        return PlatformStripeAccount.stored().stripe_publishable_key or None

    @admin.display(description=_("Stripe webhook signing secret"))
    def stripe_webhook_secret_masked(self, obj):
        return PlatformStripeAccount.stored().stripe_webhook_secret_masked or "—"

    @admin.display(description=_("Stripe Connect client id"))
    def stripe_connect_client_id(self, obj):
        return PlatformStripeAccount.stored().stripe_connect_client_id or None

    @admin.display(description=_("Facebook app id"))
    def facebook_app_id(self, obj):
        return FacebookApp.stored().facebook_app_id or None

    def save_model(self, request, obj, form, change):
        # Through the service, as the settings page does: validated, audited, caches dropped.
        saved = platform_settings_update(
            changes={name: form.cleaned_data[name] for name in form.changed_data},
            actor=Actor.from_request(request),
        )
        obj.pk = saved.platform.pk


platform_admin_site.register(Group, GroupAdmin)

# allauth registers on the default (organization) admin; the platform admin wants it too.
platform_admin_site.register(EmailAddress, EmailAddressAdmin)


@admin.register(ApiToken, site=platform_admin_site)
class ApiTokenAdmin(admin.ModelAdmin):
    """Platform admins' API tokens: seen and revoked here, made at /api/v1/auth/token/ (the
    secret is shown once, to its owner)."""

    list_display = ["token_key", "user", "created", "expiry"]
    search_fields = ["user__email", "token_key"]
    fields = readonly_fields = ["token_key", "user", "created", "expiry"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ApprovalRequest, site=platform_admin_site)
class ApprovalRequestAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "operator_email", "organization_name", "subject_name", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["operator_email", "organization_name", "subject_name"]


@admin.register(InfoPage, site=platform_admin_site)
class InfoPageAdmin(admin.ModelAdmin):
    """Saved and deleted through the services, as on /platform/pages/: audited, nav cache dropped."""

    form = InfoPageForm
    list_display = ["title", "slug", "kind", "is_published", "show_in_nav", "sort_order", "updated_at"]
    list_filter = ["kind", "is_published", "show_in_nav"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}

    def save_model(self, request, obj, form, change):
        actor = Actor.from_request(request)
        if change:
            saved = info_page_update(page_id=obj.pk, changes=form.changes(), actor=actor)
        else:
            saved = info_page_create(
                actor=actor, **{name: form.cleaned_data[name] for name in form.Meta.fields}
            )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        info_page_delete(page_id=obj.pk, actor=Actor.from_request(request))

    def delete_queryset(self, request, queryset):
        for page_id in queryset.values_list("pk", flat=True):
            info_page_delete(page_id=page_id, actor=Actor.from_request(request))


@admin.register(ClientSignup, site=platform_admin_site)
class ClientSignupAdmin(admin.ModelAdmin):
    """Signups as they were made (read only); a failed one can be provisioned again once its
    cause is fixed."""

    list_display = ["created_at", "organizer_name", "slug", "plan", "email", "mode", "status", "host"]
    list_filter = ["status", "mode", "plan"]
    search_fields = ["organizer_name", "slug", "email", "organization_name"]
    exclude = ["password_hash"]
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Provision the selected failed signups again"))
    def retry(self, request, queryset):
        for signup in queryset.filter(status=ClientSignup.Status.FAILED):
            try:
                client_signup_retry(signup_id=signup.pk, actor=Actor.from_request(request))
            except DomainError as exc:
                self.message_user(request, f"{signup}: {exc}", messages.ERROR)
            else:
                self.message_user(request, _("%(signup)s: provisioning again.") % {"signup": signup})
