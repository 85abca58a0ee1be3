"""A payment says what it pays for as a purpose and an object id instead of a "purpose:id"
reference string: every row's reference is split into the two ("order:42" → "order", 42),
and built back from them going backwards (0004 then drops the reference). A reference that is not "purpose:id" stops the
migration, naming it, rather than lose what a payment was for."""

import re

from django.db import migrations, models

REFERENCE = re.compile(r"^(?P<purpose>[a-z_]{1,32}):(?P<object_id>\d+)$")


def references_split(apps, schema_editor):
    Payment = apps.get_model("payments", "Payment")
    payments = list(Payment.objects.only("pk", "reference"))
    for payment in payments:
        match = REFERENCE.match(payment.reference)
        if match is None:
            raise ValueError(f"payment {payment.pk}: its reference {payment.reference!r} is not purpose:id")
        payment.purpose, payment.object_id = match["purpose"], int(match["object_id"])
    Payment.objects.bulk_update(payments, ["purpose", "object_id"], batch_size=1000)


def references_join(apps, schema_editor):
    Payment = apps.get_model("payments", "Payment")
    payments = list(Payment.objects.only("pk", "purpose", "object_id"))
    for payment in payments:
        payment.reference = f"{payment.purpose}:{payment.object_id}"
    Payment.objects.bulk_update(payments, ["reference"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0002_payment_refund_due"),
    ]

    operations = [
        migrations.AddField(
            model_name="payment",
            name="purpose",
            field=models.CharField(
                default="",
                help_text="The kind of thing paid for, e.g. order or invoice.",
                max_length=32,
                verbose_name="paid for",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="payment",
            name="object_id",
            field=models.PositiveBigIntegerField(null=True, verbose_name="id of what is paid for"),
        ),
        migrations.RunPython(references_split, references_join, elidable=False),
    ]
