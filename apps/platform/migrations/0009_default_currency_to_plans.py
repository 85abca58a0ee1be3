"""The currency plans are priced in moves from the platform's settings row to the plans
app (PricingSettings), value kept; the next migration drops the column. Backwards, the
value comes back."""

from django.db import migrations


def copy_to_plans(apps, schema_editor):
    # Only the public schema holds the platform's row (this app is in SHARED_APPS alone).
    row = apps.get_model("platform", "PlatformSettings").objects.filter(pk=1).first()
    if row is not None:
        apps.get_model("plans", "PricingSettings").objects.update_or_create(
            pk=1, defaults={"default_currency": row.default_currency}
        )


def copy_back(apps, schema_editor):
    part = apps.get_model("plans", "PricingSettings").objects.filter(pk=1).first()
    if part is not None:
        apps.get_model("platform", "PlatformSettings").objects.filter(pk=1).update(
            default_currency=part.default_currency
        )


class Migration(migrations.Migration):
    dependencies = [
        ("platform", "0008_signup_plan_in_plans"),
        ("plans", "0003_pricing_settings"),
    ]

    operations = [migrations.RunPython(copy_to_plans, copy_back)]
