"""The owner's admin pages of the platform host (/platform/…): platform admins only."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from apps.accounts.models import ApprovalRequest
from apps.core.audit import Actor
from apps.core.forms import add_validation_errors, call_for_form
from apps.operators.decorators import requires_platform_admin
from apps.platform.forms import (
    InfoPageForm,
    PlatformSettingsForm,
    SupportSessionForm,
)
from apps.platform.models import InfoPage
from apps.platform.selectors import (
    approval_subject,
    approvals_pending_first,
    info_pages_in_order,
    organizations_with_domains,
    platform_configuration,
)
from apps.platform.services import approvals as approval_services
from apps.platform.services import configuration as configuration_services
from apps.platform.services import info_pages as info_page_services
from apps.platform.services import support as support_services


@requires_platform_admin
def platform_dashboard(request):
    return render(request, "platform/dashboard.html", {"organizations": organizations_with_domains()})


@require_http_methods(["GET", "POST"])
@requires_platform_admin
def support_session_open(request, pk):
    """Ask why, then open a support session on an organization: lands the admin in its
    control panel. A button that posts no reason (dashboard, client pages) gets the form."""
    organization = get_object_or_404(organizations_with_domains(), pk=pk)
    asked = request.method == "POST" and "reason" in request.POST
    form = SupportSessionForm(
        request.POST if asked else None,
        initial={"next": request.POST.get("next") or request.GET.get("next", "")},
    )
    if asked and form.is_valid():
        went, url = call_for_form(
            form,
            support_services.support_session_open,
            organization=organization,
            actor=Actor.from_request(request),
            reason=form.cleaned_data["reason"],
            next_path=form.cleaned_data["next"],
        )
        if went:
            return redirect(url)
    context = {"organization": organization, "form": form, "minutes": settings.SUPPORT_SESSION_MINUTES}
    return render(request, "platform/support_open.html", context, status=400 if form.errors else 200)


@requires_platform_admin
def approvals(request):
    return render(request, "platform/approvals.html", {"approvals": approvals_pending_first()[:200]})


@requires_platform_admin
def approval_detail(request, pk):
    approval = get_object_or_404(ApprovalRequest, pk=pk)
    if request.method == "POST":
        approval_services.approval_grant(approval_id=approval.pk, actor=Actor.from_request(request))
        messages.success(
            request,
            _("%(email)s may now replicate events; the held requests are running.")
            % {"email": approval.operator_email},
        )
        return redirect("platform-approval", pk=approval.pk)
    return render(
        request, "platform/approval_detail.html", {"approval": approval, **approval_subject(approval)}
    )


@requires_platform_admin
def platform_settings(request):
    """The platform's brand, site, registration mode and Stripe account."""
    configuration = platform_configuration()
    brand = configuration.brand
    logo_url = brand.logo.url if brand.logo else ""  # the stored one, before the form edits it
    form = PlatformSettingsForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        configuration=configuration,
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        try:
            configuration_services.platform_settings_update(
                changes=form.changes(), actor=Actor.from_request(request)
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, _("The platform settings are saved."))
            return redirect("platform-settings")
    return render(
        request,
        "platform/settings.html",
        {"form": form, "logo_url": logo_url},
        status=400 if form.errors else 200,
    )


@requires_platform_admin
def info_pages(request):
    return render(request, "platform/info_pages.html", {"pages": info_pages_in_order()})


@requires_platform_admin
def info_page_create(request):
    form = InfoPageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done, page = call_for_form(
            form,
            info_page_services.info_page_create,
            actor=Actor.from_request(request),
            **{name: form.cleaned_data[name] for name in form.Meta.fields},
        )
        if done:
            messages.success(request, _("The page “%(title)s” is created.") % {"title": page.title})
            return redirect("platform-info-pages")
    return render(request, "platform/info_page_form.html", {"form": form}, status=400 if form.errors else 200)


@requires_platform_admin
def info_page_edit(request, pk):
    page = get_object_or_404(InfoPage, pk=pk)
    stored_title = page.title  # the heading's, before the form edits the instance
    form = InfoPageForm(request.POST or None, instance=page)
    if request.method == "POST" and form.is_valid():
        done, page = call_for_form(
            form,
            info_page_services.info_page_update,
            page_id=pk,
            changes=form.changes(),
            actor=Actor.from_request(request),
        )
        if done:
            messages.success(request, _("The page “%(title)s” is saved.") % {"title": page.title})
            return redirect("platform-info-pages")
    return render(
        request,
        "platform/info_page_form.html",
        {"form": form, "page": page, "stored_title": stored_title},
        status=400 if form.errors else 200,
    )


@requires_platform_admin
def info_page_delete(request, pk):
    page = get_object_or_404(InfoPage, pk=pk)
    if request.method == "POST":
        info_page_services.info_page_delete(page_id=page.pk, actor=Actor.from_request(request))
        messages.success(request, _("The page “%(title)s” is deleted.") % {"title": page.title})
        return redirect("platform-info-pages")
    return render(request, "platform/info_page_delete.html", {"page": page})
