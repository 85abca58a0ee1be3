"""The platform's settings row split by owner (platform 0006/0007): every value it held is in
the part that owns it afterwards, and back in the row when the split is reversed."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_tenants.utils import schema_context

BEFORE = [("platform", "0005_signup_page_and_provisioning")]
SPLIT = [("platform", "0006_settings_split")]
AFTER = [("platform", "0007_settings_split_drop_moved")]

VALUES = {
    ("core", "Branding"): {
        "name": "Fancy Tickets",
        "logo": "platform/logos/fancy.png",
        "primary_color": "#6d28d9",
        "accent_color": "#f59e0b",
        "support_email": "support@fancy-tickets.example",
        "legal_footer": "Fancy Tickets B.V.\nKeizersgracht 1, Amsterdam",
        "show_powered_by": True,
    },
    ("tenancy", "HostSettings"): {
        "base_domain": "tickets.example.com",
        "name_servers": "ns1.fancy-tickets.example\nns2.fancy-tickets.example",
    },
    ("payments", "PlatformStripeAccount"): {
        "stripe_secret_key": "sk_test_51HxSecretPart4242",
        "stripe_publishable_key": "pk_test_51HxPublic1234",
        "stripe_webhook_secret": "whsec_Abcdefgh9876",
        "stripe_connect_client_id": "ca_Connect5678",
    },
    ("accounts", "FacebookApp"): {"facebook_app_id": "1234567890", "facebook_app_secret": "fb-secret-abc"},
}
KEPT = {"default_currency": "CHF", "mode": "full_service"}


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    # Fire the deferred foreign-key checks now: PostgreSQL refuses to alter a table with
    # pending trigger events, and the whole test runs in one transaction (rolled back).
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    # The state of what is applied now: other apps' migrations that depend on a later
    # platform one (billing's catalogue move) were unapplied with it.
    loader = MigrationExecutor(connection).loader
    return loader.project_state(list(loader.applied_migrations)).apps


def _stored(apps, app_label, model_name) -> dict:
    row = apps.get_model(app_label, model_name).objects.get(pk=1)
    values = {name: getattr(row, name) for name in VALUES[(app_label, model_name)]}
    if "logo" in values:
        values["logo"] = values["logo"].name
    return values


def test_the_split_moves_every_value_to_its_owner_and_back(alpha):
    with schema_context("public"):
        old = _migrate(BEFORE)
        for app_label, model in VALUES:
            old.get_model(app_label, model).objects.all().delete()  # whatever earlier tests left
        old.get_model("platform", "PlatformSettings").objects.update_or_create(
            pk=1,
            defaults={
                **{name: value for values in VALUES.values() for name, value in values.items()},
                **KEPT,
                "owner_organization_id": alpha.pk,
            },
        )

        split = _migrate(SPLIT)
        assert {part: _stored(split, *part) for part in VALUES} == VALUES

        new = _migrate(AFTER)
        assert {part: _stored(new, *part) for part in VALUES} == VALUES
        platform = new.get_model("platform", "PlatformSettings").objects.get(pk=1)
        assert {name: getattr(platform, name) for name in KEPT} == KEPT
        assert platform.owner_organization_id == alpha.pk
        moved = {name for values in VALUES.values() for name in values}
        assert not moved & {field.name for field in platform._meta.fields}

        back = _migrate(BEFORE)
        row = back.get_model("platform", "PlatformSettings").objects.get(pk=1)
        restored = {name: getattr(row, name) for values in VALUES.values() for name in values}
        restored["logo"] = restored["logo"].name
        assert restored == {name: value for values in VALUES.values() for name, value in values.items()}

        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())  # as it was (rolled back anyway)


def test_without_a_settings_row_the_split_writes_no_part(db):
    with schema_context("public"):
        old = _migrate(BEFORE)
        old.get_model("platform", "PlatformSettings").objects.all().delete()
        for app_label, model in VALUES:
            old.get_model(app_label, model).objects.all().delete()

        new = _migrate(AFTER)

        assert not any(new.get_model(app_label, model).objects.exists() for app_label, model in VALUES)
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_the_currency_plans_are_priced_in_moves_to_plans_and_back(db):
    """platform 0009/0010: the default currency leaves the platform's row for PricingSettings."""
    before = [("platform", "0008_signup_plan_in_plans")]
    with schema_context("public"):
        old = _migrate(before)
        old.get_model("plans", "PricingSettings").objects.all().delete()
        old.get_model("platform", "PlatformSettings").objects.update_or_create(
            pk=1, defaults={"default_currency": "CHF"}
        )

        new = _migrate([("platform", "0010_drop_default_currency")])
        assert new.get_model("plans", "PricingSettings").objects.get(pk=1).default_currency == "CHF"
        platform = new.get_model("platform", "PlatformSettings")
        assert "default_currency" not in {field.name for field in platform._meta.fields}

        new.get_model("plans", "PricingSettings").objects.filter(pk=1).update(default_currency="SEK")
        back = _migrate(before)
        assert back.get_model("platform", "PlatformSettings").objects.get(pk=1).default_currency == "SEK"

        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
