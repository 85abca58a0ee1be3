from decimal import Decimal

from django.db import migrations, models

from apps.core.money import quantize  # a pure function of the amount and the currency


def backfill(apps, schema_editor):
    """Refunds made before the field existed gave back their share of the fee (Stripe's
    refund_application_fee): in proportion, the one that emptied the payment the rest."""
    Payment = apps.get_model("payments", "Payment")
    for payment in Payment.objects.filter(refunds__isnull=False, application_fee__gt=0).distinct():
        refunds = list(payment.refunds.order_by("pk"))
        given_back, refunded = Decimal(0), Decimal(0)
        for refund in refunds:
            refunded += refund.amount
            if refunded >= payment.amount:
                refund.application_fee_refunded = payment.application_fee - given_back
            else:
                share = payment.application_fee * refund.amount / payment.amount
                refund.application_fee_refunded = quantize(share, payment.currency)
            given_back += refund.application_fee_refunded
            refund.save(update_fields=["application_fee_refunded"])


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0005_platformstripeaccount"),
    ]

    operations = [
        migrations.AddField(
            model_name="refund",
            name="application_fee_refunded",
            field=models.DecimalField(
                decimal_places=3, default=0, max_digits=12, verbose_name="platform fee refunded"
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
