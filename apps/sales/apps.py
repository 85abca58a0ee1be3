from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "apps.sales"
    label = "sales"

    def ready(self) -> None:
        # Imported here: the services need the models, loaded after the app registry.
        from apps.core import hooks
        from apps.sales.models import Order
        from apps.sales.selectors.calendar import dates_sold
        from apps.sales.services.payments import order_paid_by_payment
        from apps.sales.services.waiting_list import waiting_list_capacity_changed

        hooks.payment_succeeded.register(Order.PAYMENT_PURPOSE, order_paid_by_payment)
        hooks.event_dates_sold.answer(dates_sold)
        hooks.capacity_changed.listen(waiting_list_capacity_changed)
