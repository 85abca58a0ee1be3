"""The audit log: services record every change of rights with who, what, when and where."""

from dataclasses import dataclass

from django.db import models

from apps.core.models import AuditLogEntry


@dataclass(frozen=True)
class Actor:
    """Who acts, and through which host (empty for commands and tasks)."""

    user: object | None
    host: str = ""

    @classmethod
    def from_request(cls, request) -> "Actor":
        return cls(user=request.user if request.user.is_authenticated else None, host=request.get_host())


def audit_log(*, actor: Actor, action: str, target: models.Model | None = None, **data) -> AuditLogEntry:
    user = actor.user
    return AuditLogEntry.objects.create(
        actor=user,
        actor_email=getattr(user, "email", "") or "",
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:255] if target is not None else "",
        data=data,
        host=actor.host,
    )
