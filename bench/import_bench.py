"""Benchmark: importing a documents ledger of N rows (default 100,000).

    make bench-import                      # or:
    .venv/bin/python bench/import_bench.py run --rows 100000 [--skip-postgres]

For each database (the embedded SQLite, and PostgreSQL at $BENCH_POSTGRES_URL or
postgres://postgres@127.0.0.1:5432/burden_bench) it times, each in a fresh process
on the same generated CSV file:

- ``ours``: the product's ledger import (validate every row, then write with history);
- ``import-export``: django-import-export 4, the usual Django choice, with its
  bulk mode (the fastest it offers), as the baseline;
- ``copy`` (PostgreSQL only): raw ``COPY ... FROM STDIN`` of the same rows, already
  converted to ids, as the ceiling — no validation, no history.

It prints rows per second and peak memory (max RSS of the process) for each, and the
ratios. django-import-export is a benchmark-only dependency (bench/requirements.txt).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# The development defaults: DEBUG is off unless set, and load_demo needs it on.
os.environ.setdefault("DEBUG", "True")

KINDS = ["notice", "forwarding", "supplementary", "opinion", "feedback_request", "other"]
HEADERS = [
    "title",
    "number",
    "received_on",
    "unit",
    "source_unit",
    "kind",
    "length_chars",
    "pages",
    "substantive",
    "has_local_content",
    "response_deadline",
    "handling_minutes",
    "external_id",
]
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/burden_bench"


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "burden.settings")
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()


def prepare_database(database_url: str) -> None:
    """A fresh database with the schema and the demo city (units and people)."""
    if database_url.startswith("postgres"):
        import psycopg2

        name = database_url.rsplit("/", 1)[1]
        admin = psycopg2.connect(database_url.rsplit("/", 1)[0] + "/postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
        admin.close()
    else:
        Path(database_url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    env = {**os.environ, "DATABASE_URL": database_url}
    env.pop("REDIS_URL", None)
    for command in (["migrate", "--noinput", "-v0"], ["load_demo", "--no-records"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """A believable documents ledger: communities receiving from the district bureaus."""
    setup_django(os.environ.get("BENCH_GENERATE_DB", ""))
    from burden.models import Unit

    communities = list(Unit.objects.filter(level="community").values_list("code", flat=True))
    departments = list(Unit.objects.filter(level="department").values_list("code", flat=True))
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for n in range(rows):
            month, day = rng.randint(1, 12), rng.randint(1, 28)
            writer.writerow(
                [
                    f"关于做好第{n}项工作的通知",
                    f"文〔2026〕{n}号",
                    f"2026-{month:02d}-{day:02d}",
                    rng.choice(communities),
                    rng.choice(departments),
                    rng.choice(KINDS),
                    rng.randint(300, 12000),
                    rng.randint(1, 20),
                    rng.choice(["是", "是", "是", "否"]),
                    rng.choice(["是", "否"]),
                    f"2026-{month:02d}-{min(day + 5, 28):02d}" if rng.random() < 0.4 else "",
                    rng.choice(["", "", "30", "45", "90"]),
                    f"BENCH-{n}",
                ]
            )


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_ours(path: Path) -> dict:
    from burden.ledger.importer import LedgerImport
    from burden.models import User
    from documents.views import config

    user = User.objects.get(username="admin")
    before = peak_mb()
    start = time.perf_counter()
    result = LedgerImport(config, user=user, open_file=lambda: path.open("rb")).run()
    seconds = time.perf_counter() - start
    assert result.ok, result.errors[:5]
    return {"rows": result.created, "seconds": seconds, "peak_mb": peak_mb(), "baseline_mb": before}


def measure_import_export(path: Path) -> dict:
    import tablib
    from import_export import fields, resources, widgets

    from burden.models import Unit
    from documents.models import Document

    class YesNo(widgets.BooleanWidget):
        TRUE_VALUES = ["是", "1", 1, True]
        FALSE_VALUES = ["否", "0", 0, False]

    class DocumentResource(resources.ModelResource):
        substantive = fields.Field(attribute="substantive", column_name="substantive", widget=YesNo())
        has_local_content = fields.Field(attribute="has_local_content", column_name="has_local_content", widget=YesNo())
        unit = fields.Field(attribute="unit", column_name="unit", widget=widgets.ForeignKeyWidget(Unit, "code"))
        source_unit = fields.Field(
            attribute="source_unit", column_name="source_unit", widget=widgets.ForeignKeyWidget(Unit, "code")
        )

        class Meta:
            model = Document
            fields = HEADERS
            import_id_fields = ["external_id"]
            use_bulk = True
            batch_size = 2000
            skip_diff = True
            force_init_instance = True

    before = peak_mb()
    start = time.perf_counter()
    dataset = tablib.Dataset().load(path.read_text(encoding="utf-8"), format="csv")
    result = DocumentResource().import_data(dataset, dry_run=False, raise_errors=True)
    seconds = time.perf_counter() - start
    rows = Document.objects.count()
    assert not result.has_errors()
    return {"rows": rows, "seconds": seconds, "peak_mb": peak_mb(), "baseline_mb": before}


def measure_copy(path: Path) -> dict:
    """Raw COPY of the same rows, converted to ids beforehand (the conversion is not timed)."""
    import io

    from django.db import connection
    from django.utils import timezone

    from burden.models import Unit

    units = dict(Unit.objects.values_list("code", "pk"))
    now = timezone.now().isoformat()
    converted = io.StringIO()
    writer = csv.writer(converted)
    with path.open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = 0
        for row in reader:
            rows += 1
            writer.writerow(
                [
                    row["title"],
                    row["number"],
                    row["received_on"],
                    units[row["unit"]],
                    units[row["source_unit"]],
                    row["kind"],
                    row["length_chars"],
                    row["pages"],
                    row["substantive"] == "是",
                    row["has_local_content"] == "是",
                    row["response_deadline"] or None,
                    row["handling_minutes"] or None,
                    row["external_id"],
                    "",
                    "",
                    "0",
                    now,
                    now,
                ]
            )
    columns = (
        "title, number, received_on, unit_id, source_unit_id, kind, length_chars, pages, substantive, "
        "has_local_content, response_deadline, handling_minutes, external_id, trace_requirements, notes, "
        "burden_hours, created_at, updated_at"
    )
    converted.seek(0)
    before = peak_mb()
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY documents_document ({columns}) FROM STDIN "
            "WITH (FORMAT csv, FORCE_NOT_NULL (number, trace_requirements, notes))",
            converted,
        )
    seconds = time.perf_counter() - start
    return {"rows": rows, "seconds": seconds, "peak_mb": peak_mb(), "baseline_mb": before}


MEASURES = {"ours": measure_ours, "import-export": measure_import_export, "copy": measure_copy}


def measure(tool: str, database_url: str, path: Path) -> dict:
    setup_django(database_url)
    from django.db import connection

    from documents.models import Document

    # Raw deletes: Model.delete() would load every row into memory first and
    # inflate the peak memory measured below.
    with connection.cursor() as cursor:
        for model in (Document.history.model, Document):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
    result = MEASURES[tool](path)
    result["rows_per_second"] = result["rows"] / result["seconds"]
    return result


def run(rows: int, skip_postgres: bool) -> None:
    databases = {"sqlite": f"sqlite:///{tempfile.gettempdir()}/burden-bench.sqlite3"}
    if not skip_postgres:
        databases["postgresql"] = os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES)
    workdir = Path(tempfile.mkdtemp(prefix="burden-bench-"))
    path = workdir / f"documents-{rows}.csv"
    results: dict[str, dict[str, dict]] = {}
    for name, url in databases.items():
        print(f"preparing {name}...", flush=True)
        prepare_database(url)
        if not path.exists():
            env = {**os.environ, "BENCH_GENERATE_DB": url}
            subprocess.run([sys.executable, __file__, "generate", str(path), str(rows)], env=env, check=True)
            print(f"generated {path} ({path.stat().st_size / 1e6:.1f} MB)", flush=True)
        tools = ["ours", "import-export"] + (["copy"] if name == "postgresql" else [])
        for tool in tools:
            out = subprocess.run(
                [sys.executable, __file__, "measure", tool, url, str(path)], capture_output=True, text=True
            )
            if out.returncode != 0:
                print(out.stdout, out.stderr, file=sys.stderr)
                raise SystemExit(f"{tool} on {name} failed")
            results.setdefault(name, {})[tool] = json.loads(out.stdout.strip().splitlines()[-1])
            r = results[name][tool]
            print(
                f"{name:<11} {tool:<14} {r['rows']:>8} rows  {r['seconds']:8.2f} s  "
                f"{r['rows_per_second']:>9,.0f} rows/s  "
                f"peak {r['peak_mb']:6.0f} MB (before import {r['baseline_mb']:.0f} MB)",
                flush=True,
            )
    print()
    for name, by_tool in results.items():
        ours = by_tool["ours"]["rows_per_second"]
        print(f"{name}: ours / django-import-export = {ours / by_tool['import-export']['rows_per_second']:.1f}x")
        if "copy" in by_tool:
            print(f"{name}: ours / raw COPY = {ours / by_tool['copy']['rows_per_second']:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    run_parser = sub.add_parser("run")
    run_parser.add_argument("--rows", type=int, default=100_000)
    run_parser.add_argument("--skip-postgres", action="store_true")
    gen = sub.add_parser("generate")
    gen.add_argument("path", type=Path)
    gen.add_argument("rows", type=int)
    one = sub.add_parser("measure")
    one.add_argument("tool", choices=list(MEASURES))
    one.add_argument("database_url")
    one.add_argument("path", type=Path)
    args = parser.parse_args()
    if args.command == "run":
        run(args.rows, args.skip_postgres)
    elif args.command == "generate":
        generate(args.path, args.rows)
    else:
        print(json.dumps(measure(args.tool, args.database_url, args.path)))


if __name__ == "__main__":
    main()
