from django.apps import AppConfig


class PlansConfig(AppConfig):
    """The plan catalogue (public schema): plans, their prices per currency, add-on prices,
    the features they give, and the exchange rates prices convert with."""

    name = "apps.plans"
    label = "plans"
