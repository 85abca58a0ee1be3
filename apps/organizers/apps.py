from django.apps import AppConfig


class OrganizersConfig(AppConfig):
    name = "apps.organizers"
    label = "organizers"
