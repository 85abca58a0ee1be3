"""Reads of accounts: support sessions."""

from typing import TYPE_CHECKING, Any

from apps.accounts.models import SupportSession
from apps.core.models import AuditLogEntry

if TYPE_CHECKING:
    from apps.accounts.models import SupportSession, User


def support_session_open_of(identity: "User") -> "SupportSession | None":
    """The support identity's open support session (the latest), or None."""
    from django.utils import timezone

    return (
        SupportSession.objects.filter(identity=identity, ended_at=None, expires_at__gt=timezone.now())
        .order_by("-opened_at", "-pk")
        .first()
    )


def support_sessions_with_actions(limit: int = 100) -> "list[SupportSession]":
    """The latest support sessions, each with `actions`: its identity's audit entries while
    it ran, oldest first (two queries)."""
    from django.utils import timezone

    sessions = list(SupportSession.objects.select_related("identity")[:limit])
    entries = AuditLogEntry.objects.filter(actor_id__in={s.identity_id for s in sessions}).order_by(
        "created_at", "pk"
    )
    by_actor: dict[int | None, list[Any]] = {}
    for entry in entries:
        by_actor.setdefault(entry.actor_id, []).append(entry)
    for session in sessions:
        end = session.closed_at or timezone.now()
        session.actions = [  # type: ignore[attr-defined]  # set on each row read, for the page
            entry
            for entry in by_actor.get(session.identity_id, ())
            if session.opened_at <= entry.created_at <= end
            and not entry.action.startswith("support.session_")
        ]
    return sessions
