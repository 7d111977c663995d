"""Fault scenario 2 (a sweep): the worker's process is SIGKILLed mid-sweep; the sweep is redelivered and finished.

    .venv/bin/python scripts/reliability/worker_killed.py [--records 3000] [--kill-after 0.3]

Against real processes on loopback: a Celery worker (``celery -A burden worker``, one
prefork child, as ``make worker`` runs it) on a PostgreSQL database of its own (``PG_URL``,
default postgres://postgres@127.0.0.1:5432, database ``burden_reliability_worker``, made
afresh) and a Redis this script starts on a free port (never the shared 6379). The
database holds ``--records`` meetings that each break MTG-DURATION, written in bulk
(unevaluated). The sweep (``burden.tasks.sweep_rules``, what beat sends nightly) is sent;
``--kill-after`` seconds after the worker took it, the child process running it is killed
with SIGKILL, as the kernel's out-of-memory killer or a lost host would. The settings ask
for late acknowledgement and for rejection on a lost worker (``CELERY_TASK_ACKS_LATE``,
``CELERY_TASK_REJECT_ON_WORKER_LOST``): the message must go back to the queue, a new child
must take it and finish it, and each meeting must then carry exactly one flag. One line:

    worker_killed: records=N flags_at_kill=N deliveries=N flagged=N duplicates=N lost=N seconds=N

(``flags_at_kill``: flags written when the child was killed, fewer than ``records`` when the
kill really fell in the middle; ``deliveries``: how often the worker received the sweep.)
Exits non-zero when a meeting is left unflagged, one is flagged twice, the sweep was not
redelivered, or the kill came after the sweep had already finished (then raise ``--records``).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from psycopg2 import sql
from redis_outage import BIN, ROOT, Redis, admin_connection, free_port  # the scenarios' shared pieces

DB_NAME = "burden_reliability_worker"
TASK = "burden.tasks.sweep_rules"
STARTED = time.monotonic()

SEED = """
import datetime
from burden.models import Unit
from meetings.models import Meeting
city = Unit.objects.create(code="REL", name="可靠性测试市", name_en="Reliability city", level="city")
unit = Unit.objects.create(code="REL-A", name="测试社区", name_en="Test community", level="community",
                           parent=city, headcount=10, is_grassroots=True)
Meeting.objects.bulk_create(
    [Meeting(title=f"部署会 {{n}}", date=datetime.date(2026, 3, 2), unit=unit, duration_minutes=150, attendees=2,
             accompanying=0, travel_minutes=30, mode="in_person", category="deployment") for n in range({records})],
    batch_size=2000,
)
"""


def phase(text: str) -> None:
    """A progress line on stderr; the one line of figures goes to stdout."""
    print(f"  [{time.monotonic() - STARTED:5.1f}s] {text}", file=sys.stderr, flush=True)


def wait_for(check, what: str, timeout: float, step: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"worker_killed: timed out waiting for {what}")
        time.sleep(step)


def children_of(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (the worker's pool children), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            stat = (entry / "stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def flag_counts(pg_url: str) -> tuple[int, int, int]:
    """Meetings, meetings with an MTG-DURATION flag, and MTG-DURATION flag rows."""
    with contextlib.closing(admin_connection(pg_url, DB_NAME)) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM meetings_meeting")
        meetings = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(DISTINCT record_id), count(*) FROM burden_violation"
            " WHERE rule = 'MTG-DURATION' AND record_kind = 'meeting'"
        )
        flagged, rows = cursor.fetchone()
        return meetings, flagged, rows


def run(args) -> int:
    redis_port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="worker-killed-"))
    redis = Redis(redis_port, workdir)
    env = {
        **os.environ,
        "ENV_FILE": "",
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"{args.pg_url.rstrip('/')}/{DB_NAME}",
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "LOG_LEVEL": "INFO",
        "LOG_FORMAT": "text",
    }
    log_path = workdir / "worker.log"
    worker = None

    def log() -> str:
        return log_path.read_text(errors="replace") if log_path.exists() else ""

    def lines(word: str) -> int:
        """The worker's log lines about the sweep that contain ``word`` ("received", "succeeded")."""
        return sum(1 for line in log().splitlines() if f"{TASK}[" in line and word in line)

    def manage(*command: str) -> None:
        command = [str(BIN / "python"), "manage.py", *command]
        subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)

    try:
        with contextlib.closing(admin_connection(args.pg_url)) as conn, conn.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DB_NAME)))
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DB_NAME)))
        redis.start()
        manage("migrate", "--noinput", "--verbosity", "0")
        manage("shell", "--no-imports", "-c", SEED.format(records=args.records))
        phase(f"database {DB_NAME} with {args.records} unevaluated meetings, Redis on port {redis_port}")
        with log_path.open("wb") as out:
            worker = subprocess.Popen(
                [str(BIN / "celery"), "-A", "burden", "worker", "--concurrency=1", "--pool=prefork",
                 "--without-heartbeat", "--without-gossip", "--without-mingle", f"--hostname=killed-{os.getpid()}@%h"],
                cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        wait_for(lambda: " ready." in log() or worker.poll() is not None, "the worker to be ready", 90, 0.2)
        if worker.poll() is not None:
            raise SystemExit(f"worker_killed: the worker stopped:\n{log()[-3000:]}")
        phase("worker ready; sending the sweep")

        started = time.monotonic()
        # Not waited for: the worker takes the sweep while this command is still shutting down.
        sender = subprocess.Popen([str(BIN / "celery"), "-A", "burden", "call", TASK], cwd=ROOT, env=env,
                                  stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)  # fmt: skip
        wait_for(lambda: lines("received"), "the worker to take the sweep", 60)
        time.sleep(args.kill_after)
        finished_before_kill = lines("succeeded") > 0
        children = children_of(worker.pid)
        if not children:
            raise SystemExit(f"worker_killed: the worker has no pool child to kill:\n{log()[-3000:]}")
        for child in children:
            os.kill(child, signal.SIGKILL)
        _meetings, flags_at_kill, _rows = flag_counts(args.pg_url)
        if sender.wait(timeout=60) != 0:
            raise SystemExit("worker_killed: `celery call` could not send the sweep")
        phase(f"killed the pool child {children} with {flags_at_kill} flags written")

        wait_for(lambda: lines("succeeded") or worker.poll() is not None, "the sweep to finish", args.timeout, 0.2)
        seconds = time.monotonic() - started
        time.sleep(1)  # the roll-ups' refresh after the sweep, and the log's last lines
        meetings, flagged, rows = flag_counts(args.pg_url)
        deliveries = lines("received")
        lost = meetings - flagged
        duplicates = rows - flagged
        print(
            f"worker_killed: records={meetings} flags_at_kill={flags_at_kill} deliveries={deliveries} "
            f"flagged={flagged} duplicates={duplicates} lost={lost} seconds={seconds:.1f}"
        )
        problems = []
        if finished_before_kill:
            problems.append("the sweep had finished before the kill: raise --records or lower --kill-after")
        if deliveries < 2:
            problems.append("the sweep was not redelivered after its worker was lost")
        if lost or duplicates or meetings != args.records:
            problems.append("flags were lost or duplicated")
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        if problems:
            print(f"  the worker's log: {log_path}", file=sys.stderr)
        return 1 if problems else 0
    finally:
        if worker is not None and worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
        redis.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg-url", default=os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--records", type=int, default=3000)
    parser.add_argument("--kill-after", type=float, default=0.3, help="seconds after the worker took the sweep")
    parser.add_argument("--timeout", type=float, default=300, help="seconds for the redelivered sweep to finish")
    return run(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
