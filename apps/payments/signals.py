"""What payments reports; apps.sales listens (payments knows nothing of orders).

Both are sent inside the webhook's (or reconciliation's) transaction, in the organization's
schema, with `payment` (a Payment) and `reference` (what it paid for)."""

from django.dispatch import Signal

payment_succeeded = Signal()
payment_failed = Signal()
