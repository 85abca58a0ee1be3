from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "apps.sales"
    label = "sales"

    def ready(self) -> None:
        # Imported here: services need the models, loaded after the app registry.
        from apps.core import hooks
        from apps.sales import services
        from apps.sales.models import Order

        hooks.payment_succeeded.register(Order.PAYMENT_PURPOSE, services.order_paid_by_payment)
