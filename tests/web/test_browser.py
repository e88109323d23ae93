"""A real Chromium against a real uvicorn: sign in, add a source, read, page, import OPML.

Any console error (a CSP violation is one) fails the test. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import uvicorn

from tidings.accounts import create_user
from tidings.config import Settings
from tidings.model import EntryData
from tidings.store import Store
from tidings.web.app import create_app
from web.helpers import ADMIN_PASSWORD, FakeDiscover, apply_check

pytestmark = pytest.mark.browser

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


def _require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        reason = f"{CHROMIUM} is missing: browser tests cannot run"
        if IN_CI:
            pytest.fail(f"{reason} (CI=true: they must)", pytrace=False)
        pytest.skip(f"!!! {reason}: browser tests SKIPPED !!!")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class LiveServer:
    """uvicorn serving the app on 127.0.0.1 in a thread of this process."""

    def __init__(self, store: Store, discover: FakeDiscover) -> None:
        app = create_app(
            Settings(secret_key="browser test", site_name="Tidings"), store, discover=discover
        )
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self, deadline: float = 15.0) -> None:
        self.thread.start()
        stop_at = time.monotonic() + deadline
        while time.monotonic() < stop_at:
            try:
                httpx.get(self.url + "/login", timeout=0.5)
                return
            except httpx.TransportError:
                if not self.thread.is_alive():
                    break
                time.sleep(0.02)  # a poll interval, not a wait for something to happen
        raise RuntimeError("the test server did not answer in time")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def browser_store(tmp_path: Path, sqlite_template: Path) -> Iterator[Store]:
    path = tmp_path / "browser.db"
    shutil.copy(sqlite_template, path)
    with Store.open(f"sqlite:///{path}") as store:
        yield store


@pytest.fixture
def live(browser_store: Store) -> Iterator[tuple[LiveServer, FakeDiscover]]:
    _require_chromium()
    discover = FakeDiscover()
    server = LiveServer(browser_store, discover)
    server.start()
    try:
        yield server, discover
    finally:
        server.stop()


OPML = """<?xml version="1.0"?>
<opml version="2.0"><head><title>Mine</title></head><body>
<outline text="Science"><outline type="rss" text="Physics" xmlUrl="https://physics.example/feed"/></outline>
<outline type="rss" text="Weather" xmlUrl="https://weather.example/rss"/>
</body></opml>
"""


def test_admin_adds_a_source_and_readers_see_it(
    live: tuple[LiveServer, FakeDiscover], browser_store: Store, tmp_path: Path
) -> None:
    from playwright.sync_api import ConsoleMessage, expect, sync_playwright

    server, discover = live
    create_user(browser_store, "admin", ADMIN_PASSWORD, is_admin=True)
    discover.answers["https://news.example/"] = [
        "https://news.example/feed.rss",
        "https://news.example/feed.atom",
    ]
    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type in {"error", "warning"}:
            problems.append(f"console {message.type}: {message.text}")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1100, "height": 900})
            page = context.new_page()
            page.on("console", on_console)
            page.on("pageerror", lambda error: problems.append(f"page error: {error}"))

            page.goto(server.url + "/login")
            page.get_by_label("User name").fill("admin")
            page.get_by_label("Password").fill(ADMIN_PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_role("heading", name="Administer sources")).to_be_visible()

            page.get_by_role("link", name="Add source").click()
            page.get_by_label("Feed or website URL").fill("news.example")
            page.get_by_label("Title").fill("Example News")
            page.get_by_label("Update interval").select_option("3600")
            page.get_by_label("New categories").fill("World")
            page.get_by_role("button", name="Add source").click()
            expect(page.get_by_text("It announces these feeds")).to_be_visible()
            page.get_by_label("https://news.example/feed.atom").check()
            page.get_by_role("button", name="Subscribe to the chosen feed").click()
            expect(page.get_by_role("status")).to_contain_text("Added Example News")
            page.screenshot(path=ARTIFACTS / "admin-overview.png", full_page=True)

            [feed] = browser_store.feeds.all()
            assert feed.url == "https://news.example/feed.atom"
            now = datetime.now(UTC)
            entries = tuple(
                EntryData(
                    key=f"n{i}",
                    title=f"Headline number {i}",
                    link=f"https://news.example/{i}",
                    author="Desk" if i % 2 else None,
                    summary=f"<p>What happened, part {i}: a <em>short</em> account.</p>",
                    published_at=now - timedelta(minutes=37 * i + 5),
                    content_hash=str(i),
                )
                for i in range(25)
            )
            apply_check(
                browser_store,
                feed.id,
                entries,
                now=now,
                feed_title="Example Feed",
                description="All the news that fits.",
                site_url="https://news.example/",
            )

            page.goto(server.url + "/")
            expect(page.get_by_role("link", name="Headline number 0")).to_be_visible()
            page.screenshot(path=ARTIFACTS / "river.png", full_page=True)
            page.get_by_role("link", name="Older ›").click()
            expect(page.get_by_role("link", name="Headline number 24")).to_be_visible()
            assert page.url.endswith("/?page=2")

            page.get_by_role("link", name="Sources", exact=True).click()
            page.get_by_role("heading", name="Example News").get_by_role("link").click()
            expect(page.get_by_text("Subscribe to Example News feed")).to_be_visible()
            expect(page.get_by_text("All the news that fits.")).to_be_visible()
            page.screenshot(path=ARTIFACTS / "source.png", full_page=True)

            opml = tmp_path / "subscriptions.opml"
            opml.write_text(OPML)
            page.goto(server.url + "/admin/import")
            page.get_by_label("OPML file").set_input_files(opml)
            page.get_by_role("button", name="Import").click()
            expect(page.get_by_role("status")).to_contain_text("Added 2 sources")
            assert {f.url for f in browser_store.feeds.all()} >= {
                "https://physics.example/feed",
                "https://weather.example/rss",
            }

            phone = browser.new_context(
                viewport={"width": 390, "height": 844}, color_scheme="dark", device_scale_factor=2
            )
            mobile = phone.new_page()
            mobile.on("console", on_console)
            mobile.goto(server.url + "/")
            expect(mobile.get_by_role("link", name="Headline number 0")).to_be_visible()
            width = mobile.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
            mobile.screenshot(path=ARTIFACTS / "river-phone-dark.png")
        finally:
            browser.close()
    assert problems == []
