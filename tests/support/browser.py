"""Chromium for the Playwright tests: where it is, how it starts, what counts as a problem.

A missing Chromium skips the browser tests locally and fails them under CI=true. Screenshots go
to test-artifacts/ at the top of the repository.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
LAUNCH_ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "color_scheme": "dark",
    "device_scale_factor": 2,
}


def require_chromium() -> None:
    """Skip the test (fail it under CI=true) when Chromium is not installed."""
    if not Path(CHROMIUM).exists():
        reason = f"{CHROMIUM} is missing: browser tests cannot run"
        if IN_CI:
            pytest.fail(f"{reason} (CI=true: they must)", pytrace=False)
        pytest.skip(f"!!! {reason}: browser tests SKIPPED !!!")


@contextmanager
def chromium(*extra_args: str) -> Iterator[Browser]:
    """A headless Chromium (LAUNCH_ARGS, then `extra_args`), closed on the way out; ARTIFACTS
    exists for its screenshots."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*LAUNCH_ARGS, *extra_args]
        )
        try:
            yield browser
        finally:
            browser.close()


def collect_problems(page: Page, problems: list[str], *, page_errors: bool = True) -> None:
    """Append to `problems` every console error or warning of `page` (a CSP violation is one)
    and, with `page_errors`, every uncaught exception in it."""

    def on_console(message: ConsoleMessage) -> None:
        if message.type in {"error", "warning"}:
            problems.append(f"console {message.type}: {message.text}")

    page.on("console", on_console)
    if page_errors:
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))


def new_page(
    browser: Browser, problems: list[str], *, page_errors: bool = True, **context_options: Any
) -> Page:
    """A page in a new browser context (`context_options`: viewport, color_scheme, ...; PHONE
    for a phone in dark mode) whose problems go to `problems` (see collect_problems)."""
    page = browser.new_context(**context_options).new_page()
    collect_problems(page, problems, page_errors=page_errors)
    return page


def sign_in(page: Page, login_url: str, name: str, password: str) -> None:
    """Open the login page at `login_url` and submit it with `name` and `password`."""
    page.goto(login_url)
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def keys_ready(page: Page) -> None:
    """Wait until the page's scripts have run (the load event; reader.js marks <html> with
    `has-keys`), so a key pressed next is heard: the text shows before deferred scripts run."""
    page.wait_for_load_state("load")
    wait_until(page, "document.documentElement.classList.contains('has-keys')")


def wait_until(page: Page, expression: str, timeout: float = 10.0) -> None:
    """Return once the JavaScript `expression` (or function) is true in `page`, polled from here
    with a deadline; AssertionError after `timeout` seconds. Not `page.wait_for_function`: it
    polls inside the page with `new Function`, which tidings' Content-Security-Policy (no
    'unsafe-eval') refuses whenever the first check is false, so it failed on a slow machine."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout:g} s: {expression}")
        page.wait_for_timeout(25)
