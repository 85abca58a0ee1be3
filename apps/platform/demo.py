"""The demo platform: the seed's two organizations, their organizers, operators and a platform admin."""

from dataclasses import dataclass

from django.conf import settings
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.accounts.services import user_create
from apps.operators.services import operator_link
from apps.organizers.models import Distribution, Organizer
from apps.organizers.services import organizer_create
from apps.tenancy import services as tenancy
from apps.tenancy.models import Domain, Organization

DEMO_PASSWORD = "tessera-demo"  # noqa: S105 - public demo login, printed at start-up
PLATFORM_ADMIN_EMAIL = "admin@tessera.example"


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
        for organizer in spec.organizers:
            host = tenancy.platform_host_for(organizer.slug)
            if not Domain.objects.filter(domain=host).exists():
                tenancy.domain_add(organization=organization, domain=host, organizer_slug=organizer.slug)
    return demo_logins()


def demo_logins() -> list[str]:
    port = ":8000" if settings.PLATFORM_DOMAIN == "localhost" else ""
    lines = [
        f"{'Platform':<20}http://{settings.PLATFORM_DOMAIN}{port}/platform/  "
        f"admin: {PLATFORM_ADMIN_EMAIL} / {DEMO_PASSWORD}"
    ]
    for spec in DEMO_ORGANIZATIONS:
        for organizer in spec.organizers:
            host = tenancy.platform_host_for(organizer.slug)
            lines.append(
                f"{organizer.name:<20}http://{host}{port}/  control panel: http://{host}{port}/control/"
            )
        lines.append(f"{'':<20}operator: {spec.operator_email} / {DEMO_PASSWORD}")
    return lines
