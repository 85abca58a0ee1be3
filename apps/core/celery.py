"""The base of every Tessera task: it names its schema and checks it runs there."""

import functools
import logging
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from kombu.exceptions import OperationalError
from tenant_schemas_celery.task import TenantTask

from apps.core.schemas import current_schema

logger = logging.getLogger(__name__)


class WrongSchemaError(RuntimeError):
    pass


class SchemaTask(TenantTask):
    """A task that takes `schema_name` as a keyword and runs inside that schema.

    The schema travels in the message headers (tenant-schemas-celery switches to it before
    the body runs); the body refuses to run anywhere else.
    """

    abstract = True
    acks_late = True
    reject_on_worker_lost = True

    def apply_async(
        self, args: Sequence[Any] | None = None, kwargs: dict[str, Any] | None = None, **options: Any
    ) -> Any:  # celery's AsyncResult (celery is untyped)
        schema_name = (kwargs or {}).get("schema_name")
        if not schema_name:
            raise TypeError(f"{self.name} needs a schema_name keyword argument")
        options["headers"] = {**(options.get("headers") or {}), "_schema_name": schema_name}
        return super().apply_async(args, kwargs, **options)

    def delay_on_commit(self, *args: Any, **kwargs: Any) -> None:
        """Send the task once the current transaction commits, never raising there: the write
        is committed, so a broker that cannot take the task must not turn it into an error
        (a clerk told "failed" sells the seat again). The lost send is logged; what must
        happen is written in the transaction (a row whose sent_at is empty) and sent again
        by its sweep (apps.core.emails, "Side effects" in CONTRIBUTING)."""
        transaction.on_commit(functools.partial(self._send_after_commit, args, kwargs))

    def _send_after_commit(self, args: Sequence[Any], kwargs: dict[str, Any]) -> None:
        try:
            self.apply_async(args, kwargs)
        except OperationalError as exc:  # kombu's wrapper of every broker connection error
            logger.error(
                "broker unreachable: %s%s not queued, its sweep will send it (%s)", self.name, kwargs, exc
            )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        expected = kwargs.get("schema_name")
        if not expected or current_schema() != expected:
            raise WrongSchemaError(
                f"{self.name} expected schema {expected!r} but runs in {current_schema()!r}"
            )
        return super().__call__(*args, **kwargs)
