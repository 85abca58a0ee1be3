from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass
from typing import Any
from uuid import UUID

from django.contrib.postgres.expressions import ArraySubquery
from django.core.cache import cache
from django.db.models import Count, QuerySet
from django.db.models.functions import JSONObject
from django_tenants.utils import get_public_schema_name, schema_context

from apps.accounts.models import ApprovalRequest, FacebookApp
from apps.billing.models import InvoiceIssuer
from apps.core.branding import Brand
from apps.core.exceptions import DomainError
from apps.core.models import Branding
from apps.core.schemas import current_schema
from apps.events.models import Event, ReplicationRequest
from apps.events.replication import plan_slots
from apps.payments.models import PlatformStripeAccount
from apps.plans.models import Plan, PricingSettings
from apps.plans.selectors import ResolvedPrice, currency_of_country, default_currency, plans_priced_in
from apps.platform.models import ClientSignup, InfoPage, PlatformConfiguration, PlatformSettings
from apps.tenancy.models import HostSettings, Organization

BRAND_CACHE_KEY = "platform:brand"
# An entry a settings change could not drop (Redis down at its commit) lasts this long at most.
BRAND_CACHE_SECONDS = 5 * 60


@dataclass(frozen=True)
class NavPage:
    title: str
    slug: str


@dataclass(frozen=True)
class PlatformBrand:
    brand: Brand
    show_powered_by: bool
    nav_pages: tuple[NavPage, ...] = ()


def _in_public_schema() -> AbstractContextManager[object]:
    """Cache keys carry the current schema (django-tenants), and the settings live in the
    public schema: read both there, so every host shares one cache entry."""
    public = get_public_schema_name()
    current = current_schema()
    return nullcontext() if current == public else schema_context(public)


def platform_configuration(*, platform: PlatformSettings | None = None) -> PlatformConfiguration:
    """The platform's settings page's values, each part as stored (or its defaults, unsaved:
    nothing is written); `platform` when the caller holds that row already."""
    return PlatformConfiguration(
        brand=Branding.stored(),
        hosts=HostSettings.stored(),
        stripe=PlatformStripeAccount.stored(),
        facebook=FacebookApp.stored(),
        pricing=PricingSettings.stored(),
        invoicing=InvoiceIssuer.stored(),
        platform=platform or PlatformSettings.stored(),
    )


def platform_brand() -> PlatformBrand:
    """The platform's brand for any host, with the info pages its nav links to: one cache
    read, one query on a miss (the pages come along as an array subquery), no write."""
    with _in_public_schema():
        cached = cache.get(BRAND_CACHE_KEY)
        if cached is None or "brand" not in cached:  # (an entry of an older release may lack it)
            stored = Branding.objects.filter(pk=1).annotate(nav_pages=ArraySubquery(_nav_pages())).first()
            if stored is None:  # not saved yet: the defaults, and the pages on their own
                row, nav_pages = Branding(), [page["page"] for page in _nav_pages()]
            else:
                row, nav_pages = stored, stored.nav_pages
            cached = {
                "brand": asdict(
                    Brand(
                        name=row.name,
                        primary_color=row.primary_color,
                        accent_color=row.accent_color,
                        # The public schema's media URL, right on every host.
                        logo_url=row.logo.url if row.logo else "",
                        legal_footer=row.legal_footer,
                        support_email=row.support_email,
                    )
                ),
                "show_powered_by": row.show_powered_by,
                "nav_pages": nav_pages,
            }
            cache.set(BRAND_CACHE_KEY, cached, BRAND_CACHE_SECONDS)
    return PlatformBrand(
        brand=Brand(**cached["brand"]),
        show_powered_by=cached["show_powered_by"],
        nav_pages=tuple(NavPage(**page) for page in cached.get("nav_pages", ())),
    )


def _nav_pages() -> QuerySet[InfoPage, Any]:
    """The published pages the nav links to, in their order, as {"title", "slug"} rows."""
    return (
        InfoPage.objects.filter(is_published=True, show_in_nav=True)
        .order_by("sort_order", "title", "pk")
        .values(page=JSONObject(title="title", slug="slug"))
    )


def platform_brand_forget() -> None:
    with _in_public_schema():
        cache.delete(BRAND_CACHE_KEY)


def info_pages_in_order() -> QuerySet[InfoPage]:
    return InfoPage.objects.order_by("sort_order", "title", "pk")


def info_page_published(slug: str) -> InfoPage | None:
    return InfoPage.objects.filter(slug=slug, is_published=True).first()


@dataclass(frozen=True)
class PricedPlan:
    """A public plan and its fees in the chosen currency (None: it has no price to show)."""

    plan: Plan
    price: ResolvedPrice | None


def public_plans_priced(*, country: str = "") -> list[PricedPlan]:
    """The public plans in their order, priced for a country (its currency, converted or the
    default-currency price when the plan has none of its own), or without a country in the
    platform's default currency."""
    plans = list(
        Plan.objects.filter(is_public=True).prefetch_related("prices").order_by("sort_order", "name")
    )
    currency = (currency_of_country(country) if country else None) or default_currency()
    return [
        PricedPlan(plan=plan, price=price)
        for plan, price in zip(plans, plans_priced_in(plans=plans, currency=currency), strict=True)
    ]


def organizations_with_domains() -> QuerySet[Organization]:
    organizations: QuerySet[Organization] = (
        Organization.objects.exclude(schema_name=get_public_schema_name())
        .prefetch_related("domains")
        .order_by("name")
    )
    return organizations


def approvals_pending_first() -> QuerySet[ApprovalRequest]:
    return ApprovalRequest.objects.order_by("status", "-created_at")


def approval_subject(approval: ApprovalRequest) -> dict[str, Any]:
    """What the platform admin reviews: the event in its organization's schema, and the
    operator's held requests (read there, snapshotted here)."""
    with schema_context(approval.organization_schema):
        event = (
            Event.objects.select_related("organizer", "location")
            .annotate(date_count=Count("dates"))
            .filter(pk=approval.subject_id)
            .first()
        )
        held: list[Any] = list(  # each with its planned_count, for the page
            ReplicationRequest.objects.filter(requested_by_id=approval.operator_id)
            .select_related("event")
            .order_by("-created_at")[:20]
        )
        for request in held:
            try:
                request.planned_count = len(plan_slots(request.plan))
            except DomainError:
                request.planned_count = None
        ticket_types = list(event.ticket_types.all()[:20]) if event else []
        return {"event": event, "held": held, "ticket_types": ticket_types}


# --- client signup -----------------------------------------------------------------------

TERMS_PAGE_SLUG = "terms"


def signup_page_published() -> InfoPage | None:
    """The owner's signup page, if one is published (else /register/ serves the form alone)."""
    return (
        InfoPage.objects.filter(kind=InfoPage.Kind.SIGNUP, is_published=True)
        .order_by("sort_order", "pk")
        .first()
    )


def terms_page_url() -> str:
    page = info_page_published(TERMS_PAGE_SLUG)
    return page.get_absolute_url() if page else ""


def client_signup_status(signup_id: UUID | str) -> ClientSignup | None:
    return ClientSignup.objects.select_related("plan").filter(pk=signup_id).first()
