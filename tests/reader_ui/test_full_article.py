"""The reader's "full article" action: a form POST (no JavaScript needed) on SQLite and
PostgreSQL, and the key `d` in Chromium; the article is served by a loopback server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from starlette.testclient import TestClient

from reader_ui.helpers import PASSWORD, post, user
from support.browser import chromium, keys_ready, new_page, require_chromium, sign_in
from support.entries import apply_check
from support.fixtures import live_store as live_store
from support.live_server import LiveServer, serving, serving_pages
from tidings.config import Settings
from tidings.model import EntryData
from tidings.store import Store
from tidings.web.app import create_app

HTML = "text/html; charset=utf-8"
ARTICLE = (
    b"<html><head><title>Owls</title></head><body><nav><a href='/'>Home</a> Menu</nav><article>"
    + b"<p>Barn owls hunt by sound alone in complete darkness, tracking voles under snow.</p>" * 6
    + b"</article><footer>Copyright footer text</footer></body></html>"
)


@pytest.fixture
def origin() -> Iterator[str]:
    with serving_pages({"/owls": (200, HTML, ARTICLE)}) as base:
        yield base


@pytest.fixture
def settings() -> Settings:
    """The site's settings, with loopback allowed: the article's server is on 127.0.0.1."""
    return Settings(secret_key="k", site_name="Test News", allow_private_networks=True)


def _entry(store: Store, user_id: int, link: str) -> int:
    sub = store.reading.subscribe(user_id, "https://owls.example/feed")
    now = datetime.now(UTC)
    data = EntryData(key=link, title="Owls", link=link, content="<p>Teaser</p>", content_hash="h")
    apply_check(store, sub.feed_id, (data,), now=now, checked_at=now, fetched=None)
    [entry] = store.entries.newest(feed_id=sub.feed_id, include_private=True)
    return entry.id


def test_the_form_fetches_stores_and_shows_the_article(
    ann_client: TestClient, ann: int, store: Store, origin: str
) -> None:
    entry_id = _entry(store, ann, f"{origin}/owls")
    page = ann_client.get(f"/reader/entries/{entry_id}").text
    assert f'action="/reader/entries/{entry_id}/full-article"' in page and "Teaser" in page
    done = post(ann_client, f"/reader/entries/{entry_id}/full-article")
    assert done.status_code == 303
    stored = store.entries.get(entry_id)
    assert stored.full_content and "Barn owls" in stored.full_content
    assert stored.content == "<p>Teaser</p>"
    shown = ann_client.get(f"/reader/entries/{entry_id}").text
    assert "Barn owls" in shown and "Teaser" not in shown and "show the feed" in shown
    own = ann_client.get(f"/reader/entries/{entry_id}?view=feed").text
    assert "Teaser" in own and "Barn owls" not in own


def test_the_feeds_scraper_rules_choose_the_article(
    ann_client: TestClient, ann: int, store: Store, origin: str
) -> None:
    entry_id = _entry(store, ann, f"{origin}/owls")
    feed_id = store.entries.get(entry_id).feed_id
    store.reading.update_subscription(ann, feed_id, scraper_rules="footer")
    assert post(ann_client, f"/reader/entries/{entry_id}/full-article").status_code == 303
    assert store.entries.get(entry_id).full_content == "Copyright footer text"  # tags cleaned


def test_another_readers_entry_is_404_and_untouched(
    ann_client: TestClient, ann: int, bob: int, store: Store, origin: str
) -> None:
    entry_id = _entry(store, bob, f"{origin}/owls")
    assert post(ann_client, f"/reader/entries/{entry_id}/full-article").status_code == 404
    assert store.entries.get(entry_id).full_content is None


def test_a_page_that_fails_gives_a_message_not_an_error(
    ann_client: TestClient, ann: int, store: Store, origin: str
) -> None:
    entry_id = _entry(store, ann, f"{origin}/missing")
    done = post(ann_client, f"/reader/entries/{entry_id}/full-article")
    assert done.status_code == 303
    page = ann_client.get(done.headers["location"]).text
    assert "The full article could not be fetched" in page
    assert store.entries.get(entry_id).full_content is None


@pytest.mark.browser
def test_key_d_fetches_the_full_article(live_store: Store, origin: str) -> None:
    from playwright.sync_api import expect

    require_chromium()
    settings = Settings(secret_key="browser test", allow_private_networks=True)
    ann = user(live_store, "ann")
    entry_id = _entry(live_store, ann, f"{origin}/owls")
    problems: list[str] = []
    with serving(create_app(settings, live_store)) as live, chromium() as browser:
        assert isinstance(live, LiveServer)
        page = new_page(browser, problems, viewport={"width": 1200, "height": 900})
        sign_in(page, live.url + f"/login?next=/reader/entries/{entry_id}", "ann", PASSWORD)
        expect(page.locator(".entry-body")).to_contain_text("Teaser")
        keys_ready(page)
        page.keyboard.press("?")
        expect(page.get_by_role("dialog")).to_contain_text("fetch the full article")
        page.keyboard.press("Escape")
        page.keyboard.press("d")
        # The article is fetched and extracted in a parse process, which may be starting.
        expect(page.locator(".entry-body")).to_contain_text(
            "Barn owls hunt by sound", timeout=15_000
        )
        expect(page.get_by_role("link", name="show the feed's text")).to_be_visible()
    assert problems == []
