from django.db.models import Count
from django_tenants.utils import get_public_schema_name, schema_context

from apps.accounts.models import ApprovalRequest
from apps.core.exceptions import DomainError
from apps.events.models import Event, ReplicationRequest
from apps.events.replication import plan_slots
from apps.tenancy.models import Organization


def organizations_with_domains():
    return (
        Organization.objects.exclude(schema_name=get_public_schema_name())
        .prefetch_related("domains")
        .order_by("name")
    )


def approvals_pending_first():
    return ApprovalRequest.objects.order_by("status", "-created_at")


def approval_subject(approval: ApprovalRequest) -> dict:
    """What the platform admin reviews: the event in its organization's schema, and the
    operator's held requests (read there, snapshotted here)."""
    with schema_context(approval.organization_schema):
        event = (
            Event.objects.select_related("organizer", "location")
            .annotate(date_count=Count("dates"))
            .filter(pk=approval.subject_id)
            .first()
        )
        held = list(
            ReplicationRequest.objects.filter(requested_by_id=approval.operator_id)
            .select_related("event")
            .order_by("-created_at")[:20]
        )
        for request in held:
            try:
                request.planned_count = len(plan_slots(request.plan))
            except DomainError:
                request.planned_count = None
        ticket_types = list(event.ticket_types.all()[:20]) if event else []
        return {"event": event, "held": held, "ticket_types": ticket_types}
