"""The catalogue's content types (and with them their permissions and admin log entries) and
its audit trail follow its models from billing to plans."""

from django.db import migrations

MODELS = ("plan", "planprice", "exchangerate", "addonprice")


def move(apps, schema_editor, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    AuditLogEntry = apps.get_model("core", "AuditLogEntry")
    db = schema_editor.connection.alias
    for model in MODELS:
        if not ContentType.objects.using(db).filter(app_label=target, model=model).exists():
            ContentType.objects.using(db).filter(app_label=source, model=model).update(app_label=target)
        AuditLogEntry.objects.using(db).filter(target_type=f"{source}.{model}").update(
            target_type=f"{target}.{model}"
        )


def forwards(apps, schema_editor) -> None:
    move(apps, schema_editor, "billing", "plans")


def backwards(apps, schema_editor) -> None:
    move(apps, schema_editor, "plans", "billing")


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
