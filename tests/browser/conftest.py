"""Browser tests: pytest-playwright driving Debian's Chromium against pytest-django's live server.

Tests marked ``browser`` are skipped when /usr/bin/chromium is missing, unless
``REQUIRE_BROWSER=1``: then they fail, so CI can't go green by skipping them.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD, env_required

# A shared CI machine can take longer than Playwright's default 5 s to answer a live
# estimate or draw a chart; a real failure still fails, only later.
expect.set_options(timeout=15_000)

CHROMIUM = Path("/usr/bin/chromium")


def _is_browser_test(item) -> bool:
    return item.get_closest_marker("browser") is not None


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Run the browser tests last: Playwright's session-long event loop then can't affect any other test."""
    items[:] = [i for i in items if not _is_browser_test(i)] + [i for i in items if _is_browser_test(i)]


@pytest.fixture(scope="session", autouse=True)
def _allow_orm_beside_playwright():
    """Let the ORM run in the main thread while Playwright is there.

    Playwright's sync API leaves its asyncio loop set as "running" in the main thread, and
    Django refuses ORM calls there (the fixtures create rows in that thread) unless
    DJANGO_ALLOW_ASYNC_UNSAFE is set. It is set from the first browser test on, not when
    this file is imported, so that the other tests (which run first, see above) and the
    processes they start (``check --deploy`` warns about it) don't inherit it.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Skip (or, with REQUIRE_BROWSER=1, fail) before Playwright or the live server start."""
    if not _is_browser_test(item) or CHROMIUM.exists():
        return
    if env_required("REQUIRE_BROWSER"):
        pytest.fail(f"REQUIRE_BROWSER=1 but {CHROMIUM} is missing (apt-get install chromium)", pytrace=False)
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")


@pytest.fixture(scope="session")
def browser_type_launch_args():
    """Debian's Chromium, headless; no Playwright-downloaded browser is needed."""
    return {
        "executable_path": str(CHROMIUM),
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    """Pages open relative to the live server (replaces pytest-playwright's fallback fixture)."""
    return live_server.url


@pytest.fixture
def log_in(live_server):
    """Log ``username`` in through the login form and wait for the home page."""

    def _log_in(page, username: str, password: str = PASSWORD):
        page.goto("/accounts/login/")
        page.locator("input[name=username]").fill(username)
        page.locator("input[name=password]").fill(password)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    return _log_in
