"""The control panel's team: members and their permissions, invitations and their acceptance."""

from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.models import User
from apps.core.audit import Actor
from apps.core.exceptions import DomainError
from apps.operators import selectors, services
from apps.operators.decorators import control_view
from apps.operators.forms import AcceptInvitationForm, AccessForm, InvitationForm
from apps.operators.permissions import organizers_configurable_by


@control_view
def team(request):
    return render(
        request,
        "operators/team.html",
        {
            "members": selectors.team_members_of(request.user),
            "can_assign": organizers_configurable_by(request.user).exists(),
        },
    )


@control_view
def member_permissions(request, pk):
    """Edit a team member's links to what I configure; nothing else of theirs is shown."""
    member = selectors.team_member_of(request.user, pk)
    if member is None:
        raise Http404
    operator = member.user
    form = AccessForm(
        request.POST or None, actor=request.user, initial=_initial_access(operator, request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.operator_access_set(
                actor=Actor.from_request(request),
                operator=operator,
                organizers=form.cleaned_data["organizers"],
                distributions=form.cleaned_data["distributions"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Permissions of %(member)s saved.") % {"member": operator.email})
            return redirect("team")
    return render(request, "operators/member_permissions.html", {"member": member, "form": form})


def _initial_access(operator: User, actor: User) -> dict:
    access = selectors.access_of(operator, seen_by=actor)
    return {"organizers": sorted(access.organizers), "distributions": sorted(access.distributions)}


@control_view
def invitations(request):
    form = InvitationForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                actor=Actor.from_request(request),
                email=form.cleaned_data["email"],
                organizers=form.cleaned_data["organizers"],
                distributions=form.cleaned_data["distributions"],
            )
        except DomainError as exc:
            form.add_error("email" if "@" in str(exc) else None, str(exc))
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("invitations")
    return render(
        request,
        "operators/invitations.html",
        {
            "form": form,
            "invitations": selectors.invitations_visible_to(request.user).select_related("invited_by")[:100],
            "can_invite": form.fields["organizers"].queryset.exists(),
        },
        status=400 if form.errors else 200,
    )


@require_POST
@control_view
def invitation_revoke(request, pk):
    invitation = get_object_or_404(selectors.invitations_visible_to(request.user), pk=pk)
    try:
        services.invitation_revoke(actor=Actor.from_request(request), invitation=invitation)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Invitation to %(email)s withdrawn.") % {"email": invitation.email})
    return redirect("invitations")


def invitation_accept(request, token):
    """The link in the invitation e-mail: create an account, or link the logged-in one."""
    try:
        invitation = services.invitation_from_token(token)
        services.invitation_check_open(invitation)
    except DomainError as exc:
        return render(request, "operators/invitation_accept.html", {"error": str(exc)}, status=400)
    existing = User.objects.filter(email__iexact=invitation.email).first()
    form = None if existing else AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            operator = services.invitation_accept(
                token=token,
                user=request.user if request.user.is_authenticated else None,
                password=form.cleaned_data["password1"] if form else "",
                full_name=form.cleaned_data["full_name"] if form else "",
                host=request.get_host(),
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            if not request.user.is_authenticated:
                login(request, operator, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Your access is ready."))
            return redirect("control-dashboard")
    return render(
        request,
        "operators/invitation_accept.html",
        {"invitation": invitation, "form": form, "existing": existing},
        status=400 if form is not None and form.errors else 200,
    )
