from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "apps.sales"
    label = "sales"

    def ready(self) -> None:
        from apps.sales import receivers  # connects the payment receivers

        receivers.connect_catalog_receivers()
