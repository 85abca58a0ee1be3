from django.apps import AppConfig


class OperatorsConfig(AppConfig):
    """Operators' permission links, their team and invitations (organization schemas only)."""

    name = "apps.operators"
    label = "operators"
