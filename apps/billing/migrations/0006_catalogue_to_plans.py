"""The plan catalogue is apps.plans' now (plans.0001 took over the models and renamed their
tables): the clients' plan points there, and billing forgets the models. State only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0005_sweep_index"),
        ("plans", "0001_initial"),
        # Signups point at plans.Plan before billing.Plan is gone from the state.
        ("platform", "0008_signup_plan_in_plans"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="billingaccount",
                    name="plan",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="accounts",
                        to="plans.plan",
                        verbose_name="plan",
                    ),
                ),
                migrations.DeleteModel(name="PlanPrice"),
                migrations.DeleteModel(name="AddonPrice"),
                migrations.DeleteModel(name="ExchangeRate"),
                migrations.DeleteModel(name="Plan"),
            ],
            database_operations=[],
        ),
    ]
