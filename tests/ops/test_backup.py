"""A backup restores into a fresh database with every row and every flag as they were (scripts/backup.sh).

The same test runs on the database the suite runs on: SQLite (SQLite's online backup) in the
embedded default, PostgreSQL (pg_dump -Fc, pg_restore) when ``DATABASE_URL`` names one, as
in CI's services step. A little of the demo (its units and people), a few records of every
kind and the flags the sweep gives them are backed up, restored into a database made
empty for it, and compared: the row count of every table of every model, and a checksum
of every violation row.
"""

import contextlib
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection

from tests.factories import RECORD_FACTORIES
from tests.services.conftest import database_url_for

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "backup.sh"
POSTGRES = connection.vendor == "postgresql"

pytestmark = [
    pytest.mark.django_db(transaction=True),  # committed: pg_dump and the script's own process read it
    pytest.mark.skipif(connection.vendor not in ("postgresql", "sqlite"), reason="PostgreSQL and SQLite only"),
    pytest.mark.skipif(POSTGRES and not shutil.which("pg_dump"), reason="pg_dump is not installed"),
]


def run_script(*args, database_url: str, **env) -> subprocess.CompletedProcess:
    inherited = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE", "BACKUP_DIR", "BACKUP_KEEP")
    base = {key: value for key, value in os.environ.items() if key not in inherited}
    return subprocess.run(
        [str(SCRIPT), *args],
        cwd=ROOT,
        env={**base, "ENV_FILE": "", "DEBUG": "True", "PYTHON": sys.executable, "DATABASE_URL": database_url, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def model_tables() -> list[str]:
    """The table of every model the project's migrations make, many-to-many tables included."""
    return sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.managed and not model._meta.proxy
        }
    )


class Database:
    """One database opened with its own driver, so both sides of the comparison read rows alike."""

    def __init__(self, url_settings: dict):
        self.settings = url_settings

    @contextlib.contextmanager
    def cursor(self):
        if self.settings["ENGINE"].endswith("sqlite3"):
            conn = sqlite3.connect(self.settings["NAME"])
        else:
            import psycopg2

            conn = psycopg2.connect(
                dbname=self.settings["NAME"],
                host=self.settings.get("HOST") or None,
                port=self.settings.get("PORT") or None,
                user=self.settings.get("USER") or None,
                password=self.settings.get("PASSWORD") or None,
            )
        try:
            yield conn.cursor()
        finally:
            conn.close()

    def counts(self) -> dict[str, int]:
        quote = connection.ops.quote_name
        with self.cursor() as cursor:
            found = {}
            for table in model_tables():
                cursor.execute(f"SELECT count(*) FROM {quote(table)}")  # nosec B608 # the models' own table names
                found[table] = cursor.fetchone()[0]
            return found

    def violations_checksum(self) -> str:
        with self.cursor() as cursor:
            cursor.execute("SELECT * FROM burden_violation ORDER BY id")
            return hashlib.sha256(repr(cursor.fetchall()).encode()).hexdigest()


def _file_database(tmp_path) -> dict:
    """The test database's settings, SQLite's in-memory one copied to a file the script can open."""
    db_settings = dict(connection.settings_dict)
    if db_settings["ENGINE"].endswith("sqlite3") and not Path(str(db_settings["NAME"])).is_file():
        copy = tmp_path / "source.sqlite3"
        with contextlib.closing(sqlite3.connect(copy)) as target:
            connection.ensure_connection()
            connection.connection.backup(target)
        db_settings["NAME"] = str(copy)
    return db_settings


@pytest.fixture
def source(tmp_path):
    """The database to back up, with a little of the demo, records of every kind and their flags."""
    from burden.demo import load_demo
    from burden.models import Unit, Violation
    from burden.rules.engine import sweep
    from tests.record_factories.meetings import MeetingFactory

    load_demo()
    unit = Unit.objects.filter(is_grassroots=True).order_by("code").first()
    for factory in RECORD_FACTORIES.values():
        factory.create_batch(2, unit=unit)
    MeetingFactory.create_batch(2, unit=unit, duration_minutes=150)  # over MTG-DURATION: flagged
    sweep()
    assert Violation.objects.exists(), "the demo data must carry flags for the checksum to mean something"
    return _file_database(tmp_path)


@pytest.fixture
def empty_source(tmp_path):
    """The test database with no rows of the tests: enough for what compares none."""
    return _file_database(tmp_path)


@pytest.fixture
def fresh(source, tmp_path):
    """An empty database beside the source, for the restore: dropped afterwards."""
    target = dict(source)
    if not POSTGRES:
        target["NAME"] = str(tmp_path / "restored.sqlite3")
        yield target
        return
    import psycopg2
    from psycopg2 import sql

    target["NAME"] = f"{source['NAME']}_restored"
    admin = Database({**source, "NAME": "postgres"})

    def run(statement):
        with admin.cursor() as cursor:
            cursor.connection.autocommit = True
            cursor.execute(sql.SQL(statement).format(sql.Identifier(target["NAME"])))

    run("DROP DATABASE IF EXISTS {} WITH (FORCE)")
    run("CREATE DATABASE {}")
    try:
        yield target
    finally:
        with contextlib.suppress(psycopg2.Error):
            run("DROP DATABASE IF EXISTS {} WITH (FORCE)")


def test_a_backup_restores_into_a_fresh_database_with_every_row_and_flag(source, fresh, tmp_path):
    backups = tmp_path / "backups"
    made = run_script(database_url=database_url_for(source), BACKUP_DIR=str(backups))
    assert made.returncode == 0, made.stderr
    (backup,) = backups.iterdir()
    assert backup.suffix == (".dump" if POSTGRES else ".sqlite3") and backup.name.startswith("burden-")

    restored = run_script("restore", str(backup), database_url=database_url_for(fresh))

    assert restored.returncode == 0, restored.stderr
    before, after = Database(source), Database(fresh)
    counts = before.counts()
    assert counts["burden_violation"] > 0 and counts["burden_unit"] > 0 and counts["meetings_meeting"] >= 4
    assert after.counts() == counts
    assert after.violations_checksum() == before.violations_checksum()

    # Once it holds tables, the same database is only replaced when that is asked for.
    again = run_script("restore", str(backup), database_url=database_url_for(fresh))
    assert again.returncode != 0 and "already holds" in again.stderr and "FORCE=1" in again.stderr
    forced = run_script("restore", str(backup), database_url=database_url_for(fresh), FORCE="1")
    assert forced.returncode == 0, forced.stderr
    assert after.counts() == counts
    assert after.violations_checksum() == before.violations_checksum()


def test_the_newest_backups_are_kept_and_older_ones_deleted(empty_source, tmp_path):
    backups = tmp_path / "backups"
    backups.mkdir()
    for name in ("burden-20200101T000000Z.dump", "burden-20210101T000000Z.sqlite3", "notes.txt"):
        (backups / name).write_text("an older file")

    made = run_script(database_url=database_url_for(empty_source), BACKUP_DIR=str(backups), BACKUP_KEEP="2")

    assert made.returncode == 0, made.stderr
    names = sorted(path.name for path in backups.iterdir())
    assert len(names) == 3 and "notes.txt" in names and "burden-20210101T000000Z.sqlite3" in names
    assert "burden-20200101T000000Z.dump" not in names
    assert "deleted" in made.stdout


def test_a_wrong_retention_or_a_missing_file_is_refused(empty_source, tmp_path):
    url = database_url_for(empty_source)
    bad_keep = run_script(database_url=url, BACKUP_DIR=str(tmp_path), BACKUP_KEEP="two")
    assert bad_keep.returncode != 0 and "BACKUP_KEEP" in bad_keep.stderr
    missing = run_script("restore", str(tmp_path / "none.dump"), database_url=url)
    assert missing.returncode != 0 and "no backup file" in missing.stderr
    wrong_kind = tmp_path / ("burden-x.sqlite3" if POSTGRES else "burden-x.dump")
    wrong_kind.write_text("")
    mismatched = run_script("restore", str(wrong_kind), database_url=url)
    assert mismatched.returncode != 0 and "is not a" in mismatched.stderr
