"""Client signups' plan is apps.plans' now (the same table, renamed by plans.0001): state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("platform", "0007_settings_split_drop_moved"),
        ("plans", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="clientsignup",
                    name="plan",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="plans.plan",
                        verbose_name="plan",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
