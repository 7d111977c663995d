"""Fault scenario 1: Redis stops while people sign in and write records, then comes back.

    .venv/bin/python scripts/reliability/redis_outage.py [--seconds-up 5] [--seconds-down 30]

Against real processes on loopback: ``scripts/prod.sh`` (what ``make prod`` runs:
gunicorn, a Celery worker and beat) on a PostgreSQL database of its own
(``PG_URL``, default postgres://postgres@127.0.0.1:5432, database ``burden_reliability_redis``,
made afresh) and a Redis this script starts on a free port (never the shared 6379).
Clients sign in through the login page and post meetings through the API (each one
breaks MTG-DURATION, so each must end up flagged) while Redis is up, while it is stopped,
and after it is restarted. Once it is back, the catch-up task that beat sends every five
minutes (``burden.tasks.evaluate_pending``) is sent at once through the restarted Redis,
rather than waiting for the schedule, and the script waits for the worker to flag
every record. It prints one line:

    redis_outage: requests=N server_errors=N refused=N slowest=Ns records_saved=N awaited_catch_up=N
                  records_evaluated=N lost=N

(on one line; ``slowest``: the longest any request took; ``awaited_catch_up``: records whose
evaluation could not be queued while Redis was down, counted before the catch-up runs.)
The outage lasts 30 s by default, longer than the 20 s for which Celery's Redis result
store retried before it raised: shorter outages hid the 500s this scenario was written for.

and exits non-zero when a request got a 5xx or no answer, a write was refused, or a
record answered 201 is missing or was never evaluated. Runs in under two minutes.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg2
from psycopg2 import sql

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
DB_NAME = "burden_reliability_redis"
USERNAME, PASSWORD = "reliability_staff", "reliability-" + secrets.token_hex(8)
UNIT = "REL-A"
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- Redis of our own -------------------------------------------------------------------


class Redis:
    def __init__(self, port: int, workdir: Path):
        self.port, self.pidfile = port, workdir / "redis.pid"

    def start(self) -> None:
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "yes",
                "--pidfile",
                str(self.pidfile),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        wait_for(lambda: self.answers(), "redis-server to answer", 10)

    def answers(self) -> bool:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
        return False

    def stop(self) -> None:
        """Kill this Redis (by the pid it wrote) as an outage would, and wait until the port is closed."""
        with contextlib.suppress(FileNotFoundError, ProcessLookupError, ValueError):
            os.kill(int(self.pidfile.read_text().strip()), signal.SIGKILL)
        wait_for(lambda: not self.answers(), "redis-server to stop", 10)


# --- the database -------------------------------------------------------------------------


def admin_connection(pg_url: str, dbname: str = "postgres"):
    conn = psycopg2.connect(f"{pg_url.rstrip('/')}/{dbname}")
    conn.autocommit = True
    return conn


def database_recreate(pg_url: str) -> None:
    with contextlib.closing(admin_connection(pg_url)) as conn, conn.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DB_NAME)))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DB_NAME)))


def pending_count(pg_url: str) -> int:
    """Records whose evaluation could not be queued and waits for the catch-up."""
    with contextlib.closing(admin_connection(pg_url, DB_NAME)) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM burden_pendingevaluation")
        return cursor.fetchone()[0]


def database_counts(pg_url: str, ids: list[int]) -> tuple[int, int]:
    """Of the meetings ``ids``: how many exist, and how many carry their MTG-DURATION flag."""
    with contextlib.closing(admin_connection(pg_url, DB_NAME)) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM meetings_meeting WHERE id = ANY(%s)", [ids])
        saved = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(DISTINCT record_id) FROM burden_violation"
            " WHERE rule = 'MTG-DURATION' AND record_kind = 'meeting' AND status = 'open' AND record_id = ANY(%s)",
            [ids],
        )
        return saved, cursor.fetchone()[0]


SEED = f"""
from burden.models import Membership, Unit, User
city = Unit.objects.create(code="REL", name="可靠性测试市", name_en="Reliability city", level="city")
unit = Unit.objects.create(code={UNIT!r}, name="测试社区", name_en="Test community", level="community",
                           parent=city, headcount=10, is_grassroots=True)
user = User.objects.create_user({USERNAME!r}, password={PASSWORD!r})
Membership.objects.create(user=user, unit=unit, role="staff")
"""


# --- HTTP, with the cookies kept by hand ----------------------------------------------------
# With DEBUG=False the session and CSRF cookies are Secure; the standard library's cookie
# jar would then never send them over the loopback's plain HTTP.


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = self.server_errors = self.refused = 0
        self.slowest = 0.0
        self.saved_ids: list[int] = []
        self.examples: list[str] = []

    def count(self, what: str, status: int, expected: tuple[int, ...], seconds: float) -> None:
        with self.lock:
            self.requests += 1
            self.slowest = max(self.slowest, seconds)
            if status >= 500 or status == 0:
                self.server_errors += 1
            elif status not in expected:
                self.refused += 1
            if status not in expected and len(self.examples) < 5:
                self.examples.append(f"{what}: {status}")


class Client:
    def __init__(self, base: str, tally: Tally):
        self.base, self.tally, self.cookies = base, tally, {}

    def call(self, method, path, *, form=None, body=None, token=None, expect=(200,), what=None):
        headers = {"Accept-Language": "en"}
        data = None
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if body is not None:
            data = json.dumps(body).encode()
            headers.update({"Content-Type": "application/json", "Accept": "application/json"})
        if token:
            headers["Authorization"] = f"Token {token}"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        started = time.monotonic()
        try:
            with OPENER.open(request, timeout=30) as response:  # nosec B310 # http://127.0.0.1 only
                status, raw, got = response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            status, raw, got = error.code, error.read(), error.headers
        except OSError:  # no answer at all (reset, timeout): as bad as a 500
            status, raw, got = 0, b"", None
        for cookie in (got.get_all("Set-Cookie") or []) if got else []:
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        self.tally.count(what or f"{method} {path}", status, expect, time.monotonic() - started)
        return status, raw

    def sign_in_through_the_page(self) -> None:
        self.cookies.clear()
        status, raw = self.call("GET", "/accounts/login/", what="login page")
        match = CSRF_FIELD.search(raw.decode(errors="replace")) if status == 200 else None
        if match is None:
            return
        form = {"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": match.group(1)}
        status, _ = self.call("POST", "/accounts/login/", form=form, expect=(302,), what="sign-in")
        if status == 302:
            self.call("GET", "/", what="home page after sign-in")

    def token(self) -> str:
        status, raw = self.call(
            "POST", "/api/v1/auth/token/", body={"username": USERNAME, "password": PASSWORD}, what="token"
        )
        if status != 200:
            raise SystemExit(f"redis_outage: could not get an API token ({status}): {raw[:300]!r}")
        return json.loads(raw)["token"]

    def post_meeting(self, token: str, n: int) -> None:
        body = {
            "title": f"部署会 {n}",
            "date": "2026-03-02",
            "duration_minutes": 150,  # over MTG-DURATION's default of 90: every one must be flagged
            "attendees": 2,
            "mode": "in_person",
            "unit": UNIT,
        }
        status, raw = self.call("POST", "/api/v1/meetings/", body=body, token=token, expect=(201,), what="meeting")
        if status == 201:
            with self.tally.lock:
                self.tally.saved_ids.append(json.loads(raw)["id"])


STARTED = time.monotonic()


def phase(text: str) -> None:
    """A progress line on stderr; the one line of figures goes to stdout."""
    print(f"  [{time.monotonic() - STARTED:5.1f}s] {text}", file=sys.stderr, flush=True)


def wait_for(check, what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"redis_outage: timed out waiting for {what}")
        time.sleep(0.2)


def ready(base: str) -> bool:
    with contextlib.suppress(OSError), urllib.request.urlopen(f"{base}/health/ready/", timeout=2) as r:  # nosec B310
        return r.status == 200
    return False


def run(args) -> int:
    web_port, redis_port = free_port(), free_port()
    base = f"http://127.0.0.1:{web_port}"
    workdir = Path(tempfile.mkdtemp(prefix="redis-outage-"))
    redis = Redis(redis_port, workdir)
    env = {
        **os.environ,
        "ENV_FILE": "",  # not the checkout's .env: the environment below is the whole configuration
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "False",  # plain HTTP on the loopback, no TLS proxy in front
        "DATABASE_URL": f"{args.pg_url.rstrip('/')}/{DB_NAME}",
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "GUNICORN_BIND": f"127.0.0.1:{web_port}",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_THREADS": "4",
        "WORKER_CONCURRENCY": "1",
        "LOG_LEVEL": "WARNING",
    }
    log_path = workdir / "prod.log"
    server = None
    try:
        database_recreate(args.pg_url)
        redis.start()
        phase(f"database {DB_NAME} made, Redis on port {redis_port}; scripts/prod.sh starting on port {web_port}")
        with log_path.open("wb") as log:
            server = subprocess.Popen(
                [str(ROOT / "scripts" / "prod.sh")],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, stopped as a whole below
            )
        wait_for(lambda: ready(base) or server.poll() is not None, "gunicorn to be ready", 150)
        if server.poll() is not None:
            raise SystemExit(f"redis_outage: scripts/prod.sh stopped:\n{log_path.read_text()[-3000:]}")
        phase("served by gunicorn, with a worker and beat")
        subprocess.run(
            [str(BIN / "python"), "manage.py", "shell", "--no-imports", "-c", SEED],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )

        tally = Tally()
        clients = [Client(base, tally) for _ in range(args.clients)]
        tokens = [client.token() for client in clients]
        stop = threading.Event()

        def work(client: Client, token: str, number: int) -> None:
            n = 0
            while not stop.is_set():
                n += 1
                client.post_meeting(token, number * 100_000 + n)
                if n % 3 == 0:
                    client.sign_in_through_the_page()

        threads = [
            threading.Thread(target=work, args=(client, token, i), daemon=True)
            for i, (client, token) in enumerate(zip(clients, tokens, strict=True))
        ]
        for thread in threads:
            thread.start()
        phase(f"{args.clients} clients writing and signing in")
        time.sleep(args.seconds_up)
        redis.stop()  # the outage
        phase("Redis stopped")
        time.sleep(args.seconds_down)
        redis.start()
        phase("Redis restarted")
        time.sleep(args.seconds_up)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        awaiting = pending_count(args.pg_url)
        phase(f"clients stopped, {awaiting} records await the catch-up; sending it")

        # What beat sends every five minutes, sent now through the restarted Redis to the worker.
        subprocess.run(
            [str(BIN / "celery"), "-A", "burden", "call", "burden.tasks.evaluate_pending"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        ids = list(tally.saved_ids)
        deadline = time.monotonic() + args.evaluation_timeout
        saved, evaluated = database_counts(args.pg_url, ids)
        while evaluated < len(ids) and time.monotonic() < deadline:
            time.sleep(1)
            saved, evaluated = database_counts(args.pg_url, ids)
        lost = (len(ids) - saved) + (saved - evaluated)
        phase("counted")
        print(
            f"redis_outage: requests={tally.requests} server_errors={tally.server_errors} "
            f"refused={tally.refused} slowest={tally.slowest:.1f}s records_saved={saved} "
            f"awaited_catch_up={awaiting} records_evaluated={evaluated} lost={lost}"
        )
        if tally.examples:
            print("  first unexpected answers: " + ", ".join(tally.examples), file=sys.stderr)
        failed = tally.server_errors or tally.refused or lost or not ids
        if failed:
            print(f"  the processes' log: {log_path}", file=sys.stderr)
        return 1 if failed else 0
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        redis.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg-url", default=os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--clients", type=int, default=3)
    parser.add_argument("--seconds-up", type=float, default=5, help="load before the outage, and again after it")
    parser.add_argument("--seconds-down", type=float, default=30, help="how long Redis stays stopped")
    parser.add_argument("--evaluation-timeout", type=float, default=60)
    return run(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
