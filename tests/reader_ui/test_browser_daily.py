"""Chromium against uvicorn: the daily reader (issue 17).

Following a source from /sources, `j` past the last entry of a page, the other page keys, and
no sideways scrolling on the reading, account and admin pages at phone and desktop widths, light
and dark, with a source whose title and address are one long word. Any console error or warning
(a CSP violation is one) fails the test. Screenshots go to test-artifacts/daily-*.png.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from reader_ui.helpers import PASSWORD, add_entries, user
from support.browser import ARTIFACTS, chromium, keys_ready, new_page, require_chromium, sign_in
from support.fixtures import live_store as live_store
from support.live_server import LiveServer, serving
from tidings.config import Settings
from tidings.model import FeedUpdate, FetchLogRecord
from tidings.store import Store
from tidings.store.updates import Retention
from tidings.web.app import create_app

pytestmark = pytest.mark.browser

PAGE_SIZE = 5
LONG_TITLE = "Supercalifragilisticexpialidocious" * 4
LONG_URL = "https://a-very-long-host-name-for-a-feed.example/" + "path-segment" * 14 + ".xml"
VIEWPORTS = [
    {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 1, "has_touch": True},
    {"viewport": {"width": 1366, "height": 900}, "device_scale_factor": 1},
]


def has(name: str) -> re.Pattern[str]:
    return re.compile(rf"(^|\s){re.escape(name)}(\s|$)")


@pytest.fixture
def live(live_store: Store) -> Iterator[LiveServer]:
    require_chromium()
    settings = Settings(secret_key="browser test", site_name="Tidings", page_size=PAGE_SIZE)
    with serving(create_app(settings, live_store)) as server:
        yield server


def fail(store: Store, feed_id: int, error: str) -> None:
    at = datetime.now(UTC) - timedelta(hours=1)
    feed = replace(store.feeds.get(feed_id), checked_at=at, last_error=error, first_error_at=at)
    log = FetchLogRecord(feed_id, at, None, 10, 0, error=error)
    store.updates.apply(FeedUpdate(feed=feed, log=log), owner=None, now=at, retention=Retention())


def test_follow_keys_and_no_sideways_scrolling(live: LiveServer, live_store: Store) -> None:
    from playwright.sync_api import expect

    store = live_store
    ann = user(store, "ann", admin=True)
    garden = store.feeds.add("https://garden.example/feed.xml", title="Garden")
    add_entries(store, garden.id, 2 * PAGE_SIZE + 2, title="Garden news")
    long = store.feeds.add(LONG_URL, title=LONG_TITLE)
    add_entries(store, long.id, 1, title=LONG_TITLE)
    fail(store, long.id, "could not connect to " + LONG_URL)
    problems: list[str] = []

    with chromium() as browser:
        page = new_page(browser, problems, viewport={"width": 1200, "height": 800})
        sign_in(page, live.url + "/login", "ann", PASSWORD)
        # Signing in lands on the reading page, which explains how to begin.
        expect(page.get_by_role("heading", name="You follow no feeds yet")).to_be_visible()
        page.get_by_role("link", name="Follow the site's sources").click()
        page.get_by_role("button", name="Follow Garden").click()
        expect(page.get_by_role("status")).to_contain_text("Following Garden")
        expect(page.get_by_role("link", name="✓ Following Garden")).to_be_visible()
        page.get_by_role("button", name=f"Follow {LONG_TITLE}").click()
        page.goto(live.url + "/reader")
        items = page.locator("[data-items] > li")
        expect(items).to_have_count(PAGE_SIZE)
        expect(page.locator("aside .problems")).to_contain_text("could not connect to")
        assert {s.feed_id for s in store.reading.subscriptions(ann)} == {garden.id, long.id}

        # j walks the page and, at its last entry, goes on to the next page.
        for _ in range(PAGE_SIZE):
            page.keyboard.press("j")
        expect(items.nth(PAGE_SIZE - 1)).to_have_class(has("current"))
        first_page = page.url
        page.keyboard.press("j")
        expect(page).to_have_url(re.compile(r"before="))
        expect(items.first).not_to_have_text(re.compile("Garden news 0$"))
        keys_ready(page)
        page.keyboard.press("j")
        expect(items.first).to_have_class(has("current"))
        # n and p: older and newer pages; g s starred, g u unread.
        page.keyboard.press("n")
        expect(page).to_have_url(re.compile(r"before="))
        keys_ready(page)
        page.keyboard.press("p")
        expect(page).to_have_url(first_page)
        keys_ready(page)
        page.keyboard.press("g")
        page.keyboard.press("s")
        expect(page).to_have_url(re.compile(r"show=starred"))
        keys_ready(page)
        page.keyboard.press("g")
        page.keyboard.press("u")
        expect(page).to_have_url(live.url + "/reader")
        keys_ready(page)
        page.keyboard.press("g")
        page.keyboard.press("f")
        expect(page).to_have_url(live.url + "/reader/subscriptions")
        page.goto(live.url + "/reader")
        page.screenshot(path=ARTIFACTS / "daily-reader.png")
        page.keyboard.press("?")
        dialog = page.get_by_role("dialog")
        for key in ("g u", "g s", "g f", "A", "n / p"):
            expect(dialog).to_contain_text(key)
        page.keyboard.press("Escape")
        expect(page.locator(".keys-hint")).to_be_visible()
        page.keyboard.press("Tab")
        expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
        page.keyboard.press("Tab")
        skip = page.get_by_role("link", name="Skip to your feeds")
        expect(skip).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.locator("#sidebar")).to_be_focused()
        page.goto(f"{live.url}/sources/{garden.id}")
        page.screenshot(path=ARTIFACTS / "daily-source.png")
        cookies = [
            {"name": c["name"], "value": c["value"], "url": live.url}
            for c in page.context.cookies()
        ]

        paths = [
            "/reader",
            "/reader/subscriptions",
            "/account",
            "/account/users",
            "/admin",
            f"/admin/sources/{long.id}",
            f"/reader/feeds/{long.id}",
            "/sources",
        ]
        for options in VIEWPORTS:
            for scheme in ("light", "dark"):
                screen = new_page(browser, problems, color_scheme=scheme, **options)
                screen.context.add_cookies(cookies)  # type: ignore[arg-type]
                width = options["viewport"]["width"]
                for path in paths:
                    screen.goto(live.url + path)
                    scroll = screen.evaluate("document.documentElement.scrollWidth")
                    inner = screen.evaluate("window.innerWidth")
                    assert scroll <= inner, f"{path} scrolls sideways at {width}px, {scheme}"
                if width == 390:
                    screen.goto(live.url + "/reader")
                    expect(screen.locator(".keys-hint")).to_be_hidden()  # a touch screen
                    small = screen.evaluate(SMALL_TARGETS)
                    assert small == [], f"touch targets under 24 px: {small}"
                    if scheme == "dark":
                        screen.screenshot(path=ARTIFACTS / "daily-reader-phone.png")
                screen.context.close()
    assert problems == []


# Links and buttons of the page's main content and sidebar whose box is under 24 px high,
# (inline links inside running text excepted, as WCAG 2.5.8 does).
SMALL_TARGETS = """
Array.from(document.querySelectorAll('main a, main button, main input, main select'))
  .filter((el) => {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) return false;
    if (el.closest('.visually-hidden, .skip, dialog')) return false;
    const inText = '.entry-body a, .empty a, .getting-started a, .problems a, p.hint a';
    if (el.matches(inText)) return false;
    return box.height < 24;
  })
  .map((el) => `${el.tagName} ${el.textContent.trim().slice(0, 30)}`)
"""
