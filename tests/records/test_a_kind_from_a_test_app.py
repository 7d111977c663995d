"""The registry, proved by a sixth kind no core file names: ``tests/kindapp`` (lunches).

The app is installed only by ``tests.kindapp.settings``, so its checks
(``tests/kindapp/kind_checks.py``: its URLs, list page and navigation, the API and its
schema, the roll-ups, the rules engine) run in a pytest of their own with those settings,
on a test database migrated with the app's own migration.
"""

import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORE = ["burden", "templates", "meetings", "documents", "inspections", "secondments", "datarequests"]


def test_a_kind_registered_by_a_test_only_app_appears_everywhere_a_kind_should():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--ds=tests.kindapp.settings",
            "tests/kindapp/kind_checks.py",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "failed" not in result.stdout


def test_no_file_of_the_core_or_the_record_apps_names_the_test_kind():
    for folder in CORE:
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in {".py", ".html", ".txt"}:
                text = path.read_text(encoding="utf-8")
                assert "kindapp" not in text and "Lunch" not in text, path
