"""Client signup: recorded from the signup page, its site provisioned in the background
(a new organization, or the owner's in full-service mode), the client let in once."""

import logging
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context

from apps.accounts.models import User
from apps.accounts.services import login_token_create, user_create
from apps.accounts.support import support_address_refusal
from apps.billing.services.accounts import billing_account_open
from apps.core.audit import Actor, audit_log
from apps.core.emails import email_send
from apps.core.exceptions import Conflict
from apps.core.links import url_on
from apps.operators.permissions import platform_admin_emails
from apps.operators.services import operator_link
from apps.organizers.services import organizer_create
from apps.plans.exceptions import NoPrice
from apps.plans.models import Plan
from apps.plans.selectors import currency_of_country, default_currency, plan_price_for_country
from apps.platform.exceptions import RegistrationError
from apps.platform.models import ClientSignup, PlatformSettings
from apps.platform.selectors import platform_brand
from apps.tenancy import services as tenancy
from apps.tenancy.exceptions import ProvisioningError, SlugUnavailable
from apps.tenancy.models import Domain, Organization
from apps.tenancy.selectors import platform_base_domain

logger = logging.getLogger(__name__)


CLIENTS_PATH = "/platform/clients/"  # the platform admins' clients list


def client_signup_request(
    *,
    plan: Plan,
    organizer_name: str,
    slug: str,
    legal_name: str,
    country: str,
    currency: str,
    email: str,
    password: str,
    organization_name: str = "",
    full_name: str = "",
    language: str = "",
    via_host: str = "",
) -> ClientSignup:
    """Record a client's signup; its site is set up in the background once committed.

    Checks what can be checked now: the plan is public and priced, the address is free and
    not reserved, the e-mail has no account in the organization the operator will join
    (full-service). In self-service mode the pending organization is recorded in the same
    transaction, to be cloned from the plan's template site. The password is kept as a hash
    only. Field problems raise a ValidationError by field, a closed signup a RegistrationError.
    """
    slug = slug.strip().lower()
    email = email.strip()
    with schema_context(get_public_schema_name()):
        platform = PlatformSettings.stored()
        full_service = platform.mode == PlatformSettings.Mode.FULL_SERVICE
        owner = platform.owner_organization if full_service else None
        if full_service and (owner is None or not owner.is_ready):
            raise RegistrationError(_("Signup is closed: the platform has no organization to add you to."))
        errors = _signup_check(plan=plan, slug=slug, country=country, email=email, owner=owner)
        if errors:
            raise ValidationError(errors)
        taken = ValidationError({"slug": _("“%(slug)s” is already taken.") % {"slug": slug}})
        with transaction.atomic():
            try:
                with transaction.atomic():  # a signup racing for the same address loses here
                    signup = _signup_record(
                        platform=platform,
                        owner=owner,
                        plan=plan,
                        organization_name=organization_name,
                        organizer_name=organizer_name,
                        slug=slug,
                        legal_name=legal_name,
                        country=country,
                        currency=(currency or currency_of_country(country) or default_currency()).upper(),
                        full_name=full_name,
                        email=email,
                        password_hash=make_password(password),
                        language=language or settings.LANGUAGE_CODE,
                    )
            except (IntegrityError, SlugUnavailable) as exc:
                raise taken from exc
            audit_log(
                actor=Actor(user=None, host=via_host),
                action="client.signup_requested",
                target=signup,
                plan=plan.slug,
                slug=slug,
                mode=platform.mode,
                email=email,
            )
            from apps.platform.tasks import provision_signup  # the task module imports this one

            provision_signup.delay_on_commit(schema_name=get_public_schema_name(), signup_id=str(signup.pk))
    return signup


def _signup_record(
    *,
    platform: PlatformSettings,
    owner: Organization | None,
    plan: Plan,
    organization_name: str,
    **fields: Any,
) -> ClientSignup:
    """The signup row, and in self-service its pending organization, cloned from the plan's
    template site (or the standard template) when provisioned."""
    organization = owner or tenancy.organization_request(
        name=organization_name or fields["organizer_name"],
        slug=fields["slug"],
        template_schema=plan.template_schema,
    )
    return ClientSignup.objects.create(
        mode=platform.mode,
        plan=plan,
        organization=organization,
        organization_name=organization.name,
        terms_accepted_at=timezone.now(),
        **fields,
    )


def _signup_check(
    *, plan: Plan, slug: str, country: str, email: str, owner: Organization | None
) -> dict[str, str]:
    errors = {}
    if not plan.is_public:
        errors["plan"] = _("This plan cannot be chosen online.")
    else:
        try:
            plan_price_for_country(plan=plan, country=country)
        except NoPrice:
            errors["plan"] = _("%(plan)s has no price yet: contact us to sign up for it.") % {"plan": plan}
    try:
        tenancy.slug_check_available(slug)
    except SlugUnavailable as exc:
        errors["slug"] = str(exc)
    else:
        if ClientSignup.objects.filter(slug=slug).exclude(status=ClientSignup.Status.FAILED).exists():
            errors["slug"] = _("“%(slug)s” is already taken.") % {"slug": slug}
    refusal = support_address_refusal(email)
    if refusal:
        errors["email"] = refusal
    elif owner is not None:
        with schema_context(owner.schema_name):
            if User.objects.filter(email__iexact=email).exists():
                errors["email"] = _(
                    "%(email)s already has an account with %(organization)s: log in there instead."
                ) % {
                    "email": email,
                    "organization": owner.name,
                }
    return errors


def client_signup_provision(*, signup_id: UUID | str) -> ClientSignup:
    """Set a signup's site up: clone its organization (self-service), then in its schema the
    operator (with the stored password hash), the organizer and the operator's access to
    it; bind the organizer's host; open the billing account; tell the admins and the client.

    Safe to run twice or at once: the signup row is locked and a finished signup is
    returned untouched. Anything that goes wrong leaves the signup failed with the reason
    for the admins (who are told) and a message for the client, never half a site.
    """
    with schema_context(get_public_schema_name()):
        with transaction.atomic():  # committed at once, so the progress page shows it
            signup = ClientSignup.objects.select_for_update().get(pk=signup_id)
            if signup.is_finished:
                return signup
            if signup.status != ClientSignup.Status.PROVISIONING:
                signup.status = ClientSignup.Status.PROVISIONING
                signup.save(update_fields=["status"])
        with transaction.atomic():
            signup = (
                ClientSignup.objects.select_for_update(of=("self",))
                .select_related("plan", "organization")
                .get(pk=signup_id)
            )
            if signup.is_finished:  # another run finished it while this one waited
                return signup
            try:
                organization = _signup_organization(signup)
                with transaction.atomic():
                    _signup_build(signup, organization)
            except (RegistrationError, ValidationError) as exc:  # about the client's input: say it
                message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                _signup_fail(signup, reason=f"{type(exc).__name__}: {message}", message=message)
            except Exception as exc:  # ours to fix: the client gets no internals
                logger.exception("Client signup %s failed", signup.pk)
                _signup_fail(
                    signup,
                    reason=f"{type(exc).__name__}: {exc}",
                    message=_(
                        "We could not set up your site. Our team has been told and will contact you at "
                        "%(email)s."
                    )
                    % {"email": signup.email},
                )
            else:
                signup.status = ClientSignup.Status.READY
                signup.finished_at = timezone.now()
                signup.password_hash = ""  # the operator has it now; a failed signup keeps it to retry
                signup.save()
                audit_log(
                    actor=Actor(user=None), action="client.signup_ready", target=signup, host=signup.host
                )
                _signup_welcome(signup)
            _signup_tell_admins(signup)
    return signup


def client_signup_retry(*, signup_id: UUID | str, actor: Actor) -> ClientSignup:
    """Provision a failed signup again (once the platform admin fixed its cause)."""
    with schema_context(get_public_schema_name()), transaction.atomic():
        signup = ClientSignup.objects.select_for_update().get(pk=signup_id)
        if signup.status != ClientSignup.Status.FAILED:
            raise Conflict(_("Only a failed signup can be provisioned again."))
        signup.status = ClientSignup.Status.PENDING
        signup.finished_at = None
        try:
            with transaction.atomic():
                signup.save(update_fields=["status", "finished_at"])
        except IntegrityError as exc:
            raise Conflict(_("“%(slug)s” has been taken by another signup.") % {"slug": signup.slug}) from exc
        audit_log(actor=actor, action="client.signup_retried", target=signup, reason=signup.failure_reason)
        from apps.platform.tasks import provision_signup  # the task module imports this one

        provision_signup.delay_on_commit(schema_name=get_public_schema_name(), signup_id=str(signup.pk))
    return signup


def client_signups_stalled(*, older_than_seconds: int = 300) -> list[str]:
    """Signups left unfinished (a lost task, a worker killed mid-way: its work rolled back):
    their ids, for the periodic task that provisions them again."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    with schema_context(get_public_schema_name()):
        return [
            str(signup_id)
            for signup_id in ClientSignup.objects.filter(
                status__in=[ClientSignup.Status.PENDING, ClientSignup.Status.PROVISIONING],
                created_at__lt=cutoff,
            ).values_list("pk", flat=True)
        ]


def _signup_organization(signup: ClientSignup) -> Organization:
    """The live organization the new organizer goes to: its own, cloned now (the clone's
    outcome is kept even if a later step fails), or the owner's."""
    organization = signup.organization
    if organization is None:
        raise RegistrationError(_("The organization of this signup no longer exists."))
    if signup.mode == PlatformSettings.Mode.SELF_SERVICE:
        organization = tenancy.organization_provision(organization_id=organization.pk)
        if not organization.is_ready:
            raise ProvisioningError(organization.failure_reason or _("The site could not be created."))
    elif not organization.is_ready:
        raise RegistrationError(_("%(organization)s is not live.") % {"organization": organization.name})
    return organization


def _signup_build(signup: ClientSignup, organization: Organization) -> None:
    is_own_organization = signup.mode == PlatformSettings.Mode.SELF_SERVICE
    host = tenancy.platform_host_for(signup.slug)
    if is_own_organization:
        domain = tenancy.domain_bind_to_organizer(
            domain=organization.get_primary_domain(), organizer_slug=signup.slug
        )
        host = domain.domain
    elif Domain.objects.filter(domain=host).exists():
        raise RegistrationError(_("“%(slug)s” is already taken.") % {"slug": signup.slug})
    else:
        tenancy.domain_add(organization=organization, domain=host, organizer_slug=signup.slug)
    with schema_context(organization.schema_name):
        if User.objects.filter(email__iexact=signup.email).exists():
            raise RegistrationError(
                _("%(email)s already has an account with %(organization)s: log in there instead.")
                % {"email": signup.email, "organization": organization.name}
            )
        operator = user_create(
            email=signup.email,
            password=None,  # set below from the stored hash: the password itself was never kept
            full_name=signup.full_name,
            is_operator=True,
            is_admin=is_own_organization,  # the owner's organization is not theirs
        )
        operator.password = signup.password_hash
        operator.save(update_fields=["password"])
        actor = Actor(user=operator)
        organizer = organizer_create(
            name=signup.organizer_name,
            slug=signup.slug,
            legal_name=signup.legal_name,
            country=signup.country,
            currency=signup.currency,
            actor=actor,
        )
        operator_link(operator=operator, organizers=[organizer])
        audit_log(
            actor=actor,
            action="organizer.registered",
            target=organizer,
            mode=signup.mode,
            plan=signup.plan.slug,
        )
    billing_account_open(
        organization=organization,
        organizer_id=organizer.pk,
        organizer_name=organizer.name,
        organizer_slug=organizer.slug,
        country=signup.country,
        plan=signup.plan,
        contact_email=signup.email,
        legal_name=signup.legal_name,
    )
    signup.host = host
    signup.operator_id = operator.pk
    signup.organizer_id = organizer.pk


def _signup_fail(signup: ClientSignup, *, reason: str, message: str) -> None:
    signup.status = ClientSignup.Status.FAILED
    signup.failure_reason = reason[:4000]
    signup.failure_message = message
    signup.finished_at = timezone.now()
    signup.save()
    audit_log(
        actor=Actor(user=None), action="client.signup_failed", target=signup, reason=signup.failure_reason
    )


def _signup_welcome(signup: ClientSignup) -> None:
    """The client's welcome e-mail, in the language they signed up in."""
    price = plan_price_for_country(plan=signup.plan, country=signup.country)  # as its billing account
    brand = platform_brand().brand
    with translation.override(signup.language or settings.LANGUAGE_CODE):
        context = {
            "signup": signup,
            "platform": brand,
            "site_url": url_on(signup.host, "/"),
            "control_url": url_on(signup.host, "/control/"),
            "price": price,
        }
        email_send(
            to=[signup.email],
            subject=_("Welcome to %(platform)s: %(organizer)s is online")
            % {"platform": brand.name, "organizer": signup.organizer_name},
            body=render_to_string("platform/email/signup_welcome.txt", context),
        )


def _signup_tell_admins(signup: ClientSignup) -> None:
    """Every platform admin hears of each signup: the new client, or why it failed."""
    admins = platform_admin_emails()
    if not admins:
        return
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "signup": signup,
            "site_url": url_on(signup.host, "/") if signup.host else "",
            "clients_url": url_on(platform_base_domain(), CLIENTS_PATH),  # the platform site answers there
        }
        subject = (
            _("New client: %(organizer)s on %(plan)s")
            if signup.is_ready
            else _("Client signup failed: %(organizer)s on %(plan)s")
        ) % {"organizer": signup.organizer_name, "plan": signup.plan.name}
        email_send(
            to=admins, subject=subject, body=render_to_string("platform/email/signup_admins.txt", context)
        )


def client_signup_enter(*, signup_id: UUID | str) -> tuple[str, str]:
    """Let the client into the control panel of its new site, once: a single-use login token
    of its operator, made in the site's schema. Returns (host, token)."""
    with schema_context(get_public_schema_name()), transaction.atomic():
        signup = (
            ClientSignup.objects.select_for_update(of=("self",))
            .select_related("organization")
            .get(pk=signup_id)
        )
        if not signup.is_ready:
            raise RegistrationError(_("Your site is not ready yet."))
        if signup.landed_at is not None:
            raise Conflict(_("You already went to your control panel from here: log in there."))
        if signup.organization is None or signup.operator_id is None:  # (a ready signup has both)
            raise RegistrationError(_("Your site is not ready yet."))
        signup.landed_at = timezone.now()
        signup.save(update_fields=["landed_at"])
        with schema_context(signup.organization.schema_name):
            operator = User.objects.get(pk=signup.operator_id)
            token = login_token_create(user=operator)
    return signup.host, token
