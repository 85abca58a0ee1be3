import io

from django.core.management import call_command
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.billing.models import BillingAccount
from apps.events.models import Event
from apps.operators.permissions import distributions_sellable_by, has_totp, organizers_configurable_by
from apps.organizers.models import Distribution, Organizer
from apps.plans.models import Plan
from apps.tenancy.models import Domain, Organization


def test_seed_demo_builds_the_seed_structure_and_is_idempotent(client, organizations):
    call_command("seed_demo", stdout=io.StringIO())
    out = io.StringIO()
    call_command("seed_demo", stdout=out)

    fancy = Organization.objects.get(name="Fancy theme parks")
    football = Organization.objects.get(name="Football club ABC")
    assert fancy.is_ready
    assert football.is_ready
    with schema_context(fancy.schema_name):
        assert sorted(Organizer.objects.values_list("name", flat=True)) == [
            "Fun park",
            "Rollercoaster park",
            "Water park",
        ]
        assert Distribution.objects.count() == 6
        assert User.objects.get(email="operator@fancy-theme-parks.example").is_admin
        manager = User.objects.get(email="manager@funpark.example")
        assert not manager.is_admin
        assert [o.slug for o in organizers_configurable_by(manager)] == ["funpark"]
        assert [str(d) for d in distributions_sellable_by(manager)] == ["Fun park – Online shop"]
        cashier = User.objects.get(email="cashier@waterpark.example")
        assert not organizers_configurable_by(cashier).exists()
        assert [str(d) for d in distributions_sellable_by(cashier)] == ["Water park – Box office"]
        assert User.objects.filter(is_operator=True).count() == 4
        for organizer in Organizer.objects.all():
            # Its coming event; the other is last season's, whose past sales the invoices bill.
            past = Event.objects.get(organizer=organizer, name=f"{organizer.name} — last season")
            assert past.dates.count() == 11
            event = Event.objects.exclude(pk=past.pk).get(organizer=organizer)
            assert event.status == Event.Status.PUBLISHED
            assert event.location.organizer == organizer
            assert event.dates.count() >= 3
            assert event.ticket_types.exclude(event_date=None).count() >= event.dates.count()
    with schema_context(football.schema_name):
        assert list(Organizer.objects.values_list("name", flat=True)) == ["Football club ABC"]
        cup = Event.objects.exclude(name__endswith="— last season").get()
        assert cup.dates.count() == 3
        assert cup.ticket_types.filter(event_date=None).get().name == "Weekend pass"
        assert Distribution.objects.count() == 2
        assert User.objects.filter(is_operator=True).count() == 2
    with schema_context("public"):
        admin = User.objects.get(is_staff=True, is_superuser=True)
        assert has_totp(admin)  # platform admins need TOTP; the demo's secret is printed
    assert Domain.objects.get(domain="funpark.localhost").organizer_slug == "funpark"
    assert client.get("/", HTTP_HOST="waterpark.localhost").context["organizer"].name == "Water park"
    assert "http://funpark.localhost:8000/control/" in out.getvalue()
    assert "TOTP secret TESSERADEMOADMIN" in out.getvalue()
    assert "http://localhost:8000/start/" in out.getvalue()


def test_seed_demo_names_a_template_site_for_the_pro_plan_once(organizations):
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())

    template = Organization.objects.get(slug="template-pro")
    assert template.is_ready
    assert template.is_template  # kept to be cloned, not served
    assert Plan.objects.get(slug="pro").template_schema == template.schema_name == "template_pro"
    assert Plan.objects.get(slug="starter").template_schema == ""
    assert Organization.objects.filter(slug__startswith="template").count() == 1
    with schema_context(template.schema_name):
        # Whatever it holds is copied into every new client: no people, no organizers.
        assert not User.objects.exists()
        assert not Organizer.objects.exists()
    assert not BillingAccount.objects.filter(organization=template).exists()


def test_demo_operator_logs_in_to_the_control_panel(client, organizations):
    call_command("seed_demo", stdout=io.StringIO())

    client.post(
        "/accounts/login/",
        {"login": "operator@fancy-theme-parks.example", "password": "tessera-demo"},
        HTTP_HOST="funpark.localhost",
    )

    page = client.get("/control/", HTTP_HOST="funpark.localhost").content.decode()
    assert "Rollercoaster park" in page


def test_the_demo_cashier_sells_at_water_parks_box_office(organizations):
    from apps.operators.permissions import Action, can

    call_command("seed_demo", stdout=io.StringIO())

    fancy = Organization.objects.get(name="Fancy theme parks")
    with schema_context(fancy.schema_name):
        cashier = User.objects.get(email="cashier@waterpark.example")
        box_office = distributions_sellable_by(cashier).get()
        assert can(cashier, Action.SELL_AT_BOX_OFFICE, box_office)
