"""Icon storage on SQLite and PostgreSQL: shared images, kept icons, and which feeds are due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from support.decoys import make_decoys
from support.entries import apply_check
from tidings.store import Store

PNG = b"\x89PNG\r\n\x1a\n" + b"\1" * 30
GIF = b"GIF89a" + b"\2" * 30
MONTH = timedelta(days=30)


def site_feed(store: Store, url: str, site: str, now: datetime) -> int:
    feed = store.feeds.add(url, now=now)
    apply_check(store, feed.id, (), now=now, site_url=site)
    return feed.id


def test_icons_are_shared_by_hash_and_kept_when_a_look_finds_nothing(store: Store) -> None:
    make_decoys(store)
    now = datetime.now(UTC)
    a = site_feed(store, "https://s.example/a", "https://s.example/", now)
    b = site_feed(store, "https://s.example/b", "https://s.example/", now)
    first = store.icons.save(a, "https://s.example/", ("image/png", PNG), now)
    assert first is not None
    assert store.icons.save(b, "https://s.example/", ("image/png", PNG), now) == first
    icon = store.icons.of_feed(a)
    assert icon is not None and icon.id == first and icon.data == PNG
    assert icon.mime_type == "image/png" and len(icon.hash) == 64
    assert store.icons.get(first) == icon
    assert store.icons.get(first + 1000) is None
    assert store.icons.save(a, "https://s.example/", None, now) == first  # the old one stays
    changed = store.icons.save(a, "https://s.example/", ("image/gif", GIF), now)
    assert changed not in (None, first)
    assert store.icons.ids_of_feeds([a, b, 999_999]) == {a: changed, b: first}
    assert store.icons.ids_of_feeds([]) == {}


def test_due_feeds(store: Store) -> None:
    now = datetime.now(UTC)
    fresh = site_feed(store, "https://f.example/feed", "https://f.example/", now)
    old = site_feed(store, "https://o.example/feed", "https://o.example/", now)
    moved = site_feed(store, "https://m.example/feed", "https://m.example/", now)
    never = site_feed(store, "https://n.example/feed", "https://n.example/", now)
    store.feeds.add("https://nosite.example/feed", now=now)  # no site link: nothing to look at
    store.icons.save(fresh, "https://f.example/", None, now)
    store.icons.save(old, "https://o.example/", None, now - MONTH - timedelta(days=1))
    store.icons.save(moved, "https://m.example/old/", None, now)
    due = store.icons.due(now, MONTH)
    assert due[0].feed_id == never
    assert {d.feed_id for d in due} == {never, old, moved}
    assert {d.site_url for d in due if d.feed_id == moved} == {"https://m.example/"}
    assert len(store.icons.due(now, MONTH, limit=1)) == 1


def test_deleting_a_feed_deletes_its_look(store: Store) -> None:
    now = datetime.now(UTC)
    feed = site_feed(store, "https://d.example/feed", "https://d.example/", now)
    store.icons.save(feed, "https://d.example/", ("image/png", PNG), now)
    store.feeds.remove(feed)
    assert store.icons.ids_of_feeds() == {}
