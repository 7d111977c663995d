"""The project's settings with the test-only kind installed (after the five, as a sixth app would be)."""

from burden.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.kindapp"]  # noqa: F405
