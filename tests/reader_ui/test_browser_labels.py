"""Chromium against uvicorn, on a phone: label an entry from its page, see the label on the
entry and in the list, and follow it to the label's list. Any console error or warning (a CSP
violation is one) fails the test; screenshots go to test-artifacts/reader-labels-*.png."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reader_ui.helpers import PASSWORD, add_entries, user
from support.browser import ARTIFACTS, PHONE, chromium, new_page, require_chromium, sign_in
from support.fixtures import live_store as live_store
from support.live_server import LiveServer, serving
from tidings.config import Settings
from tidings.store import Store
from tidings.web.app import create_app

pytestmark = pytest.mark.browser


@pytest.fixture
def live(live_store: Store) -> Iterator[LiveServer]:
    require_chromium()
    with serving(create_app(Settings(secret_key="browser test"), live_store)) as server:
        yield server


def test_a_reader_labels_an_entry_and_follows_the_label(
    live: LiveServer, live_store: Store
) -> None:
    from playwright.sync_api import expect

    ann = user(live_store, "ann")
    sub = live_store.reading.subscribe(ann, "https://garden.example/feed.xml")
    first, _second, _third = add_entries(live_store, sub.feed_id, 3, title="Garden news")
    problems: list[str] = []
    with chromium() as browser:
        page = new_page(browser, problems, **PHONE)
        sign_in(page, live.url + f"/login?next=/reader/entries/{first}", "ann", PASSWORD)
        page.get_by_label("Label", exact=True).fill("Recipes to try later")
        page.get_by_role("button", name="Add", exact=True).click()
        expect(page.get_by_role("status")).to_contain_text("Labelled Recipes to try later.")
        labels = page.get_by_role("list", name="Labels")
        expect(labels.get_by_role("link")).to_have_text(["Recipes to try later"])
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the entry page scrolls sideways on a phone ({width}px)"
        page.screenshot(path=ARTIFACTS / "reader-labels-entry.png", full_page=True)

        page.goto(live.url + "/reader?show=all")
        item = page.locator(f'[data-entry="{first}"]')
        item.get_by_role("link", name="Recipes to try later").click()
        expect(page.get_by_role("heading", name="Label: Recipes to try later")).to_be_visible()
        expect(page.locator("[data-items] > li")).to_have_count(1)
        expect(page.locator("a.item-open")).to_have_text(["Garden news 0"])
        page.screenshot(path=ARTIFACTS / "reader-labels-list.png", full_page=True)
    assert problems == []
