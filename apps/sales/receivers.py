"""How sales reacts to what apps.payments reports, and to changes of what it caches
(connected in SalesConfig.ready)."""

from django.dispatch import receiver

from apps.payments.signals import payment_succeeded
from apps.sales import services
from apps.sales.selectors import catalog_changed

ORDER_REFERENCE = "order:"


@receiver(payment_succeeded, dispatch_uid="sales.order_paid_by_payment")
def order_paid_by_payment(sender, *, payment, reference: str, **kwargs) -> None:
    if reference.startswith(ORDER_REFERENCE):
        services.order_payment_received(
            order_id=int(reference.removeprefix(ORDER_REFERENCE)), payment=payment
        )


# --- the cached catalog (apps.sales.selectors.CATALOG) ------------------------------------------
# Dropped whenever what selling reads from it is saved or deleted, by whatever code does it
# (services, the admin, replication): organizers, their distributions and who may sell in
# them, events and their channels, dates, ticket types, fee rules.

_CATALOG_MODELS = (
    "organizers.Organizer",
    "organizers.Distribution",
    "operators.SalePermission",
    "events.Event",
    "events.EventDate",
    "events.TicketType",
    "sales.FeeRule",
)


def _catalog_changed(sender, **kwargs) -> None:
    catalog_changed()


def connect_catalog_receivers() -> None:
    from django.apps import apps
    from django.db.models.signals import m2m_changed, post_delete, post_save

    for label in _CATALOG_MODELS:
        model = apps.get_model(label)
        post_save.connect(_catalog_changed, sender=model, dispatch_uid=f"sales.catalog.saved.{label}")
        post_delete.connect(_catalog_changed, sender=model, dispatch_uid=f"sales.catalog.deleted.{label}")
    channels = apps.get_model("events.Event").distributions.through
    m2m_changed.connect(_catalog_changed, sender=channels, dispatch_uid="sales.catalog.event_channels")
