from __future__ import annotations

import pytest

from tidings.store import Conflict, NotFound, Store


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
