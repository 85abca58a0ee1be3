"""Celery app: Redis broker, tenant-aware tasks (the schema travels in each message's headers)."""

import os

from tenant_schemas_celery.app import CeleryApp

# Workers and beat run production unless told otherwise (manage.py defaults to development).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")

app = CeleryApp("tessera")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
