"""Chromium against uvicorn: write a rule, watch its preview follow the query, save it, and see
the next entries it matches blocked as the refresher writes them. Any console error or warning
(a CSP violation is one) fails the test."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from reader_ui.helpers import PASSWORD, add_entries, user
from support.browser import chromium, new_page, require_chromium, sign_in
from support.fixtures import live_store as live_store
from support.live_server import LiveServer, serving
from tidings.config import Settings
from tidings.model import EntryData, FeedUpdate
from tidings.rules.engine import RuleBook
from tidings.store import Store
from tidings.store.updates import Retention
from tidings.web.app import create_app

pytestmark = pytest.mark.browser


@pytest.fixture
def live(live_store: Store) -> Iterator[LiveServer]:
    require_chromium()
    with serving(create_app(Settings(secret_key="browser test"), live_store)) as server:
        yield server


def write_as_the_refresher(store: Store, feed_id: int, titles: list[str]) -> None:
    """New entries through the refresher's write path, with the rules it loads."""
    now = datetime.now(UTC)
    feed = dataclasses.replace(store.feeds.get(feed_id), checked_at=now)
    new = tuple(
        EntryData(key=f"new-{t}", title=t, published_at=now - timedelta(minutes=i))
        for i, t in enumerate(titles)
    )
    with store.updates.batch(RuleBook(store.rules.enabled())) as batch:
        batch.apply(
            FeedUpdate(feed=feed, new_entries=new), owner=None, now=now, retention=Retention()
        )


def test_write_preview_save_and_block(live: LiveServer, live_store: Store) -> None:
    from playwright.sync_api import expect

    store = live_store
    ann = user(store, "ann")
    feed_id = store.reading.subscribe(ann, "https://shop.example/feed").feed_id
    assert feed_id is not None
    add_entries(store, feed_id, 3, title="Big sale")
    add_entries(store, feed_id, 2, title="Opening hours", prefix="other-")
    problems: list[str] = []

    with chromium() as browser:
        page = new_page(browser, problems, viewport={"width": 1200, "height": 800})
        sign_in(page, live.url + "/login", "ann", PASSWORD)
        page.goto(live.url + "/reader")
        page.get_by_role("link", name="Rules").click()
        page.get_by_label("Entries that match").fill("title:/SALE/i")
        page.get_by_label("Block (never show them)").check()
        # The preview follows the form (no button pressed).
        preview = page.locator("#rule-preview")
        expect(preview).to_contain_text("3 of your stored entries match")
        expect(preview.get_by_role("link", name="Big sale 0")).to_be_visible()
        page.get_by_label("Entries that match").fill("title:/SALE/")
        expect(preview).to_contain_text("0 of your stored entries match")
        page.get_by_label("Entries that match").fill("title:/(/")
        expect(preview.get_by_role("alert")).to_contain_text("not a valid regular expression")
        page.get_by_label("Entries that match").fill("title:/sale/i")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("status")).to_contain_text("Saved the rule title:/sale/i")

        write_as_the_refresher(store, feed_id, ["Summer sale", "Concert tonight"])
        page.goto(live.url + "/reader")
        expect(page.get_by_role("link", name="Concert tonight")).to_be_visible()
        expect(page.get_by_role("link", name="Summer sale")).to_have_count(0)
        expect(page.get_by_role("link", name="Big sale 0")).to_be_visible()  # stored before

    assert problems == []
