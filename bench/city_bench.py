"""Benchmark: a city-shaped database at two sizes, every page for every role, and the sweeps.

    .venv/bin/python bench/city_bench.py --units 7000 --sizes 20000,200000
    make bench-city

For each size it builds a fresh PostgreSQL database (``burden_city_<size>`` on
BENCH_POSTGRES_URL's server, default the local one) with ``manage.py load_city`` —
the demo city grown to ``--units`` grassroots units and a year of records — then, in a
process of its own, times for staff, a street supervisor, a district supervisor and
the city admin: a record list (first page, a deep page, a search, a filter, a sort),
the review queue (cases and single flags), the heaviest case, the notifications (the
bell's page), the dashboard, the burden ledger, a department's page and a monthly
report; server time (median of ``--repeat`` requests after a warm-up) and SQL
statements. Then the full sweep as an admin's threshold change would run it, and one
saved document's evaluation. Last, the ratio of the large size to the small one and
whether each target holds: every page under 300 ms at the large size and within 2x of
the small one. Run it in its own process: nothing here belongs in the test suite.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DEBUG", "True")  # the development defaults: load_city needs DEBUG on

SERVER = "postgres://postgres@127.0.0.1:5432"
VIEWERS = ["staff_jiangtan", "sup_street", "sup_district", "admin"]
PAGE_TARGET_MS = 300
RATIO_TARGET = 2.0


def build(url: str, units: int, records: int) -> None:
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
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    command = [*manage, "load_city", "--units", str(units), "--records", str(records)]
    subprocess.run(command, cwd=ROOT, env=env, check=True)


def pages(client) -> list[tuple[str, str, dict]]:
    """(label, url, query) of every page measured, for the signed-in viewer."""
    from django.urls import reverse

    from burden.models import Case, User
    from documents.models import Document

    user = User.objects.get(pk=client.session["_auth_user_id"])
    documents = reverse("documents:document_list")
    deep = max(1, Document.objects.for_user(user).count() // 25 // 2)  # the middle page of 25 a page
    listed = [
        ("documents: first page", documents, {}),
        ("documents: a deep page", documents, {"page": deep}),
        ("documents: a search", documents, {"q": "安全"}),
        ("documents: a filter", documents, {"source_unit": "DH-YJJ"}),
        ("documents: a sort", documents, {"sort": "-burden_hours"}),
        ("review: cases", reverse("review:case_list"), {}),
        ("review: single flags", reverse("review:violation_list"), {}),
        ("review: notifications", reverse("review:notification_list"), {}),
        ("insights: dashboard", reverse("insights:dashboard"), {}),
        ("insights: burden ledger", reverse("insights:source_ranking"), {}),
        ("insights: a department", reverse("insights:source_detail", args=["DH-YJJ"]), {}),
        ("insights: monthly report", reverse("insights:report_view"), {"kind": "monthly", "period": "2026-11"}),
    ]
    heaviest = Case.objects.for_user(user).order_by("-weight", "-pk").values_list("pk", flat=True).first()
    if heaviest:
        listed.append(("review: the heaviest case", reverse("review:case_detail", args=[heaviest]), {}))
    return listed


def measure(repeat: int) -> dict:
    """Every page for every viewer: median server time and SQL statements."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from sweep_bench import StatementCounter

    from burden.models import User

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    results = {}
    for username in VIEWERS:
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(User.objects.get(username=username))
        for label, url, query in pages(client):
            response = client.get(url, query)  # warm-up: connection, templates, caches
            assert response.status_code == 200, (username, label, response.status_code)
            times, counter = [], StatementCounter()
            for _ in range(repeat):
                counter.count = 0
                with connection.execute_wrapper(counter):
                    start = time.perf_counter()
                    client.get(url, query)
                    times.append(time.perf_counter() - start)
            key = f"{username} · {label}"
            results[key] = {"median_ms": round(statistics.median(times) * 1000, 1), "statements": counter.count}
            print(f"  {key:<50} {results[key]['median_ms']:>8.1f} ms {counter.count:>4} SQL", flush=True)
    return results


def measure_work() -> dict:
    """The full sweep (as a threshold change re-applies every rule) and one saved document's evaluation."""
    from burden.rules.engine import evaluate_record, sweep
    from documents.models import Document

    today = datetime.date.today()
    start = time.perf_counter()
    sweep(today)
    work = {"full sweep_s": round(time.perf_counter() - start, 1)}
    document = Document.objects.order_by("-pk").first()
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        evaluate_record("document", document.pk, today)
        runs.append(time.perf_counter() - start)
    work["one saved document_ms"] = round(statistics.median(runs) * 1000, 1)
    for key, value in work.items():
        print(f"  {key:<50} {value:>8}", flush=True)
    return work


def shape() -> dict:
    from burden.models import Case, Unit, Violation
    from burden.records.registry import kinds

    return {
        "units": Unit.objects.count(),
        "grassroots": Unit.objects.filter(is_grassroots=True).count(),
        "records": sum(kind.model.objects.count() for kind in kinds()),
        "open flags": Violation.objects.open().count(),
        "open cases": Case.objects.active().count(),
    }


def child(url: str, repeat: int, out: str) -> None:
    """Measure one built database (in a process of its own: one database per Django set-up)."""
    os.environ["DATABASE_URL"] = url
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "burden.settings")
    import django

    django.setup()
    from django.utils import translation

    translation.activate("zh-hans")
    found = shape()
    print("  " + ", ".join(f"{value:,} {key}" for key, value in found.items()), flush=True)
    result = {"shape": found, "pages": measure(repeat), "work": measure_work()}
    Path(out).write_text(json.dumps(result, indent=2))


def verdicts(small: dict, large: dict) -> list[str]:
    lines, misses = [], 0
    for key, now in large["pages"].items():
        then = small["pages"].get(key)
        if not then:
            continue
        ratio = now["median_ms"] / then["median_ms"] if then["median_ms"] else 0
        fast, flat = now["median_ms"] <= PAGE_TARGET_MS, ratio <= RATIO_TARGET
        misses += not (fast and flat)
        verdict = "ok" if fast and flat else ("over 300 ms" if not fast else "over 2x")
        lines.append(
            f"  {key:<50} {then['median_ms']:>7.1f} -> {now['median_ms']:>7.1f} ms  x{ratio:.2f}"
            f"  {then['statements']:>3} -> {now['statements']:>3} SQL  {verdict}"
        )
    total = len(lines)
    lines.append(f"pages: {total - misses} of {total} hold both targets (under {PAGE_TARGET_MS} ms, within x2).")
    for key in large["work"]:
        lines.append(f"  {key:<50} {small['work'][key]:>8} -> {large['work'][key]:>8}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=7000)
    parser.add_argument("--sizes", default="20000,200000", help="Records of the two sizes, comma-separated.")
    parser.add_argument("--repeat", type=int, default=5, help="Requests per page (the median is reported).")
    parser.add_argument("--skip-build", action="store_true", help="Reuse the databases of the last run.")
    parser.add_argument("--json", help="Write every figure to this file.")
    parser.add_argument("--child", nargs=2, metavar=("URL", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.repeat, args.child[1])
        return
    server = os.environ.get("BENCH_POSTGRES_URL", SERVER).rstrip("/")
    results = {}
    for size in [int(part) for part in args.sizes.split(",")]:
        url = f"{server}/burden_city_{size}"
        if not args.skip_build:
            print(f"building {size:,} records over {args.units:,} grassroots units...", flush=True)
            start = time.perf_counter()
            build(url, args.units, size)
            print(f"  built in {time.perf_counter() - start:.0f} s", flush=True)
        out = f"/tmp/city_bench_{size}.json"
        print(f"measuring {size:,}: server time per request, median of {args.repeat}", flush=True)
        command = [sys.executable, __file__, "--repeat", str(args.repeat), "--child", url, out]
        subprocess.run(command, check=True)
        results[size] = json.loads(Path(out).read_text())
    sizes = sorted(results)
    small, large = results[sizes[0]], results[sizes[-1]]
    print(f"{sizes[0]:,} -> {sizes[-1]:,} records:")
    print("\n".join(verdicts(small, large)))
    if args.json:
        Path(args.json).write_text(json.dumps({str(size): result for size, result in results.items()}, indent=2))


if __name__ == "__main__":
    main()
