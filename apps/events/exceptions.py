from django.utils.translation import gettext

from apps.core.exceptions import Conflict, DomainError, NotAllowed
from apps.organizers.models import Organizer

__all__ = ["EventError", "HasDependants", "NotAllowed", "ReplicationNeedsApproval"]


class EventError(DomainError):
    """Bad event data that the form or serializer could not catch; the message says why."""


class HasDependants(Conflict):
    """A resource others depend on cannot be deleted; the message names them."""


class ReplicationNeedsApproval(NotAllowed):
    """An operator's first replication waits for a platform admin's one-time approval."""


def replication_not_in_plan(organizer: Organizer) -> str:
    return gettext(
        "The plan of %(organizer)s does not include event replication: ask the platform to add it."
    ) % {"organizer": organizer.name}
