"""Local development: safe defaults so `scripts/run` works with no configuration."""

import os

os.environ.setdefault("SECRET_KEY", "dev-only-insecure-key-change-me")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("TESSERA_DEMO", "true")
os.environ.setdefault("PLATFORM_PORT", "8000")

from .base import *  # noqa: E402,F403

STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
WHITENOISE_AUTOREFRESH = True  # serve from the finders, no collectstatic needed
