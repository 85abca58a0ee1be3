"""The plan catalogue moves out of billing with every row: the models are taken over as they
are (state only, on billing's tables), then their tables are renamed to this app's names.
billing.0006 re-points its foreign keys and forgets the models; platform.0008 likewise for
client signups; 0002 moves the content types (and so the permissions) and the audit trail."""

from decimal import Decimal

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

import apps.plans.validators


class Migration(migrations.Migration):
    initial = True

    dependencies = [("billing", "0005_sweep_index")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ExchangeRate",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "currency",
                            models.CharField(
                                max_length=3,
                                unique=True,
                                validators=[apps.plans.validators.validate_billable_currency],
                                verbose_name="currency",
                            ),
                        ),
                        (
                            "rate",
                            models.DecimalField(
                                decimal_places=6,
                                help_text="Units of this currency per unit of the default currency.",
                                max_digits=18,
                                validators=[django.core.validators.MinValueValidator(Decimal("0.000001"))],
                                verbose_name="rate",
                            ),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                    ],
                    options={
                        "db_table": "billing_exchangerate",
                        "verbose_name": "exchange rate",
                        "verbose_name_plural": "exchange rates",
                        "ordering": ["currency"],
                    },
                ),
                migrations.CreateModel(
                    name="Plan",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(max_length=100, verbose_name="name")),
                        ("slug", models.SlugField(unique=True, verbose_name="slug")),
                        ("description", models.TextField(blank=True, verbose_name="description")),
                        (
                            "is_public",
                            models.BooleanField(
                                default=True,
                                help_text="Shown on the pricing page; others are assigned by hand.",
                                verbose_name="public",
                            ),
                        ),
                        (
                            "sort_order",
                            models.PositiveSmallIntegerField(default=0, verbose_name="sort order"),
                        ),
                        (
                            "event_replication",
                            models.BooleanField(default=False, verbose_name="event replication"),
                        ),
                        ("box_office", models.BooleanField(default=False, verbose_name="box office")),
                        ("custom_domain", models.BooleanField(default=False, verbose_name="custom domain")),
                        (
                            "max_operators",
                            models.PositiveIntegerField(
                                blank=True,
                                help_text="Empty for unlimited.",
                                null=True,
                                validators=[django.core.validators.MinValueValidator(1)],
                                verbose_name="maximum operators",
                            ),
                        ),
                        (
                            "template_schema",
                            models.CharField(
                                blank=True,
                                help_text="Schema cloned for new clients of this plan; empty for the standard template.",
                                max_length=63,
                                validators=[apps.plans.validators.validate_template_schema],
                                verbose_name="template site",
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                    ],
                    options={
                        "db_table": "billing_plan",
                        "verbose_name": "plan",
                        "verbose_name_plural": "plans",
                        "ordering": ["sort_order", "name"],
                    },
                ),
                migrations.CreateModel(
                    name="AddonPrice",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "feature",
                            models.CharField(
                                choices=[
                                    ("event_replication", "Event replication"),
                                    ("box_office", "Box office"),
                                    ("custom_domain", "Custom domain"),
                                ],
                                max_length=32,
                                verbose_name="feature",
                            ),
                        ),
                        (
                            "currency",
                            models.CharField(
                                help_text="ISO 4217 code.",
                                max_length=3,
                                validators=[apps.plans.validators.validate_billable_currency],
                                verbose_name="currency",
                            ),
                        ),
                        (
                            "monthly_fee",
                            models.DecimalField(
                                decimal_places=3,
                                max_digits=12,
                                validators=[django.core.validators.MinValueValidator(Decimal("0"))],
                                verbose_name="monthly fee",
                            ),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                    ],
                    options={
                        "db_table": "billing_addonprice",
                        "verbose_name": "add-on price",
                        "verbose_name_plural": "add-on prices",
                        "ordering": ["feature", "currency"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("feature", "currency"),
                                name="billing_addonprice_one_per_currency",
                                violation_error_message="This add-on already has a price in that currency.",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="PlanPrice",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "currency",
                            models.CharField(
                                help_text="ISO 4217 code.",
                                max_length=3,
                                validators=[apps.plans.validators.validate_billable_currency],
                                verbose_name="currency",
                            ),
                        ),
                        (
                            "monthly_fee",
                            models.DecimalField(
                                decimal_places=3,
                                max_digits=12,
                                validators=[django.core.validators.MinValueValidator(Decimal("0"))],
                                verbose_name="monthly fee",
                            ),
                        ),
                        (
                            "setup_fee",
                            models.DecimalField(
                                decimal_places=3,
                                default=Decimal("0"),
                                max_digits=12,
                                validators=[django.core.validators.MinValueValidator(Decimal("0"))],
                                verbose_name="setup fee",
                            ),
                        ),
                        (
                            "fixed_fee",
                            models.DecimalField(
                                decimal_places=3,
                                default=Decimal("0"),
                                help_text="Charged per ticket sold.",
                                max_digits=12,
                                validators=[django.core.validators.MinValueValidator(Decimal("0"))],
                                verbose_name="fixed fee per ticket",
                            ),
                        ),
                        (
                            "percent_fee",
                            models.DecimalField(
                                decimal_places=2,
                                default=Decimal("0"),
                                help_text="Percentage of each ticket's price, e.g. 1.50.",
                                max_digits=5,
                                validators=[
                                    django.core.validators.MinValueValidator(Decimal("0")),
                                    django.core.validators.MaxValueValidator(Decimal("100")),
                                ],
                                verbose_name="percent fee",
                            ),
                        ),
                        (
                            "plan",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="prices",
                                to="plans.plan",
                                verbose_name="plan",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "billing_planprice",
                        "verbose_name": "plan price",
                        "verbose_name_plural": "plan prices",
                        "ordering": ["plan", "currency"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("plan", "currency"),
                                name="billing_planprice_one_per_currency",
                                violation_error_message="This plan already has a price in that currency.",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="exchangerate", table=None),
        migrations.AlterModelTable(name="plan", table=None),
        migrations.AlterModelTable(name="addonprice", table=None),
        migrations.AlterModelTable(name="planprice", table=None),
    ]
