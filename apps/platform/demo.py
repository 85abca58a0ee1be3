"""The demo platform: the seed's two organizations, their organizers, operators and a platform admin."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.accounts.services import user_create
from apps.billing.services.sales_months import sales_months_refresh
from apps.core.audit import Actor
from apps.core.branding import default_platform_name
from apps.core.models import Branding
from apps.events.models import ReplicationRequest, TicketType
from apps.events.services import (
    event_create,
    event_date_create,
    event_publish,
    location_create,
    replication_execute,
    ticket_type_create,
)
from apps.operators.services import operator_link
from apps.organizers.catalog import catalog_changed
from apps.organizers.models import Distribution, Organizer
from apps.organizers.services import organizer_create
from apps.payments.models import ConnectedAccount
from apps.plans.models import Plan
from apps.plans.services import plan_update
from apps.platform.demo_billing import (
    billing_demo_clients_seed,
    billing_demo_invoices_seed,
    billing_demo_seed,
)
from apps.platform.models import InfoPage
from apps.platform.services.configuration import platform_settings_update
from apps.platform.services.info_pages import info_page_create
from apps.sales.models import Order
from apps.sales.services.orders import OrderLine, order_create
from apps.tenancy import services as tenancy
from apps.tenancy.models import Domain, Organization
from apps.tenancy.selectors import routes_changed

DEMO_PASSWORD = "tessera-demo"  # noqa: S105 - public demo login, printed at start-up
# Platform admins need TOTP: the demo admin's secret is public too (add it to any authenticator app).
DEMO_TOTP_SECRET = "TESSERADEMOADMIN"  # noqa: S105
PLATFORM_ADMIN_EMAIL = "admin@tessera.example"
DEMO_BRAND = {
    "name": "Fancy Tickets",
    "primary_color": "#6d28d9",
    "accent_color": "#f59e0b",
    "support_email": "support@fancy-tickets.example",
}


@dataclass(frozen=True)
class DemoOrganizer:
    name: str
    slug: str
    currency: str
    country: str
    bank_account: str = ""
    vat_number: str = ""


@dataclass(frozen=True)
class DemoOperator:
    email: str
    full_name: str
    is_admin: bool = False
    configures: tuple[str, ...] = ()  # organizer slugs
    sells: tuple[tuple[str, str], ...] = ()  # (organizer slug, distribution kind)


@dataclass(frozen=True)
class DemoOrganization:
    name: str
    slug: str
    operators: tuple[DemoOperator, ...]
    organizers: tuple[DemoOrganizer, ...]

    @property
    def operator_email(self) -> str:
        return self.operators[0].email


DEMO_ORGANIZATIONS = (
    DemoOrganization(
        name="Fancy theme parks",
        slug="fancy-theme-parks",
        operators=(
            DemoOperator("operator@fancy-theme-parks.example", "Fiona Admin", is_admin=True),
            DemoOperator(
                "manager@funpark.example",
                "Frank Manager",
                configures=("funpark",),
                sells=(("funpark", "online_shop"),),
            ),
            DemoOperator("cashier@waterpark.example", "Wendy Cashier", sells=(("waterpark", "box_office"),)),
            DemoOperator(
                "coaster@rollercoasterpark.example",
                "Rory Coaster",
                configures=("rollercoasterpark", "waterpark"),
            ),
        ),
        organizers=(
            DemoOrganizer("Fun park", "funpark", "EUR", "NL", "NL91ABNA0417164300", "NL004495445B01"),
            DemoOrganizer("Water park", "waterpark", "EUR", "NL"),
            DemoOrganizer("Rollercoaster park", "rollercoasterpark", "EUR", "BE"),
        ),
    ),
    DemoOrganization(
        name="Football club ABC",
        slug="football-club-abc",
        operators=(
            DemoOperator("operator@football-club-abc.example", "Fred Admin", is_admin=True),
            DemoOperator(
                "steward@football-club-abc.example",
                "Sam Steward",
                sells=(("footballclubabc", "box_office"),),
            ),
        ),
        organizers=(DemoOrganizer("Football club ABC", "footballclubabc", "GBP", "GB"),),
    ),
)


def demo_seed(*, log=print) -> list[str]:
    """Create what is missing of the demo platform (idempotent); returns the login lines."""
    with schema_context("public"):
        if not User.objects.filter(email=PLATFORM_ADMIN_EMAIL).exists():
            user_create(
                email=PLATFORM_ADMIN_EMAIL,
                password=DEMO_PASSWORD,
                full_name="Platform admin",
                is_staff=True,
                is_superuser=True,
                email_verified=True,
            )
            log(f"Created platform admin {PLATFORM_ADMIN_EMAIL}")
        admin = User.objects.get(email=PLATFORM_ADMIN_EMAIL)
        if not Authenticator.objects.filter(user=admin, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(admin, DEMO_TOTP_SECRET)
        # Brand the demo platform once; a name the owner has since chosen is kept.
        if Branding.stored().name == default_platform_name():
            platform_settings_update(changes=DEMO_BRAND, actor=Actor(user=None))
            log(f"Branded the platform {DEMO_BRAND['name']}")
        billing_demo_seed()  # the two plans, their prices and the exchange rates
        info_pages_demo_seed()
        template_site_demo_seed(log=log)
    for spec in DEMO_ORGANIZATIONS:
        organization = Organization.objects.filter(slug=spec.slug).first()
        if organization is None:
            log(f"Provisioning {spec.name}…")
            organization = tenancy.organization_create(name=spec.name, slug=spec.slug)
        elif not organization.is_ready:
            organization = tenancy.organization_provision(organization_id=organization.pk)
        with schema_context(organization.schema_name):
            for organizer in spec.organizers:
                if not Organizer.objects.filter(slug=organizer.slug).exists():
                    organizer_create(
                        name=organizer.name,
                        slug=organizer.slug,
                        currency=organizer.currency,
                        country=organizer.country,
                        bank_account=organizer.bank_account,
                        vat_number=organizer.vat_number,
                    )
                    log(f"  organizer {organizer.name}")
            for operator in spec.operators:
                if not User.objects.filter(email=operator.email).exists():
                    user = user_create(
                        email=operator.email,
                        password=DEMO_PASSWORD,
                        full_name=operator.full_name,
                        is_operator=True,
                        is_admin=operator.is_admin,
                        email_verified=True,
                    )
                    operator_link(
                        operator=user,
                        organizers=Organizer.objects.filter(slug__in=operator.configures),
                        distributions=[
                            Distribution.objects.get(organizer__slug=slug, kind=kind)
                            for slug, kind in operator.sells
                        ],
                    )
                    log(f"  operator {operator.email}")
            for organizer in Organizer.objects.filter(
                slug__in=[o.slug for o in spec.organizers], events=None
            ):
                _demo_events(organizer)
                log(f"  events of {organizer.name}")
            for organizer in Organizer.objects.filter(
                slug__in=[o.slug for o in spec.organizers], orders=None
            ):
                _demo_sales(organization, organizer)
                log(f"  Stripe account and box-office orders of {organizer.name}")
        for organizer in spec.organizers:
            host = tenancy.platform_host_for(organizer.slug)
            if not Domain.objects.filter(domain=host).exists():
                tenancy.domain_add(organization=organization, domain=host, organizer_slug=organizer.slug)
    with schema_context("public"):
        billing_demo_clients_seed()  # the organizers are clients on the demo plans
        sales_months_refresh()  # this month's real orders
        billing_demo_invoices_seed()  # paid, overdue and open invoices
    return demo_logins()


def _demo_sales(organization: Organization, organizer: Organizer) -> None:
    """A connected (fake: no Stripe behind it) Stripe account, so the shop offers card
    payment, and three box-office orders paid in cash."""
    with schema_context("public"):
        ConnectedAccount.objects.get_or_create(
            schema_name=organization.schema_name,
            organizer_id=organizer.pk,
            defaults={
                "stripe_account_id": f"acct_demo{organization.schema_name}{organizer.pk}"[:64],
                "charges_enabled": True,
                "payouts_enabled": True,
                "details_submitted": True,
            },
        )
    box_office = organizer.distributions.filter(kind=Distribution.Kind.BOX_OFFICE).first()
    ticket_type = (
        TicketType.objects.filter(event__organizer=organizer, event_date__isnull=False)
        .select_related("event", "event_date")
        .order_by("event_date__start", "price")
        .first()
    )
    if box_office is None or ticket_type is None:
        return
    if not ticket_type.event.distributions.filter(pk=box_office.pk).exists():
        ticket_type.event.distributions.add(box_office)
        catalog_changed()  # the event's channels are in the cached catalog
    for number, quantity in enumerate((2, 1, 4), start=1):
        order_create(
            distribution=box_office,
            lines=[OrderLine(ticket_type=ticket_type, quantity=quantity)],
            email=f"buyer{number}@{organizer.slug}.example",
            buyer_name=f"Demo buyer {number}",
            payment_method=Order.PaymentMethod.CASH,
        )


@dataclass(frozen=True)
class DemoEvent:
    name: str
    category: str
    location: tuple[str, str, str, int]  # name, address, city, capacity
    first_in_days: int
    hours: tuple[int, int]  # opening hour, duration
    repeat: dict | None  # a replication plan's recurrence part, or None for a single date
    day_tickets: tuple[tuple[str, str], ...]  # (name, price) valid on one date
    passes: tuple[tuple[str, str], ...] = ()  # (name, price) valid on every date


DEMO_EVENTS = {
    "funpark": DemoEvent(
        "Fun park — opening days",
        "theme_park",
        ("Fun park grounds", "Parkweg 1", "Amsterdam", 5000),
        3,
        (10, 8),
        {"frequency": "daily", "count": 13},
        (("Day ticket adult", "32.50"), ("Day ticket child", "24.00")),
        (("Season pass", "89.00"),),
    ),
    "waterpark": DemoEvent(
        "Slide weekends",
        "theme_park",
        ("Water park", "Strandweg 4", "Zandvoort", 2500),
        5,
        (10, 7),
        {"frequency": "weekly", "weekdays": [5, 6], "count": 7},
        (("Entry", "27.00"),),
    ),
    "rollercoasterpark": DemoEvent(
        "Night rides",
        "theme_park",
        ("Coaster hill", "Rue du Parc 9", "Liège", 1200),
        10,
        (20, 4),
        {"frequency": "weekly", "weekdays": [4], "count": 3},
        (("Night ride", "19.50"),),
    ),
    "footballclubabc": DemoEvent(
        "ABC Cup weekend",
        "sport",
        ("ABC Stadium", "1 Stadium Road", "Manchester", 30000),
        14,
        (15, 2),
        {"frequency": "daily", "count": 2},
        (("Standard", "25.00"), ("VIP", "80.00")),
        (("Weekend pass", "45.00"),),
    ),
}


def _demo_events(organizer: Organizer) -> None:
    """A published event with a first date and its ticket types, replicated over more dates."""
    spec = DEMO_EVENTS[organizer.slug]
    name, address, city, capacity = spec.location
    location = location_create(
        organizer=organizer,
        name=name,
        address=address,
        city=city,
        country=organizer.country,
        capacity=capacity,
    )
    event = event_create(organizer=organizer, location=location, name=spec.name, category=spec.category)
    first_day = timezone.localdate() + timedelta(days=spec.first_in_days)
    start = datetime.combine(first_day, time(spec.hours[0]), tzinfo=timezone.get_current_timezone())
    first_date = event_date_create(event=event, start=start, end=start + timedelta(hours=spec.hours[1]))
    for ticket_name, price in spec.day_tickets:
        ticket_type_create(event=event, event_date=first_date, name=ticket_name, price=Decimal(price))
    for ticket_name, price in spec.passes:
        ticket_type_create(event=event, name=ticket_name, price=Decimal(price))
    if spec.repeat:
        replication_execute(
            request=ReplicationRequest.objects.create(
                event=event,
                requested_by=User.objects.filter(is_admin=True).first() or User.objects.first(),
                status=ReplicationRequest.Status.AWAITING_APPROVAL,
                plan={
                    "kind": "recurrence",
                    "times": [f"{spec.hours[0]:02d}:00"],
                    "duration_minutes": spec.hours[1] * 60,
                    "starts_on": (first_day + timedelta(days=1)).isoformat(),
                    "timezone": str(timezone.get_current_timezone()),
                    **spec.repeat,
                },
            )
        )
    event_publish(event=event)


def demo_logins() -> list[str]:
    port = ":8000" if settings.PLATFORM_DOMAIN == "localhost" else ""
    lines = [
        f"{'Platform':<20}http://{settings.PLATFORM_DOMAIN}{port}/platform/  "
        f"admin: {PLATFORM_ADMIN_EMAIL} / {DEMO_PASSWORD}, TOTP secret {DEMO_TOTP_SECRET}",
        f"{'Client signup':<20}http://{settings.PLATFORM_DOMAIN}{port}/start/",
    ]
    for spec in DEMO_ORGANIZATIONS:
        for organizer in spec.organizers:
            host = tenancy.platform_host_for(organizer.slug)
            lines.append(
                f"{organizer.name:<20}http://{host}{port}/  control panel: http://{host}{port}/control/"
            )
        for operator in spec.operators:
            role = "admin" if operator.is_admin else "operator"
            lines.append(f"{'':<20}{role}: {operator.email} / {DEMO_PASSWORD}")
    return lines


DEMO_INFO_PAGES = (
    {
        "title": "About us",
        "slug": "about",
        "body": (
            "Fancy Tickets sells tickets for theme parks, clubs and festivals.\n\n"
            "Each organizer has its own shop, its own colours and its own payments."
        ),
        "sort_order": 1,
    },
    {
        "title": "Contact",
        "slug": "contact",
        "body": (
            "Questions about your tickets? Write to the organizer of your event.\n\n"
            "Questions about the platform? Write to support@fancy-tickets.example."
        ),
        "sort_order": 2,
    },
    {
        "title": "Open your shop",
        "slug": "start",
        "kind": "signup",
        "body": (
            "Choose a plan, tell us about your organization and create your account.\n\n"
            "Your ticket shop is online in a minute, on its own address."
        ),
        "sort_order": 3,
    },
    {
        "title": "Terms of service",
        "slug": "terms",
        "body": "The demo platform's terms: be nice, sell real tickets, pay your invoices.",
        "show_in_nav": False,
        "sort_order": 9,
    },
)


def info_pages_demo_seed() -> None:
    """The about and contact pages, the signup page (published and in the nav) and the
    terms the signup form links to (idempotent: a page whose address exists is left as the
    owner made it)."""
    for spec in DEMO_INFO_PAGES:
        if not InfoPage.objects.filter(slug=spec["slug"]).exists():
            fields = {"is_published": True, "show_in_nav": True, **spec}
            info_page_create(actor=Actor(user=None), **fields)


# The Pro plan's template site: an organization kept only to be cloned. Each new client
# of the plan starts as a copy of its schema (DESIGN §1), so it carries what every such
# site should start with — today the apps' tables at their current migration, and any
# organization-wide rows put there (pages, design defaults as the apps grow them). Being
# an organization, `migrate_schemas` keeps it migrated like the others. Only the rows
# apps.tenancy.services.TEMPLATE_ROWS lists are copied; it is not served to the public.
DEMO_TEMPLATE_SITE = {"name": "Template site (Pro plan)", "slug": "template-pro", "is_template": True}
DEMO_TEMPLATE_PLAN = "pro"


def template_site_demo_seed(*, log=print) -> Organization | None:
    """The Pro plan's template site, provisioned once and named by the plan (idempotent;
    a template the owner has since chosen for the plan is kept)."""
    plan = Plan.objects.filter(slug=DEMO_TEMPLATE_PLAN).first()
    if plan is None:
        return None
    organization = Organization.objects.filter(slug=DEMO_TEMPLATE_SITE["slug"]).first()
    if organization is None:
        log(f"Provisioning {DEMO_TEMPLATE_SITE['name']}…")
        organization = tenancy.organization_create(**DEMO_TEMPLATE_SITE)
    else:
        if not organization.is_template:  # seeded before template sites were kept from the public
            organization.is_template = True
            organization.save(update_fields=["is_template"])
            routes_changed()
        if not organization.is_ready:
            organization = tenancy.organization_provision(organization_id=organization.pk)
    if not plan.template_schema:
        plan_update(plan=plan, template_schema=organization.schema_name)
        log(f"  {plan.name} clients start as copies of {organization.name}")
    return organization
