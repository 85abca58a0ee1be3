"""The audit log: services record every change of rights with who, what, when and where."""

from dataclasses import dataclass, field

from django.db import connection, models

from apps.core.models import AuditLogEntry


@dataclass(frozen=True)
class Actor:
    """Who acts, and through which host (empty for commands and tasks)."""

    user: object | None
    host: str = ""
    # Users live per schema: a platform admin acting inside an organization is recorded
    # by e-mail only, never as a foreign key to that organization's user table.
    schema_name: str = field(default_factory=lambda: connection.schema_name)

    @classmethod
    def from_request(cls, request) -> "Actor":
        # The user belongs to the schema the request's host routes to, even when the actor is
        # made inside another schema's context (a platform admin acting in an organization).
        tenant = getattr(request, "tenant", None)
        return cls(
            user=request.user if request.user.is_authenticated else None,
            host=request.get_host(),
            schema_name=tenant.schema_name if tenant is not None else connection.schema_name,
        )


def audit_log(*, actor: Actor, action: str, target: models.Model | None = None, **data) -> AuditLogEntry:
    user = actor.user
    return AuditLogEntry.objects.create(
        actor=user if actor.schema_name == connection.schema_name else None,
        actor_email=getattr(user, "email", "") or "",
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:255] if target is not None else "",
        data=data,
        host=actor.host,
    )
