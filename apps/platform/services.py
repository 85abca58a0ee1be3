"""Platform-level writes: the platform's settings, its info pages, organizer registration, approvals,
support sessions."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context

from apps.accounts.models import ApprovalRequest, User
from apps.accounts.services import login_token_create, user_create
from apps.core.audit import Actor, audit_log
from apps.events.services import replication_right_grant
from apps.events.tasks import release_held_replications
from apps.operators.services import operator_link
from apps.organizers.services import organizer_create
from apps.platform.exceptions import RegistrationError, SupportError
from apps.platform.models import InfoPage, PlatformSettings
from apps.platform.selectors import platform_brand_forget
from apps.tenancy import services as tenancy
from apps.tenancy.models import Organization


def platform_settings_update(*, changes: dict, actor: Actor) -> PlatformSettings:
    """Write the given fields of the platform's settings, validated as a whole, and audit
    it: the field names, and the values of all but the secrets. The brand cache is
    dropped once the change is committed."""
    with schema_context(get_public_schema_name()), transaction.atomic():
        PlatformSettings.objects.get_or_create(pk=1)
        platform = PlatformSettings.objects.select_for_update().get(pk=1)
        fields = {field.name: field for field in PlatformSettings._meta.fields}
        for name, value in changes.items():
            fields[name].save_form_data(platform, value)
        platform.full_clean()
        platform.save()
        audit_log(
            actor=actor,
            action="platform.settings_changed",
            target=platform,
            fields=sorted(changes),
            values={
                name: _audit_value(platform, name)
                for name in changes
                if name not in PlatformSettings.SECRET_FIELDS
            },
        )
        transaction.on_commit(platform_brand_forget)
    return platform


def _audit_value(platform: PlatformSettings, name: str) -> str | bool:
    value = getattr(platform, name)
    if isinstance(value, bool):
        return value
    if name == "logo":
        return value.name or ""
    return "" if value is None else str(value)


INFO_PAGE_FIELDS = ("title", "slug", "body", "is_published", "show_in_nav", "sort_order")


def _check_info_page_fields(fields: dict) -> None:
    unknown = set(fields) - set(INFO_PAGE_FIELDS)
    if unknown:
        raise TypeError(f"not an info page field: {', '.join(sorted(unknown))}")


def info_page_create(*, actor: Actor, **fields) -> InfoPage:
    """Create an info page (validated: reserved and taken addresses refused) and audit it;
    the cached brand, which carries the nav's pages, is dropped on commit."""
    _check_info_page_fields(fields)
    with schema_context(get_public_schema_name()), transaction.atomic():
        page = InfoPage(**fields)
        page.full_clean()
        page.save()
        audit_log(actor=actor, action="info_page.created", target=page, slug=page.slug)
        transaction.on_commit(platform_brand_forget)
    return page


def info_page_update(*, page_id: int, changes: dict, actor: Actor) -> InfoPage:
    """Write the given fields of an info page, validated as a whole, and audit their names."""
    _check_info_page_fields(changes)
    with schema_context(get_public_schema_name()), transaction.atomic():
        page = InfoPage.objects.select_for_update().get(pk=page_id)
        for name, value in changes.items():
            setattr(page, name, value)
        page.full_clean()
        page.save()
        audit_log(
            actor=actor, action="info_page.changed", target=page, fields=sorted(changes), slug=page.slug
        )
        transaction.on_commit(platform_brand_forget)
    return page


def info_page_delete(*, page_id: int, actor: Actor) -> None:
    with schema_context(get_public_schema_name()), transaction.atomic():
        page = InfoPage.objects.select_for_update().get(pk=page_id)
        audit_log(actor=actor, action="info_page.deleted", target=page, slug=page.slug)
        page.delete()
        transaction.on_commit(platform_brand_forget)


@dataclass(frozen=True)
class Registration:
    organization: Organization
    host: str
    login_token: str


@transaction.atomic
def organizer_register(
    *,
    organizer_name: str,
    slug: str,
    legal_name: str,
    country: str,
    currency: str,
    email: str,
    password: str,
    full_name: str = "",
    via_host: str = "",
) -> Registration:
    """Create an organizer and its first operator (configuration permission on it).

    Self-service mode gives it a new organization (cloned schema) of which the operator is
    admin; full-service mode puts it in the owner's organization. All or nothing: the
    schema clone is part of the transaction.
    """
    platform = PlatformSettings.load()
    tenancy.slug_check_available(slug)
    if platform.mode == PlatformSettings.Mode.FULL_SERVICE:
        organization = platform.owner_organization
        if organization is None or not organization.is_ready:
            raise RegistrationError(
                _("Registration is closed: the platform has no organization to add you to.")
            )
        host = tenancy.domain_add(
            organization=organization, domain=tenancy.platform_host_for(slug), organizer_slug=slug
        ).domain
        make_admin = False
    else:
        organization = tenancy.organization_create(name=organizer_name, slug=slug)
        domain = organization.get_primary_domain()
        domain.organizer_slug = slug
        domain.save(update_fields=["organizer_slug"])
        host = domain.domain
        make_admin = True

    with schema_context(organization.schema_name):
        if User.objects.filter(email__iexact=email).exists():
            raise RegistrationError(
                _("%(email)s already has an account with %(organization)s: log in there instead.")
                % {"email": email, "organization": organization.name}
            )
        operator = user_create(
            email=email, password=password, full_name=full_name, is_operator=True, is_admin=make_admin
        )
        actor = Actor(user=operator, host=via_host)
        organizer = organizer_create(
            name=organizer_name,
            slug=slug,
            legal_name=legal_name,
            country=country,
            currency=currency,
            actor=actor,
        )
        operator_link(operator=operator, organizers=[organizer])
        audit_log(actor=actor, action="organizer.registered", target=organizer, mode=platform.mode)
        token = login_token_create(user=operator)
    return Registration(organization=organization, host=host, login_token=token)


@transaction.atomic
def approval_grant(*, approval_id: int, actor: Actor) -> ApprovalRequest:
    """Grant an operator's one-time approval; their held requests then run in the background."""
    approval = ApprovalRequest.objects.select_for_update().get(pk=approval_id)
    if approval.status == ApprovalRequest.Status.GRANTED:
        return approval
    approval.status = ApprovalRequest.Status.GRANTED
    approval.decided_by_email = getattr(actor.user, "email", "")
    approval.decided_at = timezone.now()
    approval.save(update_fields=["status", "decided_by_email", "decided_at"])
    audit_log(actor=actor, action="approval.granted", target=approval)
    if approval.kind == ApprovalRequest.Kind.EVENT_REPLICATION:
        with schema_context(approval.organization_schema):
            operator = User.objects.get(pk=approval.operator_id)
            replication_right_grant(operator=operator, granted_by_email=approval.decided_by_email)
        release_held_replications.delay_on_commit(
            schema_name=approval.organization_schema, operator_id=approval.operator_id
        )
    return approval


SUPPORT_FULL_NAME = "Platform support"


def support_email() -> str:
    return f"support@{settings.PLATFORM_DOMAIN}"


@transaction.atomic
def support_session_open(*, organization: Organization, actor: Actor, next_path: str = "") -> str:
    """Let a platform admin into a live organization's control panel with admin power.

    They act as the organization's support identity (created on first use, flagged
    `is_support`, no usable password), through a single-use, short-lived login link bound to
    that organization's schema. Audited on both sides; returns the link, which lands on
    `next_path` when it is a control-panel address.
    """
    if organization.schema_name == get_public_schema_name() or not organization.is_ready:
        raise SupportError(_("%(organization)s is not live.") % {"organization": organization.name})
    domain = organization.get_primary_domain()
    if domain is None:
        raise SupportError(_("%(organization)s has no host.") % {"organization": organization.name})
    host = f"{domain.domain}:{settings.PLATFORM_PORT}" if settings.PLATFORM_PORT else domain.domain
    audit_log(actor=actor, action="support.opened", target=organization, support_host=host)
    with schema_context(organization.schema_name):
        support = User.objects.filter(is_support=True).first()
        if support is None:
            if User.objects.filter(email__iexact=support_email()).exists():
                raise SupportError(
                    _("%(email)s is already an account of %(organization)s: no support identity can use it.")
                    % {"email": support_email(), "organization": organization.name}
                )
            support = user_create(
                email=support_email(),
                password=None,  # unusable: the support identity only ever logs in by link
                full_name=SUPPORT_FULL_NAME,
                is_admin=True,
                is_support=True,
                email_verified=True,
            )
        elif not (support.is_operator and support.is_admin and support.is_active):
            support.is_operator = support.is_admin = support.is_active = True
            support.save(update_fields=["is_operator", "is_admin", "is_active"])
        # The platform admin is recorded by e-mail only (no foreign key across schemas).
        audit_log(actor=actor, action="support.session_opened", target=support, support_host=host)
        token = login_token_create(user=support)
    url = f"{settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL}://{host}/control/login/{token}/"
    if next_path.startswith("/control/"):
        url += "?" + urlencode({"next": next_path})
    return url
