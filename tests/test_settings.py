"""Settings read from the environment: the embedded default, production hardening, bad values."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "k3y-" + "x7Qp2Lm9Zr4Tw8Vb1Nc6Hd0Fs5Jg3Ky" * 2


def run_manage(*args, **env):
    """Run manage.py in a fresh process with only ``env`` on top of a clean environment."""
    inherited = ("DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    base = {k: v for k, v in os.environ.items() if k not in inherited}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings_value(expression: str, **env) -> str:
    result = run_manage("shell", "--no-imports", "-c", f"from django.conf import settings; print({expression})", **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_nothing_set_gives_sqlite_eager_tasks_and_console_email():
    assert settings_value("settings.DATABASES['default']['ENGINE']") == "django.db.backends.sqlite3"
    assert settings_value("settings.CELERY_TASK_ALWAYS_EAGER") == "True"
    assert settings_value("settings.EMAIL_BACKEND") == "django.core.mail.backends.console.EmailBackend"
    assert settings_value("settings.TIME_ZONE") == "Asia/Shanghai"


def test_urls_switch_to_postgresql_and_redis():
    env = {"DATABASE_URL": "postgres://u:p@db.internal:5432/burden", "REDIS_URL": "redis://cache.internal:6379/0"}
    assert settings_value("settings.DATABASES['default']['ENGINE']", **env) == "django.db.backends.postgresql"
    assert settings_value("settings.DATABASES['default']['HOST']", **env) == "db.internal"
    assert settings_value("settings.CELERY_TASK_ALWAYS_EAGER", **env) == "False"
    assert settings_value("settings.CELERY_BROKER_URL", **env) == "redis://cache.internal:6379/0"


@pytest.mark.parametrize("secret", [None, "", "django-insecure-local-development-key-never-use-in-production"])
def test_production_refuses_a_missing_or_default_secret_key(secret):
    env = {"DEBUG": "False", "ALLOWED_HOSTS": "burden.example.org"}
    if secret is not None:
        env["SECRET_KEY"] = secret
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_bad_boolean_is_refused_with_its_name():
    result = run_manage("check", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_production_settings_pass_the_deployment_check_without_a_warning():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="False",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="burden.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_time_zone_comes_from_the_environment():
    assert settings_value("settings.TIME_ZONE", TIME_ZONE="UTC") == "UTC"


def test_every_setting_read_from_the_environment_is_documented():
    import re

    source = (ROOT / "burden" / "settings.py").read_text()
    names = set(re.findall(r'(?:os\.environ\.get|env_bool|env_int|env_list)\("([A-Z_]+)"', source))
    documented = (ROOT / ".env.example").read_text()
    assert names, "no setting found"
    assert sorted(name for name in names if name not in documented) == []
