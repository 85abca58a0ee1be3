"""Every organizer gets a time zone: its country's main one (apps.core.timezones)."""

from django.db import migrations, models

from apps.core.timezones import validate_time_zone, zone_for_country


def fill_time_zones(registry, schema_editor):
    Organizer = registry.get_model("organizers", "Organizer")
    for organizer in Organizer.objects.filter(time_zone=""):
        organizer.time_zone = zone_for_country(str(organizer.country))
        organizer.save(update_fields=["time_zone"])


class Migration(migrations.Migration):
    dependencies = [
        ("organizers", "0002_organizer_bank_account_organizer_currency_locked_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="organizer",
            name="time_zone",
            field=models.CharField(
                default="",
                help_text="Dates and times of its events are shown and typed in this zone.",
                max_length=63,
                validators=[validate_time_zone],
                verbose_name="time zone",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(fill_time_zones, migrations.RunPython.noop),
    ]
