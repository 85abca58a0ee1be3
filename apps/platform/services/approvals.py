"""Platform admins' approvals: an operator's one-time right to replicate events."""

from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.models import ApprovalRequest, User
from apps.core.audit import Actor, audit_log
from apps.events.services import replication_right_grant
from apps.events.tasks import release_held_replications


@transaction.atomic
def approval_grant(*, approval_id: int, actor: Actor) -> ApprovalRequest:
    """Grant an operator's one-time approval; their held requests then run in the background."""
    approval = ApprovalRequest.objects.select_for_update().get(pk=approval_id)
    if approval.status == ApprovalRequest.Status.GRANTED:
        return approval
    approval.status = ApprovalRequest.Status.GRANTED
    approval.decided_by_email = getattr(actor.user, "email", "")
    approval.decided_at = timezone.now()
    approval.save(update_fields=["status", "decided_by_email", "decided_at"])
    audit_log(actor=actor, action="approval.granted", target=approval)
    if approval.kind == ApprovalRequest.Kind.EVENT_REPLICATION:
        with schema_context(approval.organization_schema):
            operator = User.objects.get(pk=approval.operator_id)
            replication_right_grant(operator=operator, granted_by_email=approval.decided_by_email)
        release_held_replications.delay_on_commit(
            schema_name=approval.organization_schema, operator_id=approval.operator_id
        )
    return approval
