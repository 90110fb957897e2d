"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

Run them alone with ``pytest tests/browser`` (or ``-m browser``). One browser serves the whole
session; each test gets a fresh context and page from pytest-playwright.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import SCREENSHOTS, watch
from tests.conftest import Cast

HERE = Path(__file__).resolve().parent

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


# An assertion about a page waits up to 15 s (Playwright's default is 5 s). CI runs three shards and
# their live servers on two cores, and a landing run failed on a form's answer that came later than
# 5 s. A true failure only takes longer to report; assertions that hold return at once.
expect.set_options(timeout=15_000)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test in this folder `browser` (a conftest hook sees the whole session's items)."""
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)
            # Noise that is not about ECM: pytest-playwright's own base_url fixture, and WhiteNoise
            # finding no collectstatic folder (the live server serves static files from the finders).
            item.add_marker(pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"))
            item.add_marker(pytest.mark.filterwarnings("ignore:No directory at:UserWarning"))


@pytest.fixture(scope="session", autouse=True)
def _orm_beside_playwright() -> Iterator[None]:
    """Playwright's sync API keeps an event loop running in the main thread, and Django refuses ORM
    calls while one runs. The test code's own queries (building the cast, reading the audit) are
    synchronous, so allow them for the browser tests."""
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if before is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture(scope="session", autouse=True)
def _fresh_screenshots() -> None:
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium: `playwright install` cannot download browsers here."""
    return {
        **browser_type_launch_args,
        "executable_path": shutil.which("chromium") or "/usr/bin/chromium",
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1280, "height": 800}, "locale": "en-GB"}


@pytest.fixture
def page(page: Page) -> Page:
    """pytest-playwright's page, watched for failed static files, CSP refusals and script errors."""
    watch(page.context)
    return page


@pytest.fixture
def cast(transactional_db: None, live_server: Any, cast: Cast) -> Cast:
    """The shared cast, committed so the live server's thread can see it.

    Requesting ``transactional_db`` before the shared ``cast`` (which asks only for ``db``) makes
    the order explicit: the people are written outside any test transaction and flushed after.
    """
    return cast
