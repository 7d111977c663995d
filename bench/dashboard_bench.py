"""Benchmark: the dashboard and the burden ledger at N records on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/helper_dash_bench \\
        .venv/bin/python bench/dashboard_bench.py --records 10000
    ... --records 1000000

It builds a fresh database (BENCH_POSTGRES_URL, else DATABASE_URL when it names a
PostgreSQL database) with the demo city and N records in the demo's proportions,
written with the product's bulk insert by ``bench/sweep_bench.py``'s generator; runs
the rules sweep (so that open flags exist, as in production), rebuilds the roll-ups
(``rollups_rebuild``), then asks Django's test client for each page as the demo's
people and reports the server time of each page (the median of ``--repeat`` requests
after one warm-up) and its SQL statements — once for the whole page, once without the
top bar's notification count (the review's, on every page of the site). The target:
at 1,000,000 records, no page takes more than twice its time at 10,000. ``--json FILE`` keeps the numbers; with
``--compare FILE`` (an earlier run's) the ratios are printed. Run it in its own
process: nothing here belongs in the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# The development defaults: DEBUG is off unless set, and load_demo needs it on.
os.environ.setdefault("DEBUG", "True")
sys.path.insert(0, str(ROOT / "bench"))

# (who, page, arguments): the demo's district and street supervisors and its administrator.
VIEWERS = ["sup_street", "sup_district", "admin"]
PAGES = [
    ("insights:dashboard", []),
    ("insights:source_ranking", []),
    ("insights:source_detail", ["DH-YJJ"]),
    # The review: the queue of cases (its first tab), the single flags, the notifications.
    ("review:case_list", []),
    ("review:violation_list", []),
    ("review:notification_list", []),
]
# The demo's year ends on this day (sweep_bench generates it so); its months so far.
TODAY = "2026-11-27"
PERIOD = {"start": "2026-01", "end": "2026-11"}


def database_url() -> str:
    url = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("Set DATABASE_URL (or BENCH_POSTGRES_URL) to a PostgreSQL database the benchmark may drop.")
    return url


def shape() -> str:
    """What a supervisor faces: open flags, open cases, and the cases in the demo street supervisor's queue."""
    from burden.models import Case, User, Violation

    street = User.objects.get(username="sup_street")
    queue = Case.objects.for_user(street).active().count()
    return (
        f"{Violation.objects.open().count():,} open flags, {Case.objects.active().count():,} open cases, "
        f"{queue:,} in sup_street's queue ({-(-queue // 25)} pages of 25)"
    )


def build(records: int, sweep: bool) -> dict:
    import datetime

    from django.db import connection
    from sweep_bench import generate

    from burden.insights.rollups import rollups_rebuild
    from burden.models import MonthlyRollup

    timings = {}
    start = time.perf_counter()
    counts = generate(records)
    timings["generate_s"] = round(time.perf_counter() - start, 1)
    print(f"generated {sum(counts.values()):,} records {counts} in {timings['generate_s']} s", flush=True)
    if sweep:
        from burden.rules.engine import sweep as run_sweep

        start = time.perf_counter()
        run_sweep(datetime.date.fromisoformat(TODAY))
        timings["sweep_s"] = round(time.perf_counter() - start, 1)
        print(f"sweep (and case gathering): {timings['sweep_s']} s; {shape()}", flush=True)
    start = time.perf_counter()
    cells = rollups_rebuild()
    timings["rebuild_s"] = round(time.perf_counter() - start, 1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"roll-ups rebuilt: {sum(cells.values()):,} cells in {timings['rebuild_s']} s", flush=True)
    return {"records": sum(counts.values()), "cells": MonthlyRollup.objects.count(), **timings}


class StatementCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def without_bell():
    """The settings with the top bar's notification count left out of every page.

    The count belongs to the review (``burden.review``), not to these pages, and reads
    the open flags of the viewer's units on every page of the site; timing the pages
    with and without it tells the two costs apart.
    """
    from django.conf import settings
    from django.test import override_settings

    templates = [
        {
            **engine,
            "OPTIONS": {
                **engine["OPTIONS"],
                "context_processors": [p for p in engine["OPTIONS"]["context_processors"] if "review_bell" not in p],
            },
        }
        for engine in settings.TEMPLATES
    ]
    return override_settings(TEMPLATES=templates)


def measure(repeat: int, label: str) -> dict:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from burden.models import User

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    print(f"server time per request, median of {repeat} ({label}):", flush=True)
    results = {}
    for username in VIEWERS:
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(User.objects.get(username=username))
        for name, args in PAGES:
            url = reverse(name, args=args)
            assert client.get(url, PERIOD).status_code == 200  # warm-up: connection, templates, caches
            times = []
            counter = StatementCounter()
            for _ in range(repeat):
                counter.count = 0
                with connection.execute_wrapper(counter):
                    start = time.perf_counter()
                    response = client.get(url, PERIOD)
                    times.append(time.perf_counter() - start)
                assert response.status_code == 200, (username, name, response.status_code)
            key = f"{username} {name}"
            results[key] = {"median_ms": round(statistics.median(times) * 1000, 1), "statements": counter.count}
            print(f"  {key:<40} {results[key]['median_ms']:>8.1f} ms  {counter.count:>3} SQL", flush=True)
    return results


def measure_upkeep(repeat: int) -> dict:
    """What one saved document costs the roll-ups: its cells' refresh, and the recount after its evaluation."""
    from burden.insights.rollups import Region, rollups_flags_refresh_for_record, rollups_refresh
    from documents.models import Document

    document = Document.objects.order_by("-pk").first()
    region = Region()
    region.add_record(document)
    steps = {
        "refresh of a saved document's cells": lambda: rollups_refresh(region),
        "flag recount after its evaluation": lambda: rollups_flags_refresh_for_record("document", document.pk),
    }
    results = {}
    print(f"roll-up upkeep per saved record, median of {repeat}:", flush=True)
    for label, step in steps.items():
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            step()
            times.append(time.perf_counter() - start)
        results[label] = round(statistics.median(times) * 1000, 1)
        print(f"  {label:<40} {results[label]:>8.1f} ms", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=15, help="Requests per page (the median is reported).")
    parser.add_argument("--skip-prepare", action="store_true", help="Reuse the database of the last run.")
    parser.add_argument("--no-sweep", action="store_true", help="Leave the flags out (faster to build).")
    parser.add_argument("--json", help="Write the numbers to this file.")
    parser.add_argument("--compare", help="An earlier run's --json file: print each page's ratio to it.")
    args = parser.parse_args()
    url = database_url()
    os.environ["DATABASE_URL"] = url
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "burden.settings")
    if not args.skip_prepare:
        from sweep_bench import prepare

        print(f"preparing {url.rsplit('/', 1)[1]}...", flush=True)
        prepare(url)
    import django

    django.setup()
    from django.utils import translation

    translation.activate("zh-hans")
    built = {} if args.skip_prepare else build(args.records, sweep=not args.no_sweep)
    if args.skip_prepare:
        from burden.models import MonthlyRollup
        from burden.record_views import record_configs

        records = sum(config.model.objects.count() for config in record_configs())
        built = {"records": records, "cells": MonthlyRollup.objects.count()}
        print(f"{records:,} records, {built['cells']:,} roll-up cells; {shape()}")
    runs = {"full page": measure(args.repeat, "the whole page")}
    with without_bell():
        runs["without the bell"] = measure(args.repeat, "without the top bar's notification count")
    result = {"records_requested": args.records, **built, "runs": runs, "upkeep": measure_upkeep(5)}
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    if args.compare:
        before = json.loads(Path(args.compare).read_text())
        print(f"against {before['records']:,} records (target: at most x2):")
        for label, pages in runs.items():
            print(f"  {label}:")
            for key, now in pages.items():
                then = before["runs"].get(label, {}).get(key)
                if then:
                    ratio = now["median_ms"] / then["median_ms"]
                    verdict = "ok" if ratio <= 2 else "over 2x"
                    times = f"{then['median_ms']:>7.1f} -> {now['median_ms']:>7.1f} ms"
                    print(f"    {key:<40} {times}  x{ratio:.2f}  {verdict}")


if __name__ == "__main__":
    main()
