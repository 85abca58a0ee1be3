"""Writes on operators: permission links and invitations."""

from collections.abc import Iterable
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.accounts.models import User
from apps.accounts.services import user_create
from apps.accounts.support import support_address_check
from apps.core.audit import Actor, audit_log
from apps.core.emails import email_send
from apps.core.exceptions import LimitReached
from apps.core.tokens import token_sign, token_unsign
from apps.operators.exceptions import Conflict, InvitationInvalid, NotAllowed
from apps.operators.models import ConfigurationPermission, Invitation, SalePermission
from apps.operators.permissions import Action, can, is_organization_admin, operator_limit_exceeded
from apps.operators.selectors import access_of, team_member_queryset
from apps.organizers.catalog import catalog_changed
from apps.organizers.models import Distribution, Organizer

INVITATION_VALIDITY = timedelta(days=7)
_INVITATION = "operators.invitation"


# --- permission links -----------------------------------------------------------------


def _user(actor: Actor) -> User | None:
    return actor.user if isinstance(actor.user, User) else None


def _check_assignable(actor: Actor, member: User, resource: Organizer | Distribution) -> None:
    # Refusals never name what the actor cannot see: not an organizer outside their reach,
    # not the address of an operator outside their team (ids are easy to walk through).
    if not can(_user(actor), Action.ASSIGN, resource):
        organizer = resource if isinstance(resource, Organizer) else resource.organizer
        if not can(_user(actor), Action.VIEW, organizer):
            raise NotAllowed(_("You need configuration permission on this organizer to assign people to it."))
        raise NotAllowed(
            _("You need configuration permission on %(organizer)s to assign people to it.")
            % {"organizer": organizer}
        )
    if (
        not (is_organization_admin(_user(actor)) and member.is_operator)
        and not team_member_queryset(_user(actor)).filter(pk=member.pk).exists()
    ):
        raise NotAllowed(_("This operator is not one of your team members."))


def _check_operator_limit(
    organizers: Iterable[Organizer], *, email: str, ignore_invitation: int | None = None
) -> None:
    """Refuse when giving `email` access would take an organizer past its plan's maximum of
    operators. The organizers are locked (in id order) so that two invitations at once cannot
    both take the last seat."""
    ids = sorted({organizer.pk for organizer in organizers})
    for organizer in Organizer.objects.select_for_update().filter(pk__in=ids).order_by("pk"):
        maximum = operator_limit_exceeded(organizer, email=email, ignore_invitation=ignore_invitation)
        if maximum is not None:
            raise LimitReached(
                ngettext(
                    "The plan of %(organizer)s allows %(max)d operator, and it has that many (pending "
                    "invitations included): withdraw an invitation or remove someone's access first, "
                    "or ask the platform for a larger plan.",
                    "The plan of %(organizer)s allows %(max)d operators, and it has that many (pending "
                    "invitations included): withdraw an invitation or remove someone's access first, "
                    "or ask the platform for a larger plan.",
                    maximum,
                )
                % {"organizer": organizer.name, "max": maximum}
            )


@transaction.atomic
def configuration_permission_grant(
    *, actor: Actor, operator: User, organizer: Organizer
) -> ConfigurationPermission:
    _check_assignable(actor, operator, organizer)
    _check_operator_limit([organizer], email=operator.email)
    try:
        with transaction.atomic():
            link = ConfigurationPermission.objects.create(
                operator=operator, organizer=organizer, granted_by=_user(actor)
            )
    except IntegrityError:
        raise Conflict(
            _("%(member)s already has configuration permission on %(organizer)s.")
            % {"member": operator.email, "organizer": organizer}
        ) from None
    audit_log(actor=actor, action="permission.configuration.granted", target=operator, organizer=organizer.pk)
    return link


@transaction.atomic
def configuration_permission_revoke(*, actor: Actor, operator: User, organizer: Organizer) -> None:
    _check_assignable(actor, operator, organizer)
    deleted, _rows = ConfigurationPermission.objects.filter(operator=operator, organizer=organizer).delete()
    if not deleted:
        raise Conflict(
            _("%(member)s has no configuration permission on %(organizer)s.")
            % {"member": operator.email, "organizer": organizer}
        )
    audit_log(actor=actor, action="permission.configuration.revoked", target=operator, organizer=organizer.pk)


@transaction.atomic
def sale_permission_grant(*, actor: Actor, operator: User, distribution: Distribution) -> SalePermission:
    _check_assignable(actor, operator, distribution)
    _check_operator_limit([distribution.organizer], email=operator.email)
    try:
        with transaction.atomic():
            link = SalePermission.objects.create(
                operator=operator, distribution=distribution, granted_by=_user(actor)
            )
    except IntegrityError:
        raise Conflict(
            _("%(member)s already has sale permission on %(distribution)s.")
            % {"member": operator.email, "distribution": distribution}
        ) from None
    catalog_changed()
    audit_log(actor=actor, action="permission.sale.granted", target=operator, distribution=distribution.pk)
    return link


@transaction.atomic
def sale_permission_revoke(*, actor: Actor, operator: User, distribution: Distribution) -> None:
    _check_assignable(actor, operator, distribution)
    deleted, _rows = SalePermission.objects.filter(operator=operator, distribution=distribution).delete()
    if not deleted:
        raise Conflict(
            _("%(member)s has no sale permission on %(distribution)s.")
            % {"member": operator.email, "distribution": distribution}
        )
    catalog_changed()
    audit_log(actor=actor, action="permission.sale.revoked", target=operator, distribution=distribution.pk)


@transaction.atomic
def operator_access_set(
    *, actor: Actor, operator: User, organizers: Iterable[Organizer], distributions: Iterable[Distribution]
) -> None:
    """Make the operator's links on what the actor configures exactly these (each grant and
    revocation checked and audited). Grants before revocations: revoking first could end the
    membership the grants need."""
    user = _user(actor)
    if user is None:
        raise NotAllowed(_("This operator is not one of your team members."))
    had = access_of(operator, seen_by=user)
    wanted_organizers = {organizer.pk: organizer for organizer in organizers}
    wanted_distributions = {distribution.pk: distribution for distribution in distributions}
    for pk in sorted(wanted_organizers.keys() - had.organizers):
        configuration_permission_grant(actor=actor, operator=operator, organizer=wanted_organizers[pk])
    for pk in sorted(wanted_distributions.keys() - had.distributions):
        sale_permission_grant(actor=actor, operator=operator, distribution=wanted_distributions[pk])
    revoked_organizers = Organizer.objects.in_bulk(had.organizers - wanted_organizers.keys())
    for pk in sorted(revoked_organizers):
        configuration_permission_revoke(actor=actor, operator=operator, organizer=revoked_organizers[pk])
    revoked_distributions = Distribution.objects.select_related("organizer").in_bulk(
        had.distributions - wanted_distributions.keys()
    )
    for pk in sorted(revoked_distributions):
        sale_permission_revoke(actor=actor, operator=operator, distribution=revoked_distributions[pk])


def operator_link(
    *,
    operator: User,
    organizers: Iterable[Organizer] = (),
    distributions: Iterable[Distribution] = (),
    granted_by: User | None = None,
) -> None:
    """Give an operator these links (missing ones only); callers check and audit."""
    distributions = list(distributions)
    if not operator.is_operator:
        operator.is_operator = True
        operator.save(update_fields=["is_operator"])
    ConfigurationPermission.objects.bulk_create(
        [ConfigurationPermission(operator=operator, organizer=o, granted_by=granted_by) for o in organizers],
        ignore_conflicts=True,
    )
    SalePermission.objects.bulk_create(
        [SalePermission(operator=operator, distribution=d, granted_by=granted_by) for d in distributions],
        ignore_conflicts=True,
    )
    if distributions:
        catalog_changed()


# --- invitations ----------------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    return token_sign({"i": invitation.pk}, purpose=_INVITATION)


@transaction.atomic
def invitation_create(
    *,
    actor: Actor,
    email: str,
    organizers: Iterable[Organizer] = (),
    distributions: Iterable[Distribution] = (),
    accept_host: str = "",
) -> Invitation:
    organizers, distributions = list(organizers), list(distributions)
    if not organizers and not distributions:
        raise Conflict(_("Choose at least one organizer or distribution to give access to."))
    resources: list[Organizer | Distribution] = [*organizers, *distributions]
    for resource in resources:
        if not can(_user(actor), Action.INVITE, resource):
            raise NotAllowed(
                _("You need configuration permission on %(organizer)s to invite people to it.")
                % {"organizer": resource if isinstance(resource, Organizer) else resource.organizer}
            )
    email = User.objects.normalize_email(email).lower()
    support_address_check(email)
    _check_operator_limit([*organizers, *(d.organizer for d in distributions)], email=email)
    pending = Invitation.objects.select_for_update().filter(
        email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    )
    for old in pending:
        if old.status == Invitation.Status.EXPIRED:
            old.revoked_at = timezone.now()  # an expired invitation makes way for a new one
            old.save(update_fields=["revoked_at"])
        else:
            raise Conflict(
                _("%(email)s already has a pending invitation (sent %(date)s); revoke it to send a new one.")
                % {"email": email, "date": timezone.localtime(old.created_at).strftime("%Y-%m-%d")}
            )
    invitation = Invitation.objects.create(
        email=email, invited_by=_user(actor), expires_at=timezone.now() + INVITATION_VALIDITY
    )
    invitation.organizers.set(organizers)
    invitation.distributions.set(distributions)
    audit_log(
        actor=actor,
        action="invitation.sent",
        target=invitation,
        organizers=[o.pk for o in organizers],
        distributions=[d.pk for d in distributions],
    )
    host = accept_host or actor.host
    link = f"{_scheme()}://{host}/control/invitations/{invitation_token(invitation)}/"
    context = {"invitation": invitation, "link": link, "inviter": _user(actor), "host": host}
    email_send(
        to=[email],
        subject=_("You are invited to work on %(host)s") % {"host": host},
        body=render_to_string("operators/email/invitation.txt", context),
    )
    return invitation


def _scheme() -> str:
    return str(settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL)


def invitation_from_token(token: str) -> Invitation:
    """The invitation a link points to, or InvitationInvalid saying why it cannot be used."""
    try:
        payload = token_unsign(token, purpose=_INVITATION, max_age=INVITATION_VALIDITY)
    except signing.SignatureExpired:
        raise InvitationInvalid(_("This invitation has expired. Ask for a new one.")) from None
    except signing.BadSignature:
        raise InvitationInvalid(
            _("This invitation link is not valid. Check that you copied all of it.")
        ) from None
    invitation = Invitation.objects.filter(pk=payload.get("i")).first()
    if invitation is None:
        raise InvitationInvalid(_("This invitation no longer exists."))
    return invitation


def invitation_check_open(invitation: Invitation) -> None:
    status = invitation.status
    if status == Invitation.Status.ACCEPTED:
        raise InvitationInvalid(_("This invitation has already been used. Log in to continue."))
    if status == Invitation.Status.REVOKED:
        raise InvitationInvalid(_("This invitation was withdrawn. Ask for a new one."))
    if status == Invitation.Status.EXPIRED:
        raise InvitationInvalid(_("This invitation has expired. Ask for a new one."))


@transaction.atomic
def invitation_accept(
    *, token: str, user: User | None = None, password: str = "", full_name: str = "", host: str = ""
) -> User:
    """Create or link the invited operator with exactly the invitation's permissions."""
    invitation = invitation_from_token(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    invitation_check_open(invitation)
    # Its seat was held since it was sent; a plan lowered meanwhile may have none left.
    _check_operator_limit(
        [
            *invitation.organizers.all(),
            *(d.organizer for d in invitation.distributions.select_related("organizer")),
        ],
        email=invitation.email,
        ignore_invitation=invitation.pk,
    )
    existing = User.objects.filter(email__iexact=invitation.email).first()
    operator: User
    if existing is not None:
        if user is None or user.pk != existing.pk:
            raise NotAllowed(
                _(
                    "This invitation is for %(email)s, who already has an account: log in as %(email)s to accept it."
                )
                % {"email": invitation.email}
            )
        operator = existing
    else:
        if user is not None and user.is_authenticated:
            raise NotAllowed(
                _("This invitation is for %(email)s; log out first to accept it.")
                % {"email": invitation.email}
            )
        try:
            validate_password(password, User(email=invitation.email, full_name=full_name))
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from None  # a message on the field
        operator = user_create(
            email=invitation.email,
            password=password,
            full_name=full_name,
            is_operator=True,
            email_verified=True,
        )
    EmailAddress.objects.filter(user=operator, email__iexact=invitation.email).update(verified=True)
    operator_link(
        operator=operator,
        organizers=invitation.organizers.all(),
        distributions=invitation.distributions.all(),
        granted_by=invitation.invited_by,
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = operator
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_log(actor=Actor(user=operator, host=host), action="invitation.accepted", target=invitation)
    return operator


@transaction.atomic
def invitation_revoke(*, actor: Actor, invitation: Invitation) -> None:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    resources = [*invitation.organizers.all(), *invitation.distributions.all()]
    configures_all = bool(resources) and all(
        can(_user(actor), Action.INVITE, resource) for resource in resources
    )
    allowed = can(_user(actor), Action.MANAGE_INVITATION, invitation) or configures_all
    if not allowed:
        raise NotAllowed(_("Only its sender or someone who configures all its organizers may withdraw it."))
    invitation_check_open(invitation)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_log(actor=actor, action="invitation.revoked", target=invitation)
