# Shortcuts for developers; scripts/run and scripts/test are the two commands that matter.
PY := .venv/bin/python

.PHONY: run test lint fmt migrate worker beat bench services

run:        ## services + migrate + demo data + web, worker, beat
	scripts/run
test:       ## checks + the whole test suite (ARGS="-k routing" to narrow it)
	scripts/test $(ARGS)
services:   ## PostgreSQL and Redis only; prints the exports
	$(PY) scripts/devstack.py services
lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .
fmt:
	.venv/bin/ruff check --fix . && .venv/bin/ruff format .
migrate:
	$(PY) manage.py migrate_schemas --noinput
worker:
	DJANGO_SETTINGS_MODULE=config.settings.dev .venv/bin/celery -A config worker -l info -Q default,email,billing,provisioning
beat:
	DJANGO_SETTINGS_MODULE=config.settings.dev .venv/bin/celery -A config beat -l info
bench:
	$(PY) bench/provision.py && $(PY) bench/replicate.py && $(PY) bench/hub.py && $(PY) bench/orders.py
