"""The project's settings with the test-only kind installed (after the five, as a sixth app would be)."""

from burden.settings import *  # noqa: F403
from burden.settings import DATABASES, INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.kindapp"]

# A test database of its own: these checks run in a pytest of their own while the suite's
# test database is in use, and on a database server that one would be dropped and made
# again under the suite (SQLite's in-memory test databases are apart already).
_default = DATABASES["default"]
if _default["ENGINE"] != "django.db.backends.sqlite3":
    DATABASES = {
        **DATABASES,
        "default": {**_default, "TEST": {**_default.get("TEST", {}), "NAME": f"test_{_default['NAME']}_kindapp"}},
    }
