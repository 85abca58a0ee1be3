"""The platform's settings, one row until now, move to the apps that own each part: the
brand to core, the hosts to tenancy, the Stripe account to payments, the Facebook app to
accounts. Every value is copied (the next migration drops the moved columns); backwards,
the values come back."""

from django.db import migrations

PARTS = {
    ("core", "Branding"): (
        "name",
        "logo",
        "primary_color",
        "accent_color",
        "support_email",
        "legal_footer",
        "show_powered_by",
    ),
    ("tenancy", "HostSettings"): ("base_domain", "name_servers"),
    ("payments", "PlatformStripeAccount"): (
        "stripe_secret_key",
        "stripe_publishable_key",
        "stripe_webhook_secret",
        "stripe_connect_client_id",
    ),
    ("accounts", "FacebookApp"): ("facebook_app_id", "facebook_app_secret"),
}


def copy_to_parts(apps, schema_editor):
    # Only the public schema holds the platform's row (this app is in SHARED_APPS alone).
    PlatformSettings = apps.get_model("platform", "PlatformSettings")
    row = PlatformSettings.objects.filter(pk=1).first()
    if row is None:
        return
    for (app_label, model_name), names in PARTS.items():
        apps.get_model(app_label, model_name).objects.update_or_create(
            pk=1, defaults={name: getattr(row, name) for name in names}
        )


def copy_back(apps, schema_editor):
    PlatformSettings = apps.get_model("platform", "PlatformSettings")
    row = PlatformSettings.objects.filter(pk=1).first()
    if row is None:
        return
    for (app_label, model_name), names in PARTS.items():
        part = apps.get_model(app_label, model_name).objects.filter(pk=1).first()
        if part is not None:
            for name in names:
                setattr(row, name, getattr(part, name))
    row.save()


class Migration(migrations.Migration):
    dependencies = [
        ("platform", "0005_signup_page_and_provisioning"),
        ("core", "0004_branding"),
        ("tenancy", "0005_hostsettings"),
        ("payments", "0005_platformstripeaccount"),
        ("accounts", "0008_facebookapp"),
    ]

    operations = [migrations.RunPython(copy_to_parts, copy_back)]
