from __future__ import annotations

from datetime import UTC, datetime

import pytest

from support.entries import apply_check
from tidings.model import EntryData
from tidings.store import Conflict, NotFound, Store

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def test_add_get_list_remove(store: Store) -> None:
    feed = store.feeds.add("https://example.org/feed.xml", title="Example", refresh_interval=3600)
    assert feed.id > 0
    assert feed.display_title == "Example"
    assert feed.next_check_at is not None  # due at once
    assert store.feeds.get(feed.id) == feed
    assert [f.url for f in store.feeds.all()] == ["https://example.org/feed.xml"]
    store.feeds.remove(feed.id)
    with pytest.raises(NotFound):
        store.feeds.get(feed.id)
    assert store.feeds.all() == []


def test_duplicate_url_is_a_conflict(store: Store) -> None:
    store.feeds.add("https://example.org/a")
    with pytest.raises(Conflict, match="already subscribed"):
        store.feeds.add("https://example.org/a")


def test_update_only_given_fields(store: Store) -> None:
    feed = store.feeds.add("https://example.org/a", title="A", refresh_interval=900)
    changed = store.feeds.update(feed.id, title="B")
    assert (changed.title, changed.refresh_interval, changed.url) == ("B", 900, feed.url)
    cleared = store.feeds.update(feed.id, title="", refresh_interval=None)
    assert (cleared.title, cleared.refresh_interval) == (None, None)
    other = store.feeds.add("https://example.org/b")
    with pytest.raises(Conflict):
        store.feeds.update(other.id, url="https://example.org/a")
    with pytest.raises(NotFound):
        store.feeds.update(9999, title="x")


def test_remove_unknown_is_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        store.feeds.remove(12345)


def test_list_orders_by_title_and_filters_by_category(store: Store) -> None:
    b = store.feeds.add("https://example.org/b", title="beta")
    a = store.feeds.add("https://example.org/a", title="Alpha")
    store.categories.set_for_feed(b.id, ["News"])
    assert [f.id for f in store.feeds.all()] == [a.id, b.id]
    news = store.categories.all()[0]
    assert (news.name, news.feed_count) == ("News", 1)
    assert [f.id for f in store.feeds.all(category_id=news.id)] == [b.id]


def test_a_page_of_feeds_with_their_entry_counts(store: Store) -> None:
    """`all(limit=, offset=)`: the page in title order, each with its own entries' count (the
    sources page took every feed, counting every entry, to show fifty)."""
    made = [store.feeds.add(f"https://e{n}.example/feed", title=f"Feed {n:02}") for n in range(7)]
    for feed, count in zip(made, [3, 0, 2, 0, 1, 0, 5], strict=True):
        apply_check(
            store,
            feed.id,
            tuple(
                EntryData(key=f"{feed.id}-{i}", title="t", content_hash=str(i))
                for i in range(count)
            ),
            now=NOW,
        )
    page = store.feeds.all(limit=3, offset=2)
    assert [(f.title, f.entry_count) for f in page] == [
        ("Feed 02", 2),
        ("Feed 03", 0),
        ("Feed 04", 1),
    ]
    assert [f.entry_count for f in store.feeds.all()] == [3, 0, 2, 0, 1, 0, 5]
    assert store.feeds.all(limit=3, offset=7) == []
