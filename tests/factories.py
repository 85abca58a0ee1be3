import factory
import pytest

from apps.accounts.models import User
from apps.organizers.models import Organizer


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        from allauth.account.models import EmailAddress

        if create:
            self.save()
            EmailAddress.objects.create(
                user=self, email=self.email, primary=True, verified=extracted is not False
            )


def totp_for(user):
    """Give `user` a TOTP authenticator (allauth MFA) in the current schema; returns it."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    return TOTP.activate(user, generate_totp_secret()).instance


def totp_code(authenticator) -> str:
    """The current code of a TOTP authenticator, as the user's app shows it."""
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
    from allauth.mfa.utils import decrypt

    secret = decrypt(authenticator.data["secret"])
    return format_hotp_value(hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD))


class OrganizerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organizer

    name = factory.Sequence(lambda n: f"Organizer {n}")
    slug = factory.Sequence(lambda n: f"organizer-{n}")
    currency = "EUR"
    time_zone = "Europe/Amsterdam"


# --- operators, API clients and twin organizations for the REST API tests -------------

from dataclasses import dataclass, field  # noqa: E402

from django.db import connection  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from apps.operators.models import ConfigurationPermission, SalePermission  # noqa: E402
from apps.organizers.models import Distribution  # noqa: E402

PLATFORM_HOST = "localhost"


class OperatorFactory(UserFactory):
    """An operator; `configures=[organizer, ...]`, `sells=[distribution, ...]` add permission links."""

    is_operator = True

    @factory.post_generation
    def configures(self, create, extracted, **kwargs):
        for organizer in extracted or ():
            ConfigurationPermission.objects.create(operator=self, organizer=organizer)

    @factory.post_generation
    def sells(self, create, extracted, **kwargs):
        for distribution in extracted or ():
            SalePermission.objects.create(operator=self, distribution=distribution)


def api_token(user) -> str:
    """The secret of a new API token in the current schema (tokens, like users, exist per schema)."""
    from apps.accounts.services import api_token_create
    from apps.core.audit import Actor

    return api_token_create(user=user, actor=Actor(user=user))[1]


def api_client(*, host: str, token: str | None = None) -> APIClient:
    client = APIClient()
    credentials = {"HTTP_HOST": host}
    if token:
        credentials["HTTP_AUTHORIZATION"] = f"Token {token}"
    client.credentials(**credentials)
    return client


TWIN_TABLES = (
    "accounts_user",
    "organizers_organizer",
    "organizers_distribution",
    "operators_invitation",
    "operators_configurationpermission",
    "operators_salepermission",
)


def twin_sequences(*schema_names: str, tables=TWIN_TABLES) -> None:
    """Move each table's id sequence to one value in every schema: twins built alike get the same ids."""
    with connection.cursor() as cursor:
        for table in tables:
            sequences = []
            for schema_name in schema_names:
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [f'"{schema_name}"."{table}"'])
                sequences.append(cursor.fetchone()[0])
            last_values = []
            for sequence in sequences:
                cursor.execute(f"SELECT last_value FROM {sequence}")
                last_values.append(cursor.fetchone()[0])
            for sequence in sequences:
                cursor.execute("SELECT setval(%s, %s)", [sequence, max(last_values)])


@dataclass
class Team:
    """One organization's organizers A and B (two channels each) and its people:

    admin (organization admin), configurer (configures A), seller (sells at A's box office),
    other (configures B), peer (configures A, sells at A's box office), customer (no operator),
    and two pending invitations: one for A sent by configurer, one for B's box office by other.
    Every name carries `marker`, so a response can be searched for data of this schema.
    """

    marker: str
    a: Organizer
    b: Organizer
    a_shop: Distribution
    a_box: Distribution
    b_shop: Distribution
    b_box: Distribution
    admin: User
    configurer: User
    seller: User
    other: User
    peer: User
    customer: User
    invitation_a: object
    invitation_b: object
    tokens: dict[str, str] = field(default_factory=dict)

    def ids(self, names) -> list[int]:
        return [getattr(self, name).pk for name in names]


def team_build(marker: str, *, host: str = "") -> Team:
    """Build a Team in the current schema (see Team); users get DRF tokens."""
    from apps.core.audit import Actor
    from apps.operators.services import invitation_create
    from apps.organizers.services import organizer_create

    a = organizer_create(name=f"{marker}-A", slug="organizer-a", currency="EUR", country="NL")
    b = organizer_create(name=f"{marker}-B", slug="organizer-b", currency="EUR", country="BE")
    a_shop, a_box = a.distributions.order_by("pk")
    b_shop, b_box = b.distributions.order_by("pk")
    people = {
        "admin": OperatorFactory(email="admin@example.com", full_name=f"{marker} Admin", is_admin=True),
        "configurer": OperatorFactory(
            email="configurer@example.com", full_name=f"{marker} Configurer", configures=[a]
        ),
        "seller": OperatorFactory(email="seller@example.com", full_name=f"{marker} Seller", sells=[a_box]),
        "other": OperatorFactory(email="other@example.com", full_name=f"{marker} Other", configures=[b]),
        "peer": OperatorFactory(
            email="peer@example.com", full_name=f"{marker} Peer", configures=[a], sells=[a_box]
        ),
        "customer": UserFactory(email="customer@example.com", full_name=f"{marker} Customer"),
    }
    invitation_a = invitation_create(
        actor=Actor(user=people["configurer"], host=host), email="invitee-a@example.com", organizers=[a]
    )
    invitation_b = invitation_create(
        actor=Actor(user=people["other"], host=host), email="invitee-b@example.com", distributions=[b_box]
    )
    return Team(
        marker=marker,
        a=a,
        b=b,
        a_shop=a_shop,
        a_box=a_box,
        b_shop=b_shop,
        b_box=b_box,
        invitation_a=invitation_a,
        invitation_b=invitation_b,
        tokens={name: api_token(user) for name, user in people.items()},
        **people,
    )


# Who calls the API, and through which host. Tenant roles call alpha's host.
PLATFORM_ADMIN = "platform admin on the platform host"
PLATFORM_ADMIN_ON_TENANT = "platform admin on alpha's host"
ADMIN = "alpha's organization admin"
CONFIGURER = "configures A"
SELLER = "sells at A's box office only"
OTHER = "configures B only"
CUSTOMER = "alpha customer (not an operator)"
ANONYMOUS = "anonymous"
OTHER_ORGANIZATION = "beta's admin: same e-mail, same id, beta's token"
# Extra roles on the platform host, for the platform API.
PLATFORM_USER = "non-staff user of the public schema"
ANONYMOUS_ON_PLATFORM = "anonymous on the platform host"
ADMIN_ON_PLATFORM = "alpha's organization admin with alpha's token on the platform host"

TENANT_ROLES = (
    PLATFORM_ADMIN,
    PLATFORM_ADMIN_ON_TENANT,
    ADMIN,
    CONFIGURER,
    SELLER,
    OTHER,
    CUSTOMER,
    ANONYMOUS,
    OTHER_ORGANIZATION,
)
PLATFORM_ROLES = (*TENANT_ROLES, PLATFORM_USER, ANONYMOUS_ON_PLATFORM, ADMIN_ON_PLATFORM)

_OUTSIDERS = ("ALPHA", "@example.com")  # alpha's markers and alpha's people
# What each role must never find in any response: data of things it cannot reach.
NEVER_SEEN = {
    PLATFORM_ADMIN: _OUTSIDERS,
    PLATFORM_ADMIN_ON_TENANT: _OUTSIDERS,
    ADMIN: (),
    CONFIGURER: ("ALPHA-B", "other@", "seller@", "customer@", "invitee-b@"),
    SELLER: ("ALPHA-B", "other@", "configurer@", "customer@", "invitee-a@", "invitee-b@"),
    OTHER: ("ALPHA-A", "configurer@", "seller@", "peer@", "customer@", "invitee-a@"),
    CUSTOMER: _OUTSIDERS,
    ANONYMOUS: _OUTSIDERS,
    OTHER_ORGANIZATION: _OUTSIDERS,
    PLATFORM_USER: _OUTSIDERS,
    ANONYMOUS_ON_PLATFORM: _OUTSIDERS,
    ADMIN_ON_PLATFORM: _OUTSIDERS,
}


@dataclass
class World:
    """alpha's Team, a platform admin and (built on demand) beta's twin Team with the same ids."""

    alpha: object
    beta: object
    team: Team
    platform_admin: User
    platform_tokens: dict[str, str]
    twin: Team | None = None

    def client(self, role: str) -> APIClient:
        from tests.tenants import ALPHA

        tokens = self.team.tokens
        host, token = {
            PLATFORM_ADMIN: (PLATFORM_HOST, self.platform_tokens["admin"]),
            PLATFORM_ADMIN_ON_TENANT: (ALPHA.host, self.platform_tokens["admin"]),
            ADMIN: (ALPHA.host, tokens.get("admin")),
            CONFIGURER: (ALPHA.host, tokens.get("configurer")),
            SELLER: (ALPHA.host, tokens.get("seller")),
            OTHER: (ALPHA.host, tokens.get("other")),
            CUSTOMER: (ALPHA.host, tokens.get("customer")),
            ANONYMOUS: (ALPHA.host, None),
            OTHER_ORGANIZATION: (ALPHA.host, None),
            PLATFORM_USER: (PLATFORM_HOST, self.platform_tokens["user"]),
            ANONYMOUS_ON_PLATFORM: (PLATFORM_HOST, None),
            ADMIN_ON_PLATFORM: (PLATFORM_HOST, tokens.get("admin")),
        }[role]
        if role == OTHER_ORGANIZATION:
            token = self.beta_twin().tokens["admin"]
        return api_client(host=host, token=token)

    def beta_twin(self) -> Team:
        if self.twin is None:
            with schema_context(self.beta.schema_name):
                self.twin = team_build("BETA")
            assert self.twin.ids(["a", "b", "a_box", "admin", "peer"]) == self.team.ids(
                ["a", "b", "a_box", "admin", "peer"]
            ), "the twin must have alpha's ids"
        return self.twin

    def check(self, role: str, response, expected, names_to_ids=None) -> None:
        """expected: a status code, or (status code, [names of the listed objects, in order])."""
        status, names = expected if isinstance(expected, tuple) else (expected, None)
        assert response.status_code == status, response.content.decode()[:500]
        body = response.content.decode()
        for marker in NEVER_SEEN[role]:
            assert marker not in body, f"{role} sees {marker!r}: {body[:500]}"
        if names is not None:
            data = response.json()
            rows = data["results"] if isinstance(data, dict) else data
            ids = names_to_ids(names) if names_to_ids else self.team.ids(names)
            assert [row["id"] for row in rows] == ids


def world_build(alpha, beta) -> World:
    from tests.tenants import ALPHA

    twin_sequences(alpha.schema_name, beta.schema_name)
    with schema_context(alpha.schema_name):
        team = team_build("ALPHA", host=ALPHA.host)
    with schema_context("public"):
        platform_admin = UserFactory(email="admin@platform.test", is_staff=True, full_name="Platform Admin")
        platform_user = UserFactory(email="user@platform.test", full_name="Platform User")
        platform_tokens = {"admin": api_token(platform_admin), "user": api_token(platform_user)}
    return World(
        alpha=alpha, beta=beta, team=team, platform_admin=platform_admin, platform_tokens=platform_tokens
    )


# --- events: a Team's locations, events, dates and ticket types ------------------------

import datetime as _dt  # noqa: E402
from decimal import Decimal  # noqa: E402

EVENT_TABLES = ("events_location", "events_event", "events_eventdate", "events_tickettype")


@dataclass
class Programme:
    """A Team's events; names carry the marker ("<marker>-A …" for A's, "<marker>-B …" for B's).

    Locations: arena (A, holds 500), hall (A, unused), stadium (B, no capacity).
    concert: A at arena, draft, in A's shop and box office; day1 (no own capacity), day2 (300);
        concert_pass (a pass) and day1_ticket (for day1).
    workshop: A at arena, box office only, no dates.
    online: A at arena, online shop only (the seller never sees it); online_date, online_ticket.
    gala: B at stadium, published; gala_date, gala_ticket.
    """

    marker: str
    arena: object
    hall: object
    stadium: object
    concert: object
    workshop: object
    online: object
    gala: object
    day1: object
    day2: object
    online_date: object
    gala_date: object
    concert_pass: object
    day1_ticket: object
    online_ticket: object
    gala_ticket: object

    def ids(self, names) -> list[int]:
        return [getattr(self, name).pk for name in names]


def _at(day: str, hour: int) -> _dt.datetime:
    return _dt.datetime.fromisoformat(f"{day}T{hour:02d}:00:00+00:00")


def programme_build(team: Team) -> Programme:
    """Build a Programme (see there) for `team`, in the current schema, through the services."""
    from apps.events import services

    m = team.marker
    arena = services.location_create(
        organizer=team.a, name=f"{m}-A Arena", address="Parkweg 1", city="Utrecht", country="NL", capacity=500
    )
    hall = services.location_create(
        organizer=team.a, name=f"{m}-A Hall", address="Dam 1", city="Amsterdam", country="NL"
    )
    stadium = services.location_create(
        organizer=team.b, name=f"{m}-B Stadium", address="Rue 1", city="Brussels", country="BE"
    )
    concert = services.event_create(
        organizer=team.a, location=arena, name=f"{m}-A Concert", distributions=[team.a_shop, team.a_box]
    )
    workshop = services.event_create(
        organizer=team.a, location=arena, name=f"{m}-A Workshop", distributions=[team.a_box]
    )
    online = services.event_create(
        organizer=team.a, location=arena, name=f"{m}-A Online only", distributions=[team.a_shop]
    )
    gala = services.event_create(organizer=team.b, location=stadium, name=f"{m}-B Gala")
    day1 = services.event_date_create(event=concert, start=_at("2027-06-01", 18), end=_at("2027-06-01", 21))
    day2 = services.event_date_create(
        event=concert, start=_at("2027-06-02", 18), end=_at("2027-06-02", 21), capacity=300
    )
    online_date = services.event_date_create(
        event=online, start=_at("2027-07-01", 18), end=_at("2027-07-01", 19)
    )
    gala_date = services.event_date_create(event=gala, start=_at("2027-08-01", 19), end=_at("2027-08-01", 23))
    services.event_publish(event=gala)
    return Programme(
        marker=m,
        arena=arena,
        hall=hall,
        stadium=stadium,
        concert=concert,
        workshop=workshop,
        online=online,
        gala=gala,
        day1=day1,
        day2=day2,
        online_date=online_date,
        gala_date=gala_date,
        concert_pass=services.ticket_type_create(event=concert, name=f"{m}-A Pass", price=Decimal("80.00")),
        day1_ticket=services.ticket_type_create(
            event=concert, event_date=day1, name=f"{m}-A Standard", price=Decimal("45.00")
        ),
        online_ticket=services.ticket_type_create(
            event=online, event_date=online_date, name=f"{m}-A Stream", price=Decimal("10.00")
        ),
        gala_ticket=services.ticket_type_create(
            event=gala, event_date=gala_date, name=f"{m}-B Seat", price=Decimal("100.00")
        ),
    )


def denied_to_outsiders(**allowed) -> dict:
    """A row of a permission matrix on an organization's host: whoever is not an operator of
    that organization is turned away; `allowed` gives the operators' expected answers."""
    return {
        PLATFORM_ADMIN: 404,  # the platform host has no such endpoint
        PLATFORM_ADMIN_ON_TENANT: 401,  # a public-schema token means nothing in alpha
        CUSTOMER: 403,
        ANONYMOUS: 401,
        OTHER_ORGANIZATION: 401,  # beta's token is unknown in alpha's schema
        **allowed,
    }


def only_platform_admins(allowed) -> dict:
    """A row of the matrix: on an organization's host the platform API does not exist."""
    return {
        PLATFORM_ADMIN: allowed,
        PLATFORM_ADMIN_ON_TENANT: 404,
        ADMIN: 404,
        CONFIGURER: 404,
        SELLER: 404,
        OTHER: 404,
        CUSTOMER: 404,
        ANONYMOUS: 404,
        OTHER_ORGANIZATION: 404,
        PLATFORM_USER: 403,  # a public-schema user, but no staff
        ANONYMOUS_ON_PLATFORM: 401,
        ADMIN_ON_PLATFORM: 401,  # alpha's token means nothing in the public schema
    }


def role_matrix(table: dict):
    """One test case per role of a permission-matrix row: parametrizes (role, expected)."""
    return pytest.mark.parametrize(("role", "expected"), list(table.items()))


# --- clients: the billing accounts whose plans decide features ---------------------------

ALL_FEATURES = {"box_office": True, "event_replication": True, "custom_domain": True, "max_operators": None}


def clients_open(*organizers, organization=None, plan_slug: str = "all-features", **features):
    """Client (billing) accounts for these organizers of `organization` (by default the one of
    the current schema) on plan `plan_slug` (made with `features` over ALL_FEATURES when
    missing): plan features gate the box office, replication, custom domains and the number of
    operators (apps.operators.permissions)."""
    from apps.billing.services.accounts import billing_account_open
    from apps.plans.models import Plan
    from apps.tenancy.models import Organization
    from tests.plans.factories import plan_build

    organization = organization or Organization.objects.get(schema_name=connection.schema_name)
    with schema_context("public"):
        plan = Plan.objects.filter(slug=plan_slug).first() or plan_build(
            slug=plan_slug, **{**ALL_FEATURES, **features}
        )
        return [
            billing_account_open(
                organization=organization,
                organizer_id=organizer.pk,
                organizer_name=organizer.name,
                organizer_slug=organizer.slug,
                country=str(organizer.country),
                plan=plan,
            )
            for organizer in organizers
        ]
