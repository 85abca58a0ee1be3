"""Set up Django for a benchmark script run from the repository root or bench/."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()


def markdown_table(headers: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pids) -> float:
    """User + system CPU time of these processes so far (Linux /proc; 0 for those gone)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / _CLOCK_TICKS


def measure_view(client, host: str, path: str, requests: int) -> dict:
    """Server time of one page through Django's test client (after 5 warm-up requests): median,
    p99 and max ms, its query count and page size, and the CPU per request of this process and
    of its PostgreSQL backend."""
    import statistics
    import time

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _warm_up in range(5):
        assert client.get(path, HTTP_HOST=host).status_code == 200, path
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, HTTP_HOST=host)
    query_count = len(queries)  # now: the next request's start clears the connection's log
    assert response.status_code == 200, response.status_code
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = int(cursor.fetchone()[0])
    samples = []
    app_before, db_before = time.process_time(), cpu_seconds([backend])
    for _request in range(requests):
        started = time.perf_counter()
        response = client.get(path, HTTP_HOST=host)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    app_cpu, db_cpu = time.process_time() - app_before, cpu_seconds([backend]) - db_before
    return {
        "path": path,
        "median_ms": round(statistics.median(samples), 1),
        "p99_ms": round(statistics.quantiles(samples, n=100)[98], 1),
        "max_ms": round(max(samples), 1),
        "queries": query_count,
        "html_kb": round(len(response.content) / 1024, 1),
        "app_cpu_ms_per_request": round(app_cpu * 1000 / requests, 2),
        "db_cpu_ms_per_request": round(db_cpu * 1000 / requests, 2),
        "requests": requests,
    }
