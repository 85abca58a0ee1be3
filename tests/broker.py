"""The `broker` fixture: Celery's broker made unreachable (a port where no Redis listens)
for a while, as when Redis is down at a commit, then back. Import it into a test module."""

from contextlib import contextmanager

import pytest

NO_BROKER = "redis://127.0.0.1:1/0"


class Broker:
    def __init__(self, app):
        self._app = app

    def _point(self, url: str, *, eager: bool) -> None:
        self._app.conf.broker_url = url
        self._app.conf.task_always_eager = eager
        self._app._after_fork()  # Celery's own reset: pools reconnect to the URL set now

    @contextmanager
    def down(self):
        """Tasks are really sent (not run eagerly), to a broker that is not there."""
        url, eager = self._app.conf.broker_url, self._app.conf.task_always_eager
        self._point(NO_BROKER, eager=False)
        try:
            yield
        finally:
            self._point(url, eager=eager)


@pytest.fixture
def broker():
    from config.celery import app

    return Broker(app)
