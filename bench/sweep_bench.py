"""Benchmark: a full rules sweep over N generated records on PostgreSQL, and one saved record.

    .venv/bin/python bench/sweep_bench.py --records 1000000

It builds a fresh database (BENCH_POSTGRES_URL, else DATABASE_URL when it names a
PostgreSQL database, else postgres://postgres@127.0.0.1:5432/burden_sweep_bench) with
the demo city and N records
spread over the five kinds in the demo's proportions (documents most), written with the
product's own bulk insert; then it times ``sweep()`` twice (the first opens every
violation, the second finds them all again and changes nothing) counting the SQL
statements each issues, and times the evaluation of one saved record as the Celery
task does it. Run it in its own process: nothing here belongs in the test suite.

``--prepare-only`` builds the database and stops; ``--skip-prepare --reset`` reuses
it, removing the violations first so that the first sweep opens them all again.
"""

from __future__ import annotations

import argparse
import datetime
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# The development defaults: DEBUG is off unless set, and load_demo needs it on.
os.environ.setdefault("DEBUG", "True")
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/burden_sweep_bench"


def prepare(url: str) -> None:
    import psycopg2

    name = url.rsplit("/", 1)[1]
    admin = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("REDIS_URL", None)
    for command in (["migrate", "--noinput", "-v0"], ["load_demo", "--no-records"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)


def generate(records: int) -> dict[str, int]:
    """N records in the demo's proportions, by the demo generators scaled to the target."""
    from django.db import connection

    from burden.demo_records import load_demo_records

    # One demo year at scale 1 is about 36,000 records; scale to the target.
    scale = records / 36_000
    counts = load_demo_records(today=datetime.date(2026, 11, 27), scale=scale)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return counts


class StatementCounter:
    """Counts the SQL statements run (an ``executemany`` is one), without keeping their text."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def timed_sweep(today):
    from django.db import connection

    from burden.rules.engine import sweep

    counter = StatementCounter()
    with connection.execute_wrapper(counter):
        start = time.perf_counter()
        results = sweep(today)
        seconds = time.perf_counter() - start
    opened = sum(result["opened"] for result in results.values())
    return seconds, counter.count, opened


def reset_violations() -> None:
    """No violation and no timeline left: the next sweep is a first sweep again."""
    from django.db import connection

    from burden.models import Violation, ViolationEvent

    tables = [ViolationEvent._meta.db_table, Violation._meta.db_table]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(connection.ops.quote_name(t) for t in tables)}")
        cursor.execute("ANALYZE")


def database_url() -> str:
    url = os.environ.get("BENCH_POSTGRES_URL")
    if url:
        return url
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else DEFAULT_URL


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--skip-prepare", action="store_true", help="Reuse the database of the last run.")
    parser.add_argument("--prepare-only", action="store_true", help="Build the database and stop.")
    parser.add_argument("--reset", action="store_true", help="Remove every violation before sweeping.")
    args = parser.parse_args()
    url = database_url()
    if not args.skip_prepare:
        print("preparing the database...", flush=True)
        prepare(url)
    os.environ["DATABASE_URL"] = url
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "burden.settings")
    import django

    django.setup()
    from django.utils import translation

    translation.activate("en")
    if not args.skip_prepare:
        start = time.perf_counter()
        counts = generate(args.records)
        print(f"generated {sum(counts.values()):,} records {counts} in {time.perf_counter() - start:.0f} s", flush=True)
    if args.prepare_only:
        return
    if args.reset:
        reset_violations()
    today = datetime.date(2026, 11, 27)
    for label in ("first sweep (opens every violation)", "second sweep (nothing changes)"):
        seconds, statements, opened = timed_sweep(today)
        print(f"{label}: {seconds:.1f} s, {statements} SQL statements, {opened:,} violations opened", flush=True)

    from django.db import connection

    from burden.models import Violation
    from documents.models import Document

    document = Document.objects.order_by("-pk").first()
    document.handling_minutes = (document.handling_minutes or 0) + 1
    document.save()
    stored = Violation.objects.count()
    print(f"one saved document evaluated by every document rule: {timed_evaluation(document.pk, today)}", flush=True)
    # Autovacuum would analyze the tables the sweeps filled; this server may have it off.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"the same after ANALYZE: {timed_evaluation(document.pk, today)}; {stored:,} violations stored")


def timed_evaluation(record_id: int, today) -> str:
    """Median, min and max of five evaluations of one saved document, as the Celery task does it."""
    from burden.rules.engine import evaluate_record

    runs = []
    for _ in range(5):
        start = time.perf_counter()
        evaluate_record("document", record_id, today)
        runs.append(time.perf_counter() - start)
    runs.sort()
    return f"median {runs[2] * 1000:.0f} ms (min {runs[0] * 1000:.0f}, max {runs[-1] * 1000:.0f})"


if __name__ == "__main__":
    main()
