from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "apps.sales"
    label = "sales"

    def ready(self) -> None:
        from apps.sales import receivers  # noqa: F401 - connects the payment receivers
