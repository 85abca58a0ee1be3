"""The base of every Tessera task: it names its schema and checks it runs there."""

from django.db import connection
from tenant_schemas_celery.task import TenantTask


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

    def apply_async(self, args=None, kwargs=None, **options):
        schema_name = (kwargs or {}).get("schema_name")
        if not schema_name:
            raise TypeError(f"{self.name} needs a schema_name keyword argument")
        options["headers"] = {**(options.get("headers") or {}), "_schema_name": schema_name}
        return super().apply_async(args, kwargs, **options)

    def __call__(self, *args, **kwargs):
        expected = kwargs.get("schema_name")
        if not expected or connection.schema_name != expected:
            raise WrongSchemaError(
                f"{self.name} expected schema {expected!r} but runs in {connection.schema_name!r}"
            )
        return super().__call__(*args, **kwargs)
