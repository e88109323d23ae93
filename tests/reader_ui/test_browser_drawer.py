"""On a phone the reader's sidebar opens as a drawer over the page, its search first, and closes
with its button, Escape or a tap beside it; on a wide screen the same link is not shown and the
sidebar sits beside the list (issue 17). Chromium against uvicorn; any console error fails."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reader_ui.helpers import PASSWORD, add_entries, user
from support.browser import chromium, keys_ready, new_page, require_chromium, sign_in
from support.fixtures import live_store as live_store
from support.live_server import LiveServer, serving
from tidings.config import Settings
from tidings.store import Store
from tidings.web.app import create_app

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True}


@pytest.fixture
def live(live_store: Store) -> Iterator[LiveServer]:
    require_chromium()
    settings = Settings(secret_key="browser test", site_name="Tidings")
    with serving(create_app(settings, live_store)) as server:
        yield server


def test_the_phone_drawer(live: LiveServer, live_store: Store) -> None:
    from playwright.sync_api import expect

    ann = user(live_store, "ann")
    sub = live_store.reading.subscribe(ann, "https://garden.example/feed.xml")
    add_entries(live_store, sub.feed_id, 30, title="Garden news")
    problems: list[str] = []
    with chromium() as browser:
        page = new_page(browser, problems, **PHONE)
        sign_in(page, live.url + "/login", "ann", PASSWORD)
        keys_ready(page)  # the drawer's opener works once reader.js has run
        side = page.locator("#sidebar")
        opener = page.get_by_role("link", name="Feeds, categories, search")
        # Closed: the sidebar is below the list, out of the first screen.
        assert side.bounding_box()["y"] > 844  # type: ignore[index]
        opener.click()
        expect(opener).to_have_attribute("aria-expanded", "true")
        expect(side).to_be_focused()
        box = side.bounding_box()
        assert box is not None and box["x"] == 0 and box["y"] == 0 and box["width"] < 390
        # Search comes first in the drawer, then the feed.
        search = page.get_by_role("searchbox", name="Search your entries")
        feed = side.locator(f'a[href="/reader/feeds/{sub.feed_id}"]')
        expect(search).to_be_in_viewport()
        assert search.bounding_box()["y"] < feed.bounding_box()["y"]  # type: ignore[index]
        page.keyboard.press("Escape")
        expect(opener).to_have_attribute("aria-expanded", "false")
        expect(opener).to_be_focused()
        assert side.bounding_box()["y"] > 844  # type: ignore[index]
        opener.click()
        page.get_by_role("button", name="Close").click()
        expect(opener).to_have_attribute("aria-expanded", "false")
        opener.click()
        page.mouse.click(380, 400)  # beside the drawer
        expect(opener).to_have_attribute("aria-expanded", "false")
        # From the drawer, search works.
        opener.click()
        search.fill("garden")
        search.press("Enter")
        expect(page).to_have_url(f"{live.url}/reader/search?q=garden")

        wide = new_page(browser, problems, viewport={"width": 1366, "height": 900})
        wide.context.add_cookies(
            [
                {"name": c["name"], "value": c["value"], "url": live.url}
                for c in page.context.cookies()
            ]
        )
        wide.goto(live.url + "/reader")
        expect(wide.get_by_role("link", name="Feeds, categories, search")).to_be_hidden()
        wide_side = wide.locator("#sidebar").bounding_box()
        assert wide_side is not None and wide_side["x"] > 900 and wide_side["y"] < 300
    assert problems == []
