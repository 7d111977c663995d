"""Fault scenario 2 run for real: a worker's child SIGKILLed mid-sweep, the sweep redelivered, nothing lost.

Runs ``scripts/reliability/worker_killed.py`` (its own database on the suite's PostgreSQL
server, its own Redis) with a few hundred meetings; it needs PostgreSQL and
``redis-server``, so it runs where the suite does (CI's services step) and is skipped on
the embedded SQLite default. About a minute, most of it the script's ``migrate``.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import env_required

ROOT = Path(__file__).resolve().parents[2]


def _missing() -> str | None:
    if connection.vendor != "postgresql":
        return "the scenario needs PostgreSQL (DATABASE_URL)"
    if not shutil.which("redis-server"):
        return "redis-server is not installed"
    return None


@pytest.fixture
def pg_url() -> str:
    reason = _missing()
    if reason:
        if env_required("REQUIRE_SERVICES"):
            pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"


def test_a_sweep_whose_worker_is_killed_is_redelivered_and_flags_each_record_once(pg_url):
    result = subprocess.run(
        [sys.executable, "scripts/reliability/worker_killed.py", "--records", "400", "--kill-after", "0.1"],
        cwd=ROOT,
        env={**os.environ, "PG_URL": pg_url},
        capture_output=True,
        text=True,
        timeout=600,
    )

    line = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    figures = dict(re.findall(r"(\w+)=([\d.]+)", line))
    assert line.startswith("worker_killed:")
    assert figures["records"] == figures["flagged"] == "400"
    assert figures["duplicates"] == figures["lost"] == "0"
    assert int(figures["deliveries"]) >= 2
