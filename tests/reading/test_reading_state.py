"""Subscriptions, categories, read/starred state and unread counts, on both databases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from reading.world import NOW, World, data
from tidings.reading.filters import EntryFilter
from tidings.reading_model import Cursor
from tidings.search_query import parse_query
from tidings.store import Conflict, NotFound, Store
from tidings.store.reading import listing as reading_module


def test_subscribe_creates_a_private_feed_once_for_many_users(world: World) -> None:
    store = world.store
    ann = store.reading.subscribe(world.ann, "https://e.org/f", title="Mine", categories=["Tech"])
    bob = store.reading.subscribe(world.bob, "https://e.org/f")
    assert ann.feed_id == bob.feed_id  # one feed row: fetched once
    assert store.feeds.count() == 1
    assert ann.display_title == "Mine" and ann.is_public is False
    assert [c.name for c in ann.categories] == ["Tech"]
    assert bob.title is None and bob.categories == ()
    with pytest.raises(Conflict):
        store.reading.subscribe(world.ann, "https://e.org/f")
    with pytest.raises(NotFound):
        store.reading.subscribe(999, "https://e.org/g")


def test_private_feeds_stay_off_the_public_queries(world: World) -> None:
    store = world.store
    public = store.feeds.add("https://e.org/public")
    private = world.feed(world.ann, "https://e.org/private")
    world.refresh(public.id, [data("p")])
    world.refresh(private, [data("q")])
    assert [f.id for f in store.feeds.all()] == [public.id]
    assert {f.id for f in store.feeds.all(include_private=True)} == {public.id, private}
    assert [e.key for e in store.entries.newest()] == ["p"]
    assert store.entries.newest(feed_id=private) == []
    assert {e.key for e in store.entries.newest(include_private=True)} == {"p", "q"}
    # A reader may follow a public source; it stays public.
    assert store.reading.subscribe(world.bob, "https://e.org/public").is_public
    # An admin adding a URL only readers follow publishes that feed.
    published = store.feeds.add("https://e.org/private", title="Now public")
    assert published.id == private and published.title == "Now public"
    assert {f.id for f in store.feeds.all()} == {public.id, private}
    with pytest.raises(Conflict):
        store.feeds.add("https://e.org/private")


def test_unsubscribe_forgets_state_and_deletes_orphan_private_feeds(world: World) -> None:
    store = world.store
    shared = world.feed(world.ann, "https://e.org/shared")
    world.feed(world.bob, "https://e.org/shared")
    ids = world.refresh(shared, [data("a"), data("b")])
    store.reading.mark_read(world.ann, ids)
    store.reading.unsubscribe(world.ann, shared)
    assert store.feeds.count() == 1  # Bob still follows it
    store.reading.subscribe(world.ann, "https://e.org/shared")
    assert store.reading.unread_counts(world.ann).total == 2  # the old state went
    store.reading.unsubscribe(world.ann, shared)
    store.reading.unsubscribe(world.bob, shared)
    assert store.feeds.count() == 0
    with pytest.raises(NotFound):
        store.reading.unsubscribe(world.bob, shared)
    public = store.feeds.add("https://e.org/public").id
    store.reading.subscribe(world.ann, "https://e.org/public")
    store.reading.unsubscribe(world.ann, public)
    assert store.feeds.count() == 1  # a public feed stays


def test_titles_and_categories_are_per_user(world: World) -> None:
    store = world.store
    feed = world.feed(world.ann, "https://e.org/f", categories=["News", "Daily"])
    world.feed(world.bob, "https://e.org/f", categories=["News"])
    sub = store.reading.update_subscription(world.ann, feed, title="Renamed", categories=["Tech"])
    assert sub.title == "Renamed" and [c.name for c in sub.categories] == ["Tech"]
    assert store.reading.subscription(world.bob, feed).title is None
    assert [c.name for c in store.reading.categories(world.ann)] == ["Daily", "News", "Tech"]
    assert [c.name for c in store.reading.categories(world.bob)] == ["News"]
    assert store.reading.update_subscription(world.ann, feed, title=None).title is None
    added = store.reading.add_category(world.ann, "  Later  ")
    assert added.name == "Later"
    with pytest.raises(Conflict):
        store.reading.add_category(world.ann, "Later")
    store.reading.add_category(world.bob, "Later")  # names are per user
    with pytest.raises(ValueError, match="needs a name"):
        store.reading.add_category(world.ann, " ")
    with pytest.raises(Conflict):
        store.reading.rename_category(world.ann, added.id, "Tech")
    assert store.reading.rename_category(world.ann, added.id, "Someday").name == "Someday"
    tech = next(c for c in store.reading.categories(world.ann) if c.name == "Tech")
    store.reading.remove_category(world.ann, tech.id)
    assert store.reading.subscription(world.ann, feed).categories == ()


def test_new_entries_arrive_unread_and_state_changes(world: World) -> None:
    store = world.store
    feed = world.feed(world.ann, "https://e.org/f")
    world.feed(world.bob, "https://e.org/f")
    a, b, c = world.refresh(feed, [data("a", days_ago=3), data("b", days_ago=2), data("c")])
    assert [e.entry.key for e in store.reading.entries(world.ann)] == ["c", "b", "a"]
    assert store.reading.mark_read(world.ann, [a, b]) == 2
    assert store.reading.mark_read(world.ann, [a]) == 0  # already read
    assert store.reading.star(world.ann, [b, c]) == 2
    assert [e.entry.key for e in store.reading.entries(world.ann)] == ["c"]
    assert [e.entry.key for e in store.reading.entries(world.ann, status="read")] == ["b", "a"]
    starred = store.reading.entries(world.ann, status="all", starred=True)
    assert [(e.entry.key, e.read, e.starred) for e in starred] == [
        ("c", False, True),
        ("b", True, True),
    ]
    assert store.reading.entry(world.ann, b).read_at is not None
    assert store.reading.mark_unread(world.ann, [a, c]) == 1  # c was never read
    assert store.reading.unstar(world.ann, [b]) == 1
    entry_b = store.reading.entry(world.ann, b)
    assert entry_b.read and not entry_b.starred and entry_b.starred_at is None
    assert [e.entry.key for e in store.reading.entries(world.ann, starred=False, status="all")] == [
        "b",
        "a",
    ]
    # Bob's state is his own.
    assert [e.entry.key for e in store.reading.entries(world.bob)] == ["c", "b", "a"]
    # Read state survives the entry being updated in place by the refresher.
    world.refresh(feed, changed=[data("b", "b v2", days_ago=2)])
    assert store.reading.entry(world.ann, b).read


def test_listing_order_cursor_and_paging(world: World) -> None:
    store = world.store
    feed = world.feed(world.ann, "https://e.org/f")
    world.refresh(feed, [data(f"e{i}", days_ago=10 - i) for i in range(6)])
    newest = store.reading.entries(world.ann, limit=2)
    assert [e.entry.key for e in newest] == ["e5", "e4"]
    older = store.reading.entries(world.ann, limit=2, before=newest[-1].cursor)
    assert [e.entry.key for e in older] == ["e3", "e2"]
    oldest = store.reading.entries(world.ann, order="oldest", limit=3)
    assert [e.entry.key for e in oldest] == ["e0", "e1", "e2"]
    later = store.reading.entries(world.ann, order="oldest", after=oldest[-1].cursor, limit=2)
    assert [e.entry.key for e in later] == ["e3", "e4"]
    assert [e.entry.key for e in store.reading.entries(world.ann, limit=2, offset=4)] == [
        "e1",
        "e0",
    ]
    same_time = Cursor(newest[0].entry.sort_at, newest[0].id)  # type: ignore[arg-type]
    assert store.reading.entries(world.ann, after=same_time) == []
    with pytest.raises(ValueError, match="status"):
        store.reading.entries(world.ann, status="new")  # type: ignore[arg-type]


def _with_and_without_window(
    monkeypatch: pytest.MonkeyPatch, pages: Callable[[], list[list[int]]], window: int
) -> tuple[list[list[int]], list[bool]]:
    """`pages()` by the plain query (no window), checked equal to `pages()` with a window of
    `window` entries; gives back the former and, for each list, whether the window answered."""
    monkeypatch.setattr(reading_module, "WINDOW", 10**9)  # never a window: the plain query
    expected = pages()
    answered: list[bool] = []
    real = reading_module._page_in_window

    def counted(*args: object) -> object:
        rows = real(*args)  # type: ignore[arg-type]
        answered.append(rows is not None)
        return rows

    monkeypatch.setattr(reading_module, "_page_in_window", counted)
    monkeypatch.setattr(reading_module, "WINDOW", window)
    assert pages() == expected
    return expected, answered


@pytest.mark.parametrize("window", [1, 4, 9, 1000])
def test_the_time_window_gives_the_same_pages(
    world: World, monkeypatch: pytest.MonkeyPatch, window: int
) -> None:
    """On SQLite a list of all of a user's entries first looks among the `window` newest (or
    oldest) entries of all feeds; every page must be the one the plain query gives."""
    store = world.store
    mine = [world.feed(world.ann, f"https://e.org/{n}") for n in range(3)]
    other = world.feed(world.bob, "https://e.org/bob")  # entries Ann must never see
    for n, feed in enumerate([*mine, other]):
        # Some entries share a sort time (ties broken by id), some have none (first seen).
        world.refresh(
            feed, [data(f"{n}-{k}", days_ago=(k % 5) + n / 10 if k % 7 else None) for k in range(9)]
        )
    listed = store.reading.entries(world.ann, status="all", limit=500)
    store.reading.mark_read(world.ann, [e.id for e in listed[::3]])
    store.reading.star(world.ann, [e.id for e in listed[::4]])

    def pages() -> list[list[int]]:
        found = []
        for status in ("unread", "read", "all"):
            for starred in (None, True, False):
                for order in ("newest", "oldest"):
                    for limit, offset in ((5, 0), (5, 10), (50, 0), (0, 0)):
                        found.append(
                            [
                                e.id
                                for e in store.reading.entries(
                                    world.ann,
                                    status=status,  # type: ignore[arg-type]
                                    starred=starred,
                                    order=order,  # type: ignore[arg-type]
                                    limit=limit,
                                    offset=offset,
                                )
                            ]
                        )
                first = store.reading.entries(world.ann, status=status, limit=4)
                if first:
                    cursor = Cursor(first[-1].entry.sort_at, first[-1].id)  # type: ignore[arg-type]
                    for key in ("before", "after"):
                        found.append(
                            [
                                e.id
                                for e in store.reading.entries(
                                    world.ann, status=status, limit=6, **{key: cursor}
                                )
                            ]
                        )
        return found

    expected, answered = _with_and_without_window(monkeypatch, pages, window)
    if store.engine.dialect.name == "sqlite":
        if window == 1000:  # more than all 36 entries: no window, the plain query every time
            assert not any(answered)
        else:  # the window answers some pages and leaves others to the plain query
            assert any(answered) and not all(answered)
    assert any(expected) and not any(
        e.entry.feed_id == other for e in store.reading.entries(world.ann, status="all", limit=500)
    )


SEARCHES = ["harbour", "title:/harb/i", "-budget", "title:/^Zebra/", "report -harbour", "none"]


@pytest.mark.parametrize("window", [4, 9, 20])
def test_the_time_window_gives_the_same_pages_of_a_search(
    world: World, monkeypatch: pytest.MonkeyPatch, window: int
) -> None:
    """A list with a search also looks in the window first on SQLite (its words looked up entry
    by entry there): every page must be the one the plain query gives."""
    store = world.store
    mine = [world.feed(world.ann, f"https://e.org/{n}") for n in range(3)]
    other = world.feed(world.bob, "https://e.org/bob")
    words = ["Harbour", "Budget", "Zebra", "Harbour"]
    for n, feed in enumerate([*mine, other]):
        world.refresh(
            feed,
            [
                data(f"{n}-{k}", f"{words[(n + k) % 4]} report {k}", days_ago=(k % 5) + n / 10)
                for k in range(9)
            ],
        )

    def pages() -> list[list[int]]:
        found = []
        for text in SEARCHES:
            query = parse_query(text, require_terms=False)
            for status in ("unread", "all"):
                for order in ("newest", "oldest"):
                    for limit, offset in ((3, 0), (3, 3), (50, 0)):
                        where = EntryFilter(status, search=query)  # type: ignore[arg-type]
                        listed = store.reading.entries(
                            world.ann,
                            where,
                            order=order,  # type: ignore[arg-type]
                            limit=limit,
                            offset=offset,
                        )
                        found.append([e.id for e in listed])
        return found

    expected, answered = _with_and_without_window(monkeypatch, pages, window)
    assert any(expected) and not all(expected)  # some searches match, "none" does not
    if store.engine.dialect.name == "sqlite":
        assert any(answered) and not all(answered)


def test_mark_all_read_sweeps_only_what_was_seen(world: World) -> None:
    store = world.store
    one = world.feed(world.ann, "https://e.org/1", categories=["Tech"])
    two = world.feed(world.ann, "https://e.org/2")
    world.refresh(one, [data("a"), data("b")])
    world.refresh(two, [data("c")])
    seen = NOW  # the user looks at the list...
    later = NOW + timedelta(minutes=5)
    world.refresh(one, [data("late1")], now=later)  # ...entries arrive meanwhile...
    world.refresh(two, [data("late2")], now=later)
    assert store.reading.mark_all_read(world.ann, as_of=seen) == 3  # ...and they stay unread
    assert sorted(e.entry.key for e in store.reading.entries(world.ann)) == ["late1", "late2"]
    assert store.reading.mark_feed_read(world.ann, one, as_of=later) == 1
    assert [e.entry.key for e in store.reading.entries(world.ann)] == ["late2"]
    assert store.reading.mark_all_read(world.ann, as_of=later, max_entry_id=0) == 0


def test_mark_category_read_and_starred_entries_keep_their_star(world: World) -> None:
    store = world.store
    one = world.feed(world.ann, "https://e.org/1", categories=["Tech"])
    two = world.feed(world.ann, "https://e.org/2")
    (a,) = world.refresh(one, [data("a")])
    world.refresh(two, [data("b")])
    store.reading.star(world.ann, [a])
    tech = store.reading.categories(world.ann)[0]
    assert tech.unread_count == 1 and tech.feed_count == 1
    assert store.reading.mark_category_read(world.ann, tech.id, as_of=NOW) == 1
    assert store.reading.entry(world.ann, a).starred  # a state row updated in place
    assert [e.entry.key for e in store.reading.entries(world.ann)] == ["b"]
    assert [e.entry.key for e in store.reading.entries(world.ann, category_id=tech.id)] == []


def test_unread_counts_per_feed_and_category(world: World) -> None:
    store = world.store
    one = world.feed(world.ann, "https://e.org/1", categories=["Tech", "All"])
    two = world.feed(world.ann, "https://e.org/2", categories=["All"])
    three = world.feed(world.ann, "https://e.org/3")
    ids = world.refresh(one, [data("a"), data("b"), data("c")])
    world.refresh(two, [data("d")])
    store.reading.mark_read(world.ann, ids[:1])
    counts = store.reading.unread_counts(world.ann)
    assert counts.total == 3
    assert counts.by_feed == {one: 2, two: 1, three: 0}
    names = {c.id: c.name for c in store.reading.categories(world.ann)}
    assert {names[k]: v for k, v in counts.by_category.items()} == {"Tech": 2, "All": 3}
    subs = {s.feed_id: s.unread_count for s in store.reading.subscriptions(world.ann)}
    assert subs == {one: 2, two: 1, three: 0}
    assert {c.name: c.unread_count for c in store.reading.categories(world.ann)} == {
        "All": 3,
        "Tech": 2,
    }
    empty = store.reading.unread_counts(world.bob)
    assert (empty.total, dict(empty.by_feed), dict(empty.by_category)) == (0, {}, {})


def test_the_sidebar_is_subscriptions_and_categories_counted_once(world: World) -> None:
    store = world.store
    one = world.feed(world.ann, "https://e.org/1", categories=["Tech", "All"])
    two = world.feed(world.ann, "https://e.org/2", categories=["All"])
    world.feed(world.ann, "https://e.org/3")
    world.feed(world.bob, "https://e.org/1", categories=["Bob's"])
    ids = world.refresh(one, [data("a"), data("b"), data("c")])
    world.refresh(two, [data("d")])
    store.reading.mark_read(world.ann, ids[:1])
    store.reading.add_category(world.ann, "Empty")
    subscriptions, categories = store.reading.sidebar(world.ann)
    assert subscriptions == store.reading.subscriptions(world.ann)
    assert categories == store.reading.categories(world.ann)
    assert [(c.name, c.feed_count, c.unread_count) for c in categories] == [
        ("All", 2, 3),
        ("Empty", 0, 0),
        ("Tech", 1, 2),
    ]
    # One subscription alone, or some, count their own feeds' unread entries only.
    assert store.reading.subscription(world.ann, one).unread_count == 2
    some = store.reading.subscriptions(world.ann, feed_ids=[two, one])
    assert some == [s for s in subscriptions if s.feed_id in (one, two)]
    assert store.reading.subscriptions(world.ann, feed_ids=[]) == []
    assert store.reading.subscriptions(world.bob, feed_ids=[two]) == []  # not Bob's
    assert store.reading.sidebar(world.bob)[1][0].unread_count == 3  # Bob read none


def test_deleting_a_user_or_feed_takes_their_reading_rows(world: World) -> None:
    store = world.store
    feed = world.feed(world.ann, "https://e.org/f", categories=["Tech"])
    world.feed(world.bob, "https://e.org/f")
    ids = world.refresh(feed, [data("a")])
    store.reading.star(world.ann, ids)
    store.users.remove(world.ann)
    assert store.reading.subscriptions(world.ann) == []
    assert store.reading.categories(world.ann) == []
    store.feeds.remove(feed)
    assert store.reading.subscriptions(world.bob) == []


def test_removing_a_user_removes_the_private_feeds_only_they_followed(store: Store) -> None:
    ada = store.users.add("ada-remove", "x")
    bob = store.users.add("bob-remove", "x")
    only_ada = store.reading.subscribe(ada.id, "https://only-ada.example/feed")
    shared = store.reading.subscribe(ada.id, "https://shared.example/feed")
    store.reading.subscribe(bob.id, "https://shared.example/feed")
    public = store.feeds.add("https://public.example/feed")
    store.users.remove(ada.id)
    urls = {f.url for f in store.feeds.all(include_private=True)}
    assert "https://only-ada.example/feed" not in urls
    assert {"https://shared.example/feed", public.url} <= urls
    assert only_ada.feed_id != shared.feed_id
