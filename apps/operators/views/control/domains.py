"""The control panel's custom domains: an organizer's own host names, their DNS records and
checks (services and reads in apps.tenancy; who may is the permission module's)."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.audit import Actor
from apps.core.forms import call_for_form
from apps.operators.decorators import control_view, require
from apps.operators.permissions import Action, can, organizers_configurable_by, organizers_visible_to
from apps.tenancy import selectors, services
from apps.tenancy.forms import CustomDomainForm
from apps.tenancy.models import Domain


@dataclass(frozen=True)
class DomainRow:
    domain: Domain
    records: list[selectors.DnsRecord]
    check_error: str


def _domain_form(organizer, data=None) -> CustomDomainForm:
    # One form per organizer on the page: ids made unique, field names kept plain.
    return CustomDomainForm(data, auto_id=f"id_organizer_{organizer.pk}_%s")


def _domains_page(request, *, bound_forms=None, status=200):
    """Every organizer the operator configures, with its own domains, their DNS records and
    state; an add form where the organizer's plan includes custom domains."""
    organizers = list(organizers_configurable_by(request.user).order_by("name"))
    if not organizers:
        raise PermissionDenied
    domains = selectors.custom_domains_of(
        organization=request.tenant, organizer_slugs=[organizer.slug for organizer in organizers]
    )
    bound_forms = bound_forms or {}
    sections = []
    for organizer in organizers:
        allowed = can(request.user, Action.MANAGE_CUSTOM_DOMAINS, organizer)
        form = None
        if allowed:
            form = bound_forms[organizer.pk] if organizer.pk in bound_forms else _domain_form(organizer)
        sections.append(
            {
                "organizer": organizer,
                "allowed": allowed,
                "platform_host": selectors.platform_host_for(organizer.slug),
                "rows": [
                    DomainRow(
                        domain=domain,
                        records=selectors.custom_domain_records(domain),
                        check_error=selectors.check_error_message(domain),
                    )
                    for domain in domains[organizer.slug]
                ],
                "form": form,
            }
        )
    return render(
        request,
        "tenancy/custom_domains.html",
        {"sections": sections, "name_servers": selectors.platform_name_servers()},
        status=status,
    )


def _back_to(domain: Domain | None = None):
    anchor = f"#domain-{domain.pk}" if domain is not None else ""
    return redirect(reverse("custom-domains") + anchor)


def _own_domain(request, pk):
    """One of this organization's own domains, and its organizer if the operator sees it."""
    domain = get_object_or_404(selectors.custom_domains_in(request.tenant), pk=pk)
    organizer = get_object_or_404(organizers_visible_to(request.user), slug=domain.organizer_slug)
    return domain, organizer


@control_view
def custom_domains(request):
    return _domains_page(request)


@require_POST
@control_view
def custom_domain_add(request, organizer_pk):
    organizer = get_object_or_404(organizers_visible_to(request.user), pk=organizer_pk)
    require(request, Action.MANAGE_CUSTOM_DOMAINS, organizer)
    form = _domain_form(organizer, request.POST)
    if form.is_valid():
        added, domain = call_for_form(
            form,
            services.custom_domain_add,
            organization=request.tenant,
            organizer_slug=organizer.slug,
            domain=form.cleaned_data["domain"],
            actor=Actor.from_request(request),
        )
        if added:
            messages.success(
                request,
                _("%(domain)s added: set the DNS records below, then check it.") % {"domain": domain.domain},
            )
            return _back_to(domain)
    return _domains_page(request, bound_forms={organizer.pk: form}, status=400)


@require_POST
@control_view
def custom_domain_check(request, pk):
    domain, organizer = _own_domain(request, pk)
    require(request, Action.MANAGE_CUSTOM_DOMAINS, organizer)
    checked = services.custom_domain_verify(domain_id=domain.pk, actor=Actor.from_request(request))
    if checked is None:
        messages.error(request, _("%(domain)s was removed meanwhile.") % {"domain": domain.domain})
        return _back_to()
    if checked.verified_at is not None:
        messages.success(
            request, _("%(domain)s is verified: your site answers at it.") % {"domain": checked.domain}
        )
    else:
        messages.error(
            request,
            _("%(domain)s is not verified yet: %(reason)s")
            % {"domain": checked.domain, "reason": selectors.check_error_message(checked)},
        )
    return _back_to(checked)


@require_POST
@control_view
def custom_domain_remove(request, pk):
    # Removing is never a plan feature: whoever configures the organizer may, even after a
    # plan without custom domains took over.
    domain, organizer = _own_domain(request, pk)
    require(request, Action.CONFIGURE, organizer)
    services.custom_domain_remove(
        organization=request.tenant, domain_id=domain.pk, actor=Actor.from_request(request)
    )
    messages.success(
        request, _("%(domain)s removed: it no longer leads to your site.") % {"domain": domain.domain}
    )
    return _back_to()
