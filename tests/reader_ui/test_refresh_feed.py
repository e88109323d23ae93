"""Refreshing one feed from the reader (the `R` key and the feed list's button): a subscriber
may ask, as with Miniflux's PUT /v1/feeds/{id}/refresh; anyone else gets a 404."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import lxml.html

from reader_ui.helpers import post
from tidings.store import Store

if TYPE_CHECKING:
    from starlette.testclient import TestClient


def _later(store: Store, feed_id: int) -> None:
    """Put the feed's next check a day away, so scheduling it shows."""
    store.feeds.schedule_now([feed_id], now=datetime.now(UTC) + timedelta(days=1))


def test_subscriber_refreshes_a_feed(ann_client: TestClient, store: Store, ann: int) -> None:
    sub = store.reading.subscribe(ann, "https://a.example/feed")
    _later(store, sub.feed_id)
    page = lxml.html.fromstring(ann_client.get(f"/reader/feeds/{sub.feed_id}").text)
    [form] = page.xpath("//form[@data-refresh]")
    assert form.get("action") == f"/reader/feeds/{sub.feed_id}/refresh"
    here = f"/reader/feeds/{sub.feed_id}?show=all"
    response = post(ann_client, f"/reader/feeds/{sub.feed_id}/refresh", {"next": here})
    assert response.status_code == 303
    assert response.headers["location"] == here
    due = store.feeds.get(sub.feed_id).next_check_at
    assert due is not None and due <= datetime.now(UTC) + timedelta(seconds=1)
    assert "will be updated shortly" in ann_client.get(here).text


def test_no_refresh_button_on_lists_of_many_feeds(ann_client: TestClient, store: Store) -> None:
    page = lxml.html.fromstring(ann_client.get("/reader?show=all").text)
    assert not page.xpath("//form[@data-refresh]")


def test_only_a_subscriber_refreshes(ann_client: TestClient, store: Store, ann: int) -> None:
    other = store.feeds.add("https://not-ann.example/feed.xml", title="Not Ann's")
    _later(store, other.id)
    response = post(ann_client, f"/reader/feeds/{other.id}/refresh")
    assert response.status_code == 404
    due = store.feeds.get(other.id).next_check_at
    assert due is not None and due > datetime.now(UTC) + timedelta(hours=1)


def test_refresh_needs_the_form_token(ann_client: TestClient, store: Store, ann: int) -> None:
    sub = store.reading.subscribe(ann, "https://a.example/feed")
    response = ann_client.post(f"/reader/feeds/{sub.feed_id}/refresh")
    assert response.status_code == 403


def test_keys_help_lists_r(ann_client: TestClient) -> None:
    page = lxml.html.fromstring(ann_client.get("/reader").text)
    keys = [" ".join(th.text_content().split()) for th in page.xpath("//table[@class='keys']//th")]
    assert "R" in keys
