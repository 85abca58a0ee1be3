"""Gunicorn settings of the web server, in production (Dockerfile, docker-compose.yml) and in
the sale benchmark (bench/sales.py): `gunicorn config.wsgi:application -c config/gunicorn.py`.

Sync workers, 2 × CPUs + 1 (gunicorn's advice; WEB_CONCURRENCY overrides): a sale is mostly
Python on the CPU with short waits on PostgreSQL and Redis. Measured on 2 CPUs (bench/sales.py,
C = 32): 4 to 6 sync workers sell alike; threaded workers (gthread, with keep-alive) sell no
more and triple p99, since requests queue behind one another on a worker's connections.
Database connections persist between requests (CONN_MAX_AGE, with health checks).
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * len(os.sched_getaffinity(0)) + 1)
worker_class = "sync"
backlog = 2048
# One line per request on stdout; GUNICORN_ACCESS_LOG="" turns it off (the sale benchmark does).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
