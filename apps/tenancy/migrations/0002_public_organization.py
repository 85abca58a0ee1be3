"""The public schema's own tenant row: the platform host routes to it."""

from django.db import migrations


def create_public_organization(apps, schema_editor):
    Organization = apps.get_model("tenancy", "Organization")
    Organization.objects.get_or_create(
        schema_name="public",
        defaults={"name": "Platform", "slug": "platform", "status": "ready"},
    )


class Migration(migrations.Migration):
    dependencies = [("tenancy", "0001_initial")]

    operations = [migrations.RunPython(create_public_organization, migrations.RunPython.noop)]
