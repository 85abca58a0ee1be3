"""The platform host's public pages: home, client signup and its progress, pricing, info pages."""

from django.contrib import messages
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_countries import countries

from apps.core.exceptions import DomainError, RateLimited
from apps.core.forms import call_for_form
from apps.core.ratelimit import client_network, rate_limit_hit
from apps.plans.selectors import currency_of_country, default_currency
from apps.platform.forms import (
    ClientSignupForm,
    PricingCountryForm,
)
from apps.platform.models import ClientSignup, InfoPage, PlatformSettings
from apps.platform.selectors import (
    client_signup_status,
    info_page_published,
    public_plans_priced,
    signup_page_published,
    terms_page_url,
)
from apps.platform.services import signup as signup_services
from apps.tenancy.selectors import platform_base_domain


def platform_home(request):
    return render(request, "platform/home.html")


# --- client signup -----------------------------------------------------------------------

SESSION_SIGNUPS = "client_signups"  # the signups this browser made: only it sees their progress


def client_signup(request, page: InfoPage | None = None):
    """The client signup form, alone at /register/ or under a signup page's text.

    The plans are priced for the chosen country: `?country=XX` (or the form's "Update
    prices" button) re-prices them; `?part=plans` answers the plan cards alone, for the
    page's script. `?plan=<slug>` preselects a plan.
    """
    platform = PlatformSettings.stored()
    full_service = platform.mode == PlatformSettings.Mode.FULL_SERVICE
    repricing = request.method == "POST" and "reprice" in request.POST
    source = request.POST if request.method == "POST" else request.GET
    country = _country_of(source.get("country", ""))
    plans = public_plans_priced(country=country)
    form_kwargs = {
        "plans": plans,
        "full_service": full_service,
        "domain": platform_base_domain(),  # client hosts are <slug>.<base domain>
        "terms_url": terms_page_url(),
    }
    if request.method == "POST" and not repricing:
        form = ClientSignupForm(request.POST, **form_kwargs)
    else:
        initial = {
            name: value
            for name, value in source.items()
            if name not in ("password1", "password2", "csrfmiddlewaretoken", "reprice", "part")
        }
        if country and not initial.get("currency"):
            initial["currency"] = currency_of_country(country) or ""
        form = ClientSignupForm(initial=initial, **form_kwargs)
    context = {
        "form": form,
        "page": page,
        "plans": [item for item in plans if item.price is not None],
        "chosen_plan": form["plan"].value() or "",
        "country": country,
        "country_name": countries.name(country) if country else "",
        "currency": currency_of_country(country) if country else default_currency(),
    }
    if request.GET.get("part") == "plans":
        return render(request, "platform/includes/signup_plans.html", context)
    if request.method == "POST" and not repricing:
        # Every attempt counts, refused or not (each signup clones a schema).
        try:
            rate_limit_hit(scope="signup", ident=client_network(request))
        except RateLimited as refused:
            form.is_valid()  # bound: the page shows what was typed
            form.add_error(None, _("Too many signups from your network: please try again in an hour."))
            response = render(request, "platform/signup.html", context, status=429)
            response["Retry-After"] = str(refused.retry_after)
            return response
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done, signup = call_for_form(
            form,
            signup_services.client_signup_request,
            plan=data["plan"],
            organization_name=data.get("organization_name", ""),
            organizer_name=data["organizer_name"],
            slug=data["slug"],
            legal_name=data["legal_name"],
            country=data["country"],
            currency=data["currency"],
            full_name=data["full_name"],
            email=data["email"],
            password=data["password1"],
            language=translation.get_language() or "",
            via_host=request.get_host(),
        )
        if done:
            mine = request.session.get(SESSION_SIGNUPS, [])
            request.session[SESSION_SIGNUPS] = [*mine[-9:], str(signup.pk)]
            return redirect("client-signup-progress", signup_id=signup.pk)
    return render(request, "platform/signup.html", context, status=400 if form.errors else 200)


def _country_of(value: str) -> str:
    value = (value or "").strip().upper()
    return value if value in countries else ""


def _own_signup(request, signup_id) -> ClientSignup:
    """A signup this browser session made; any other is not found."""
    if str(signup_id) not in request.session.get(SESSION_SIGNUPS, []):
        raise Http404
    signup = client_signup_status(signup_id)
    if signup is None:
        raise Http404
    return signup


def _site_url(request, host: str, path: str) -> str:
    """An address on the client's new host, with this request's scheme and port."""
    port = request.get_port()
    return f"{request.scheme}://{host if port in ('80', '443') else f'{host}:{port}'}{path}"


def client_signup_progress(request, signup_id):
    """Where the new client waits while its site is set up; polls the status endpoint."""
    signup = _own_signup(request, signup_id)
    context = {
        "signup": signup,
        "control_url": _site_url(request, signup.host, "/control/") if signup.host else "",
        "refresh_seconds": 3,
    }
    return render(request, "platform/signup_progress.html", context)


def client_signup_status_json(request, signup_id):
    signup = _own_signup(request, signup_id)
    return JsonResponse(
        {
            "status": signup.status,
            "label": signup.get_status_display(),
            "finished": signup.is_finished,
        }
    )


@require_POST
def client_signup_enter(request, signup_id):
    """Go to the new site's control panel, logged in: once; afterwards, the normal login."""
    signup = _own_signup(request, signup_id)
    try:
        host, token = signup_services.client_signup_enter(signup_id=signup.pk)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("client-signup-progress", signup_id=signup.pk)
    return redirect(_site_url(request, host, f"/control/login/{token}/"))


def info_page(request, slug):
    """A published info page of the platform's site (the platform host's URLs only); a
    signup page shows the signup form under its text."""
    page = info_page_published(slug)
    if page is None:
        raise Http404
    if page.kind == InfoPage.Kind.SIGNUP:
        return client_signup(request, page=page)
    if request.method != "GET" and request.method != "HEAD":
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return render(request, "platform/info_page.html", {"page": page})


def pricing(request):
    """The public plans, priced for the visitor's chosen country."""
    form = PricingCountryForm(request.GET or None, default_currency=default_currency())
    country = form.cleaned_data["country"] if form.is_valid() else ""
    signup_page = signup_page_published()
    return render(
        request,
        "platform/pricing.html",
        {
            "form": form,
            "plans": public_plans_priced(country=country),
            "country": country,
            "signup_url": signup_page.get_absolute_url() if signup_page else reverse("organizer-register"),
        },
        status=400 if form.errors else 200,
    )
