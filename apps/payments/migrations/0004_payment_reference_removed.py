"""The payment's reference is gone: its purpose and object id say what it pays for (0003)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0003_payment_purpose"),
    ]

    operations = [
        migrations.AlterField(
            model_name="payment",
            name="object_id",
            field=models.PositiveBigIntegerField(verbose_name="id of what is paid for"),
        ),
        # A default only so that going back can add the column again before 0003 fills it.
        migrations.AlterField(
            model_name="payment",
            name="reference",
            field=models.CharField(db_index=True, default="", max_length=64),
        ),
        migrations.RemoveField(model_name="payment", name="reference"),
        migrations.AddIndex(
            model_name="payment",
            index=models.Index(fields=["purpose", "object_id"], name="payments_paid_for"),
        ),
    ]
