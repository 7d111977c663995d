"""Settings read from the environment: the embedded default, production hardening, bad values."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "k3y-" + "x7Qp2Lm9Zr4Tw8Vb1Nc6Hd0Fs5Jg3Ky" * 2
# What `make` sets: the embedded default is DEBUG=True and nothing else.
DEVELOPMENT = {"DEBUG": "True"}


def run_manage(*args, **env):
    """Run manage.py in a fresh process with only ``env`` on top of a clean environment."""
    inherited = ("DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    base = {k: v for k, v in os.environ.items() if k not in inherited}
    base["ENV_FILE"] = ""  # the checkout's .env (make install writes one) must not leak in
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


def test_debug_alone_gives_sqlite_eager_tasks_and_console_email():
    assert settings_value("settings.DATABASES['default']['ENGINE']", **DEVELOPMENT) == "django.db.backends.sqlite3"
    assert settings_value("settings.CELERY_TASK_ALWAYS_EAGER", **DEVELOPMENT) == "True"
    assert settings_value("settings.EMAIL_BACKEND", **DEVELOPMENT) == "django.core.mail.backends.console.EmailBackend"
    assert settings_value("settings.TIME_ZONE", **DEVELOPMENT) == "Asia/Shanghai"
    assert settings_value("settings.DEBUG", **DEVELOPMENT) == "True"


def test_nothing_set_refuses_to_start_rather_than_run_in_debug_mode():
    result = run_manage("check")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    assert "set DEBUG=True" in result.stderr  # and says how to develop


def test_debug_is_off_when_the_environment_does_not_say():
    env = {"SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "burden.example.org"}
    assert settings_value("settings.DEBUG", **env) == "False"
    assert settings_value("settings.SESSION_COOKIE_SECURE", **env) == "True"  # and the hardening with it


def test_load_demo_refuses_a_server_with_debug_off():
    result = run_manage(
        "load_demo",
        "--no-records",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="burden.example.org",
        DATABASE_URL="sqlite://:memory:",
    )
    assert result.returncode != 0
    assert "--force" in result.stderr


def test_urls_switch_to_postgresql_and_redis():
    env = {
        **DEVELOPMENT,
        "DATABASE_URL": "postgres://u:p@db.internal:5432/burden",
        "REDIS_URL": "redis://cache.internal:6379/0",
    }
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
    assert settings_value("settings.TIME_ZONE", TIME_ZONE="UTC", **DEVELOPMENT) == "UTC"


def test_every_setting_read_from_the_environment_is_documented():
    import re

    source = (ROOT / "burden" / "settings.py").read_text()
    names = set(re.findall(r'(?:os\.environ\.get|env_bool|env_int|env_list)\("([A-Z_]+)"', source))
    documented = (ROOT / ".env.example").read_text()
    assert names, "no setting found"
    assert sorted(name for name in names if name not in documented) == []
