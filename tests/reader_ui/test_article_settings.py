"""The reader's settings page of a subscription: "fetch the full article" and scraper rules
(docs/articles.md), plain form posts (no JavaScript), on SQLite and PostgreSQL, after decoys."""

from __future__ import annotations

from starlette.testclient import TestClient

from reader_ui.helpers import post
from tidings.store import Store

URL = "https://owls.example/feed"


def test_the_page_sets_and_clears_both(ann_client: TestClient, ann: int, store: Store) -> None:
    feed_id = store.reading.subscribe(ann, URL).feed_id
    path = f"/reader/subscriptions/{feed_id}"
    page = ann_client.get(path).text
    assert 'name="crawler"' in page and 'name="scraper_rules"' in page
    assert 'id="crawler" name="crawler" checked' not in page
    saved = post(ann_client, path, {"title": "", "crawler": "on", "scraper_rules": " .story "})
    assert saved.status_code == 303
    sub = store.reading.subscription(ann, feed_id)
    assert (sub.crawler, sub.scraper_rules) == (True, ".story")
    page = ann_client.get(path).text
    assert 'name="crawler" checked' in page and 'value=".story"' in page
    post(ann_client, path, {"title": "", "scraper_rules": ""})  # the box unticked
    sub = store.reading.subscription(ann, feed_id)
    assert (sub.crawler, sub.scraper_rules) == (False, None)


def test_a_bad_selector_is_a_sentence_and_changes_nothing(
    ann_client: TestClient, ann: int, store: Store
) -> None:
    feed_id = store.reading.subscribe(ann, URL).feed_id
    path = f"/reader/subscriptions/{feed_id}"
    refused = post(ann_client, path, {"title": "New", "crawler": "on", "scraper_rules": "div >"})
    assert refused.status_code == 200
    assert "not valid CSS selectors" in refused.text and 'role="alert"' in refused.text
    sub = store.reading.subscription(ann, feed_id)
    assert (sub.title, sub.crawler, sub.scraper_rules) == (None, False, None)


def test_the_rules_of_a_feed_another_reader_follows_stay(
    ann_client: TestClient, ann: int, bob: int, store: Store
) -> None:
    feed_id = store.reading.subscribe(ann, URL).feed_id
    store.reading.subscribe(bob, URL)
    path = f"/reader/subscriptions/{feed_id}"
    refused = post(ann_client, path, {"title": "", "scraper_rules": ".x"})
    assert refused.status_code == 200 and "Only an administrator" in refused.text
    assert store.reading.subscription(bob, feed_id).scraper_rules is None
    # Ticking the box alone is hers to do (the rules field sent back unchanged, empty).
    assert post(ann_client, path, {"title": "", "crawler": "on", "scraper_rules": ""}).is_redirect
    assert store.reading.subscription(ann, feed_id).crawler
    assert not store.reading.subscription(bob, feed_id).crawler


def test_the_last_crawl_failure_is_shown(ann_client: TestClient, ann: int, store: Store) -> None:
    feed_id = store.reading.subscribe(ann, URL, crawler=True).feed_id
    store.articles.record_error(feed_id, "1 of 2 full articles could not be got (first: 404).")
    page = ann_client.get(f"/reader/subscriptions/{feed_id}").text
    assert "1 of 2 full articles could not be got (first: 404)." in page


def test_another_readers_subscription_is_404(
    ann_client: TestClient, ann: int, bob: int, store: Store
) -> None:
    theirs = store.reading.subscribe(bob, "https://bob.example/feed").feed_id
    assert theirs not in (ann, bob)
    path = f"/reader/subscriptions/{theirs}"
    assert ann_client.get(path).status_code == 404
    assert post(ann_client, path, {"title": "", "crawler": "on"}).status_code == 404
    assert not store.reading.subscription(bob, theirs).crawler
