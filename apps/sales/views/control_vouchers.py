"""Control-panel pages of vouchers and access codes (/control/vouchers/): an organizer's
configurers (and the organization's admins) list them with their uses and revenue, make one
or a batch, download a batch's codes, change and delete them; apps.operators.permissions
decides (Action.MANAGE_VOUCHERS)."""

from decimal import Decimal

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.core.audit import Actor
from apps.core.exceptions import Conflict
from apps.core.forms import call_for_form
from apps.core.money import quantize
from apps.core.spreadsheets import table_response
from apps.core.timezones import zone
from apps.events.views.common import page_of
from apps.operators.decorators import control_view, require
from apps.operators.permissions import Action, can_manage_vouchers, organizers_configurable_by
from apps.sales.selectors.vouchers import voucher_discount_text, vouchers_visible_to, with_figures
from apps.sales.services import vouchers as services
from apps.sales.voucher_forms import VoucherForm, VoucherSearchForm

PER_PAGE = 50


def _status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


def _voucher(request, pk):
    """A voucher one sees (404 otherwise) and may change (403 otherwise)."""
    voucher = get_object_or_404(vouchers_visible_to(request.user), pk=pk)
    return require(request, Action.MANAGE_VOUCHERS, voucher)


def _listed(request):
    search = VoucherSearchForm(request.GET or None)
    vouchers = vouchers_visible_to(request.user)
    if search.is_valid() and search.cleaned_data["q"]:
        q = search.cleaned_data["q"].strip()
        vouchers = vouchers.filter(Q(code__icontains=q) | Q(tag__iexact=q))
    scoped = vouchers.annotate(
        type_count=Count("ticket_types", distinct=True), date_count=Count("event_dates", distinct=True)
    )
    return search, with_figures(scoped).order_by("-created_at", "-pk")


@control_view(check=can_manage_vouchers)
def voucher_list(request):
    search, vouchers = _listed(request)
    if request.GET.get("format") == "csv":
        return _spreadsheet(vouchers)
    page = page_of(request, vouchers, per_page=PER_PAGE)
    rows = [(v, voucher_discount_text(v, v.organizer.currency)) for v in page]
    return render(
        request,
        "sales/control/voucher_list.html",
        {"page": page, "rows": rows, "search": search, "query": request.GET.urlencode()},
    )


def _spreadsheet(vouchers):
    """The codes listed (a batch: its tag searched), for mailing them out."""
    header = [
        _("Code"),
        _("Organizer"),
        _("Discount"),
        _("Valid from (UTC)"),
        _("Valid until (UTC)"),
        _("Maximum uses"),
        _("Uses"),
        _("Paid uses"),
        _("Revenue"),
        _("Currency"),
        _("Tag"),
    ]
    utc = zone("UTC")
    rows = (
        [
            v.code,
            v.organizer.name,
            voucher_discount_text(v, v.organizer.currency),
            v.valid_from.astimezone(utc) if v.valid_from else None,
            v.valid_until.astimezone(utc) if v.valid_until else None,
            v.max_uses,
            v.used,
            v.paid_uses,
            quantize(v.revenue, v.organizer.currency),
            v.organizer.currency,
            v.tag,
        ]
        for v in vouchers.iterator()
    )
    return table_response("csv", header, rows, filename="vouchers")


def _chosen_organizer(request, organizers):
    """The organizer the form is for: the one posted or asked for (?organizer=), else the first."""
    wanted = request.POST.get("organizer") or request.GET.get("organizer") or ""
    chosen = (
        organizers.filter(pk=int(wanted)).first()
        if wanted.isascii() and wanted.isdigit() and len(wanted) < 12
        else None
    )
    return chosen or organizers.first()


@control_view(check=can_manage_vouchers)
def voucher_create(request):
    organizers = organizers_configurable_by(request.user).order_by("name", "pk")
    organizer = _chosen_organizer(request, organizers)
    if organizer is None:
        messages.error(request, _("Create an organizer first."))
        return redirect("control-vouchers")
    zone_name = organizer.zone_name
    timezone.activate(zone(zone_name))  # the validity is typed in the organizer's zone
    try:
        form = VoucherForm(
            request.POST or None,
            organizers=organizers,
            organizer=organizer,
            zone_name=zone_name,
            initial={"price_mode": "subtract"},
        )
        if request.method == "POST" and form.is_valid():
            organizer = require(request, Action.MANAGE_VOUCHERS, form.cleaned_data["organizer"])
            quantity = form.cleaned_data["quantity"]
            fields = form.voucher_fields()
            actor = Actor.from_request(request)
            code = form.cleaned_data["code"]
            if quantity > 1:
                went_through, made = call_for_form(
                    form,
                    services.vouchers_batch_create,
                    organizer=organizer,
                    quantity=quantity,
                    prefix=code,
                    actor=actor,
                    **fields,
                )
                if went_through:
                    tag = fields["tag"] or code
                    messages.success(
                        request,
                        ngettext("%(count)d code made.", "%(count)d codes made.", len(made))
                        % {"count": len(made)},
                    )
                    return redirect(
                        f"{reverse('control-vouchers')}?{urlencode({'q': tag})}"
                        if tag
                        else "control-vouchers"
                    )
            else:
                went_through, voucher = call_for_form(
                    form, services.voucher_save, organizer=organizer, code=code, actor=actor, **fields
                )
                if went_through:
                    messages.success(request, _("Voucher %(code)s saved.") % {"code": voucher.code})
                    return redirect("control-vouchers")
        return render(
            request,
            "sales/control/voucher_form.html",
            {"form": form, "voucher": None, "organizer": organizer},
            status=_status(form),
        )
    finally:
        timezone.deactivate()


@control_view(check=can_manage_vouchers)
def voucher_edit(request, pk):
    voucher = _voucher(request, pk)
    zone_name = voucher.organizer.zone_name
    timezone.activate(zone(zone_name))
    try:
        initial = {
            "code": voucher.code,
            "price_mode": voucher.price_mode,
            "value": quantize(voucher.value, voucher.organizer.currency)
            if voucher.price_mode != "percent"
            else voucher.value.quantize(Decimal("0.01")),
            "unlocks_hidden": voucher.unlocks_hidden,
            "event": voucher.event_id,
            "ticket_types": list(voucher.ticket_types.values_list("pk", flat=True)),
            "event_dates": list(voucher.event_dates.values_list("pk", flat=True)),
            "valid_from": voucher.valid_from,
            "valid_until": voucher.valid_until,
            "max_uses": voucher.max_uses,
            "max_uses_per_buyer": voucher.max_uses_per_buyer,
            "tag": voucher.tag,
        }
        form = VoucherForm(
            request.POST or None, initial=initial, organizer=voucher.organizer, zone_name=zone_name
        )
        if request.method == "POST" and form.is_valid():
            went_through, saved = call_for_form(
                form,
                services.voucher_save,
                organizer=voucher.organizer,
                voucher=voucher,
                code=form.cleaned_data["code"],
                actor=Actor.from_request(request),
                **form.voucher_fields(),
            )
            if went_through:
                messages.success(request, _("Voucher %(code)s saved.") % {"code": saved.code})
                return redirect("control-vouchers")
            voucher = _voucher(request, pk)  # the rejected input was set on it: show the saved one
        return render(
            request,
            "sales/control/voucher_form.html",
            {"form": form, "voucher": voucher, "organizer": voucher.organizer},
            status=_status(form),
        )
    finally:
        timezone.deactivate()


@control_view(check=can_manage_vouchers)
def voucher_delete(request, pk):
    """GET asks for confirmation; only a POST deletes (a used voucher: a clear refusal)."""
    voucher = _voucher(request, pk)
    error, status = "", 200
    if request.method == "POST":
        code = voucher.code
        try:
            services.voucher_delete(voucher=voucher, actor=Actor.from_request(request))
        except Conflict as exc:
            error, status = str(exc), 409
        else:
            messages.success(request, _("Voucher %(code)s deleted.") % {"code": code})
            return redirect("control-vouchers")
    return render(
        request,
        "sales/control/voucher_delete.html",
        {"voucher": voucher, "error": error, "back_url": reverse("control-vouchers")},
        status=status,
    )
