"""Chromium against uvicorn: a reader signs in, subscribes, reads with the keyboard, searches.

Any console error or warning (a CSP violation is one) fails the test. Screenshots go to
test-artifacts/reader-*.png.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from reader_ui.helpers import PASSWORD, add_entries, user
from support.browser import (
    ARTIFACTS,
    PHONE,
    chromium,
    keys_ready,
    new_page,
    require_chromium,
    sign_in,
)
from support.fixtures import live_store as live_store
from support.live_server import LiveServer, serving
from tidings.config import Settings
from tidings.store import Store
from tidings.web.app import create_app

pytestmark = pytest.mark.browser


def has(name: str) -> re.Pattern[str]:
    """A class attribute that includes `name`."""
    return re.compile(rf"(^|\s){re.escape(name)}(\s|$)")


@pytest.fixture
def live(live_store: Store) -> Iterator[LiveServer]:
    """A live server of the site (its routes table mounts the reading UI)."""
    require_chromium()
    settings = Settings(secret_key="browser test", site_name="Tidings")
    with serving(create_app(settings, live_store)) as server:
        yield server


def test_a_reader_reads_with_the_keyboard(live: LiveServer, live_store: Store) -> None:
    from playwright.sync_api import expect

    store = live_store
    ann = user(store, "ann")
    problems: list[str] = []

    with chromium() as browser:
        page = new_page(browser, problems, viewport={"width": 1200, "height": 900})

        sign_in(page, live.url + "/login?next=/reader", "ann", PASSWORD)
        expect(page.get_by_role("heading", name="All feeds")).to_be_visible()

        page.get_by_role("link", name="Subscriptions", exact=True).first.click()
        page.get_by_label("Address of a feed or a website").fill("https://garden.example/feed.xml")
        page.get_by_label("Categories").fill("Home")
        page.get_by_role("button", name="Subscribe").click()
        expect(page.get_by_role("status")).to_contain_text("Subscribed to")
        [sub] = store.reading.subscriptions(ann)
        add_entries(store, sub.feed_id, 8, title="Garden news")

        page.goto(live.url + "/reader")
        items = page.locator("[data-items] > li")
        expect(items).to_have_count(8)
        expect(page.locator("aside").get_by_role("link", name="All unread 8")).to_be_visible()
        page.keyboard.press("j")
        expect(items.nth(0)).to_have_class(has("current"))
        page.keyboard.press("j")
        page.keyboard.press("j")
        page.keyboard.press("k")
        expect(items.nth(1)).to_have_class(has("current"))
        expect(items.nth(2)).not_to_have_class(has("current"))
        # s stars and m marks read in place, without reloading.
        page.keyboard.press("s")
        expect(items.nth(1)).to_have_class(has("is-starred"))
        page.keyboard.press("m")
        expect(items.nth(1)).to_have_class(has("is-read"))
        expect(items.nth(1).get_by_role("button", name="Mark unread")).to_be_visible()
        side = page.locator("aside")
        expect(side.get_by_role("link", name="All unread 7")).to_be_visible()
        expect(side.get_by_role("link", name="Home 7")).to_be_visible()
        second = store.reading.entries(ann, status="all", limit=2)[1]
        assert second.read and second.starred
        page.keyboard.press("?")
        expect(page.get_by_role("dialog")).to_be_visible()
        page.screenshot(path=ARTIFACTS / "reader-keys-help.png")
        page.keyboard.press("Escape")
        expect(page.get_by_role("dialog")).to_be_hidden()
        page.screenshot(path=ARTIFACTS / "reader-list.png", full_page=True)

        # o opens the selected entry (which marks it read); j goes to the next one.
        page.keyboard.press("j")
        page.keyboard.press("o")
        expect(page.get_by_role("heading", name="Garden news 2")).to_be_visible()
        expect(page.get_by_text("Full text 2: tomatoes grow in gardens.")).to_be_visible()
        keys_ready(page)
        page.screenshot(path=ARTIFACTS / "reader-entry.png", full_page=True)
        page.keyboard.press("j")
        expect(page.get_by_role("heading", name="Garden news 3")).to_be_visible()
        keys_ready(page)
        page.keyboard.press("m")  # back to unread
        expect(page.get_by_role("button", name="Mark read")).to_be_visible()
        read = {e.entry.title for e in store.reading.entries(ann, status="read")}
        assert read == {"Garden news 1", "Garden news 2"}

        # / focuses the search box.
        page.keyboard.press("/")
        page.keyboard.type("tomatoes -nothing")
        page.keyboard.press("Enter")
        expect(page.locator("ol.results > li")).to_have_count(8)
        expect(page.locator("ol.results mark").first).to_have_text("tomatoes")
        page.screenshot(path=ARTIFACTS / "reader-search.png", full_page=True)
        box = page.get_by_label('Words, "phrases", -excluded, filters')
        box.fill('"unclosed')
        box.press("Enter")
        expect(page.get_by_role("alert")).to_contain_text("missing its closing quote")

        mobile = new_page(browser, problems, page_errors=False, **PHONE)
        mobile.context.add_cookies(
            [
                {"name": c["name"], "value": c["value"], "url": live.url}
                for c in page.context.cookies()
            ]
        )
        mobile.goto(live.url + "/reader?show=all")
        expect(mobile.locator("[data-items] > li")).to_have_count(8)
        width = mobile.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the reading page scrolls sideways on a phone ({width}px)"
        mobile.screenshot(path=ARTIFACTS / "reader-phone-dark.png")
    assert problems == []
