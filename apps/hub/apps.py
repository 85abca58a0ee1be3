from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from apps.core.hooks import event_changed


class HubConfig(AppConfig):
    name = "apps.hub"
    label = "hub"
    verbose_name = _("Events hub")

    def ready(self) -> None:
        from apps.hub.services import hub_event_changed  # it imports models: not before the registry

        event_changed.listen(hub_event_changed)
