"""Fixtures for tests that talk to real services: Redis as the Celery broker and a database a worker can share.

Tests marked ``services`` are skipped when ``REDIS_URL`` is unset or the test database is
SQLite in memory (a worker process could not see it), unless ``REQUIRE_SERVICES=1``:
then a missing service fails the test, so CI can't go green by skipping them.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from kombu import pools as kombu_pools

from burden.celery import app as celery_app
from tests.conftest import env_required

REPO_ROOT = Path(__file__).resolve().parents[2]


def _sqlite_in_memory(db_settings: dict) -> bool:
    if not db_settings["ENGINE"].endswith("sqlite3"):
        return False
    test_name = (db_settings.get("TEST") or {}).get("NAME")
    return not test_name or test_name == ":memory:" or "mode=memory" in str(test_name)


def services_missing() -> str | None:
    """Why the services tests can't run here, or None when they can."""
    if not os.environ.get("REDIS_URL", "").strip():
        return "REDIS_URL is not set"
    if _sqlite_in_memory(settings.DATABASES["default"]):
        return "the test database is SQLite in memory, which a worker process cannot reach (set DATABASE_URL)"
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Skip (or, with REQUIRE_SERVICES=1, fail) before any fixture starts."""
    if item.get_closest_marker("services") is None:
        return
    reason = services_missing()
    if reason is None:
        return
    if env_required("REQUIRE_SERVICES"):
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(f"needs PostgreSQL and Redis: {reason}")


@pytest.fixture
def redis_url() -> str:
    return os.environ["REDIS_URL"].strip()


def database_url_for(db_settings: dict) -> str:
    """A DATABASE_URL (as burden.settings reads it) for the database ``db_settings`` describes."""
    engine = db_settings["ENGINE"]
    if engine.endswith("sqlite3"):
        return f"sqlite:///{Path(db_settings['NAME']).resolve()}"
    scheme = {"django.db.backends.postgresql": "postgres", "django.db.backends.mysql": "mysql"}[engine]
    user = quote(db_settings.get("USER") or "", safe="")
    password = db_settings.get("PASSWORD") or ""
    credentials = f"{user}:{quote(password, safe='')}" if password else user
    host = db_settings.get("HOST") or ""
    if host.startswith("/"):  # a Unix socket directory
        host = quote(host, safe="")
    port = f":{db_settings['PORT']}" if db_settings.get("PORT") else ""
    at = "@" if credentials else ""
    return f"{scheme}://{credentials}{at}{host}{port}/{quote(db_settings['NAME'], safe='')}"


def _drop_celery_connections(app) -> None:
    """Forget the app's cached broker pool and result backend so they follow its current conf.

    kombu keeps connection and producer pools in process-wide registries; closing
    one pool while its producer pool stays registered leaves "Acquire on closed
    pool" for the next task sent, so the registries are emptied as a whole.
    """
    kombu_pools.reset()
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
    app._backend_cache = None
    app._local.backend = None


@pytest.fixture
def live_celery(redis_url, queue_name):
    """The project's Celery app, sending for real to Redis (not eagerly) on ``queue_name``."""
    conf = celery_app.conf
    names = ("task_always_eager", "broker_url", "result_backend", "task_default_queue")
    previous = {name: conf[name] for name in names}
    _drop_celery_connections(celery_app)
    conf.task_always_eager = False
    conf.broker_url = redis_url
    conf.result_backend = redis_url
    conf.task_default_queue = queue_name
    yield celery_app
    try:  # leave no binding behind in Redis for this throwaway queue
        with celery_app.connection_for_write() as conn:
            queue = celery_app.amqp.queues[queue_name](conn.default_channel)
            queue.declare()  # so the channel knows the bindings it is to delete
            queue.delete()
    finally:
        celery_app.amqp.queues.pop(queue_name, None)
        _drop_celery_connections(celery_app)
    for name, value in previous.items():
        conf[name] = value


@pytest.fixture
def queue_name() -> str:
    """A queue no other worker listens on, so only the test's own worker takes the task."""
    return f"burden-test-{uuid.uuid4().hex[:12]}"


class Worker:
    """A ``celery -A burden worker`` subprocess; its output goes to a file."""

    def __init__(self, process: subprocess.Popen, log_path: Path):
        self.process = process
        self.log_path = log_path

    def output(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.alive():
            self.process.send_signal(signal.SIGTERM)  # warm shutdown
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@pytest.fixture
def celery_worker(transactional_db, live_celery, redis_url, queue_name, tmp_path):
    """A real worker on Redis that reads the test database; stopped (and its log shown on failure) at teardown.

    Requesting ``transactional_db`` here keeps rows committed, so the worker sees them,
    and stops the worker before pytest-django empties the tables.
    """
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "burden.settings",
        "DATABASE_URL": database_url_for(connection.settings_dict),
        "DB_CONN_MAX_AGE": "0",
        "REDIS_URL": redis_url,
    }
    log_path = tmp_path / "celery-worker.log"
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "burden",
        "worker",
        "--loglevel=INFO",
        "--pool=solo",
        "--concurrency=1",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "-Q",
        queue_name,
        "--hostname",
        f"{queue_name}@%h",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
        )
    worker = Worker(process, log_path)
    try:
        yield worker
    finally:
        worker.stop()
        # pytest shows this only for a test that failed.
        print(f"--- celery worker output (exit code {process.returncode}) ---\n{worker.output()}")


def wait_until_ready(worker: Worker, timeout: float = 30) -> None:
    """Wait for the worker to say it is ready; fail early, with its log, if it exits or hangs."""
    deadline = time.monotonic() + timeout
    while " ready." not in worker.output():
        if not worker.alive():
            pytest.fail(f"the celery worker exited with code {worker.process.returncode}:\n{worker.output()}")
        if time.monotonic() > deadline:
            pytest.fail(f"the celery worker was not ready within {timeout} s:\n{worker.output()}")
        time.sleep(0.2)
