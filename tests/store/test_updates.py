"""The refresher's writes: claims with leases, one check in one transaction, retention, log."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tidings.model import Enclosure, EntryData, FeedUpdate, FetchLogRecord
from tidings.store import Store, updates
from tidings.store.schema import entries, entry_states
from tidings.store.updates import Retention

NOW = datetime(2026, 1, 10, 12, tzinfo=UTC)


def entry(key: str, days_ago: float | None = 1, title: str = "t") -> EntryData:
    published = NOW - timedelta(days=days_ago) if days_ago is not None else None
    return EntryData(key=key, title=title, published_at=published, content_hash=f"h-{title}")


def checked(store: Store, feed_id: int, **changes: object) -> FeedUpdate:
    feed = store.feeds.get(feed_id)
    values = {"checked_at": NOW, "next_check_at": NOW + timedelta(hours=1), **changes}
    return FeedUpdate(feed=dataclasses.replace(feed, **values))  # type: ignore[arg-type]


def test_claims_are_exclusive_until_the_lease_expires(store: Store) -> None:
    ids = [store.feeds.add(f"https://e.org/{i}", now=NOW).id for i in range(5)]
    first = store.updates.claim_due("w1", NOW, limit=3, lease_seconds=60)
    second = store.updates.claim_due("w2", NOW, limit=10, lease_seconds=60)
    assert len(first) == 3 and len(second) == 2
    assert sorted(f.id for f in first + second) == ids
    assert store.updates.claim_due("w3", NOW, limit=10, lease_seconds=60) == []
    later = NOW + timedelta(seconds=61)  # w1 and w2 died: their feeds come back
    assert len(store.updates.claim_due("w3", later, limit=10, lease_seconds=60)) == 5


def test_not_due_disabled_and_never_are_not_claimed(store: Store) -> None:
    store.feeds.add("https://e.org/later", now=NOW + timedelta(hours=1))
    never = store.feeds.add("https://e.org/never", now=NOW)
    disabled = store.feeds.add("https://e.org/gone", now=NOW)
    store.updates.claim_due("w", NOW, 10, 60)
    store.updates.apply(
        checked(store, never.id, next_check_at=None), owner="w", now=NOW, retention=Retention()
    )
    store.updates.apply(
        checked(store, disabled.id, disabled_reason="410 Gone"),
        owner="w",
        now=NOW,
        retention=Retention(),
    )
    assert store.updates.claim_due("w", NOW + timedelta(days=9), 10, 60)[0].url.endswith("later")
    assert store.updates.claim_due("x", NOW + timedelta(days=9), 10, 60) == []


def test_apply_inserts_updates_and_keeps_state(store: Store) -> None:
    feed = store.feeds.add("https://e.org/f", title="Admin title", now=NOW)
    store.updates.claim_due("w", NOW, 10, 60)
    update = dataclasses.replace(
        checked(store, feed.id, feed_title="Feed's own", etag='"v1"'),
        new_entries=(entry("a", 2), entry("b", None)),
        seen_keys=("a", "b"),
        log=FetchLogRecord(feed.id, NOW, 200, 12, 3400, new_count=2),
    )
    assert store.updates.apply(update, owner="w", now=NOW, retention=Retention()) == 2
    stored = store.feeds.get(feed.id)
    assert (stored.title, stored.feed_title, stored.etag) == ("Admin title", "Feed's own", '"v1"')
    newest = store.entries.newest(feed_id=feed.id)
    assert [e.key for e in newest] == ["b", "a"]  # undated entry sorts at first-seen time
    assert newest[0].sort_at == NOW and newest[0].published_at is None
    user = store.users.add("u", "x")
    with store.engine.begin() as conn:
        conn.execute(
            entry_states.insert().values(
                user_id=user.id,
                entry_id=newest[1].id,
                feed_id=newest[1].feed_id,
                read=True,
                starred=True,
            )
        )
    store.updates.claim_due("w", NOW + timedelta(hours=2), 10, 60)
    again = dataclasses.replace(
        checked(store, feed.id),
        new_entries=(entry("a", 2),),  # a racing duplicate is skipped, not doubled
        changed_entries=(entry("a", 2, title="new title"),),
        seen_keys=("a",),
    )
    assert store.updates.apply(again, owner="w", now=NOW, retention=Retention()) == 0
    changed = store.entries.get(newest[1].id)
    assert changed.title == "new title" and changed.id == newest[1].id
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(entry_states.c.starred)).scalar_one() is True
    assert [r.new_count for r in store.updates.log(feed.id)] == [2]


def test_lease_taken_over_means_no_write(store: Store) -> None:
    feed = store.feeds.add("https://e.org/f", now=NOW)
    store.updates.claim_due("dead", NOW, 10, 60)
    store.updates.claim_due("alive", NOW + timedelta(minutes=5), 10, 60)
    late = dataclasses.replace(checked(store, feed.id), new_entries=(entry("x"),))
    assert store.updates.apply(late, owner="dead", now=NOW, retention=Retention()) == 0
    assert store.entries.count(feed_id=feed.id) == 0


def test_retention_spares_starred_and_present_entries(store: Store) -> None:
    feed = store.feeds.add("https://e.org/f", now=NOW)
    olds = (*(entry(f"old{i}", 200) for i in range(3)), entry("fresh", 1))
    store.updates.apply(
        dataclasses.replace(checked(store, feed.id), new_entries=olds),
        owner=None,
        now=NOW,
        retention=Retention(),
    )
    old_star = next(e for e in store.entries.newest(feed_id=feed.id) if e.key == "old0")
    user = store.users.add("u", "x")
    with store.engine.begin() as conn:
        conn.execute(
            entry_states.insert().values(
                user_id=user.id, entry_id=old_star.id, feed_id=old_star.feed_id, starred=True
            )
        )
    keep_policy = Retention(discard_before=NOW - timedelta(days=100))
    still_listed = dataclasses.replace(checked(store, feed.id), seen_keys=("old1", "fresh"))
    store.updates.apply(still_listed, owner=None, now=NOW, retention=keep_policy)
    assert sorted(e.key for e in store.entries.newest(feed_id=feed.id)) == ["fresh", "old0", "old1"]


def test_max_entries_per_feed_and_log_bound(store: Store) -> None:
    feed = store.feeds.add("https://e.org/f", now=NOW)
    many = tuple(entry(f"e{i}", i) for i in range(10))
    for i in range(4):
        update = dataclasses.replace(
            checked(store, feed.id),
            new_entries=many if i == 0 else (),
            log=FetchLogRecord(feed.id, NOW + timedelta(minutes=i), 200, 1, 1),
        )
        store.updates.apply(
            update, owner=None, now=NOW, retention=Retention(max_entries=4, log_size=2)
        )
    assert [e.key for e in store.entries.newest(feed_id=feed.id)] == ["e0", "e1", "e2", "e3"]
    assert [r.at for r in store.updates.log(feed.id)] == [
        NOW + timedelta(minutes=3),
        NOW + timedelta(minutes=2),
    ]


def test_permanent_redirect_to_a_taken_url_keeps_the_old_one(store: Store) -> None:
    a = store.feeds.add("https://e.org/a", now=NOW)
    store.feeds.add("https://e.org/b", now=NOW)
    store.updates.apply(
        checked(store, a.id, url="https://e.org/b"), owner=None, now=NOW, retention=Retention()
    )
    assert store.feeds.get(a.id).url == "https://e.org/a"
    store.updates.apply(
        checked(store, a.id, url="https://e.org/c"), owner=None, now=NOW, retention=Retention()
    )
    assert store.feeds.get(a.id).url == "https://e.org/c"


def test_newest_per_feed(store: Store) -> None:
    a = store.feeds.add("https://e.org/a", now=NOW)
    b = store.feeds.add("https://e.org/b", now=NOW)
    for feed in (a, b):
        store.updates.apply(
            dataclasses.replace(
                checked(store, feed.id), new_entries=tuple(entry(f"k{i}", i) for i in range(5))
            ),
            owner=None,
            now=NOW,
            retention=Retention(),
        )
    per = store.entries.newest_per_feed([a.id, b.id], 3)
    assert {k: [e.key for e in v] for k, v in per.items()} == {
        a.id: ["k0", "k1", "k2"],
        b.id: ["k0", "k1", "k2"],
    }
    assert store.entries.count() == 10


def test_a_batch_keeps_each_feed_all_or_nothing(store: Store) -> None:
    a, b, c = (store.feeds.add(f"https://e.org/{name}", now=NOW) for name in "abc")
    store.updates.claim_due("w", NOW, 10, 60)

    def planned(feed_id: int, *new: EntryData) -> FeedUpdate:
        return dataclasses.replace(
            checked(store, feed_id, etag='"new"'),
            new_entries=new,
            log=FetchLogRecord(feed_id, NOW, 200, 1, 1, new_count=len(new)),
        )

    # b fails half way: its feed row is written, then an entry breaks a NOT NULL constraint.
    bad = dataclasses.replace(entry("b2"), title=None)  # type: ignore[arg-type]
    failed = []
    with store.updates.batch() as batch:
        assert batch.apply(planned(a.id, entry("a")), owner="w", now=NOW, retention=Retention())
        try:
            batch.apply(planned(b.id, entry("b1"), bad), owner="w", now=NOW, retention=Retention())
        except sa.exc.IntegrityError:
            failed.append(b.id)
        taken = planned(c.id, entry("c"))
        assert batch.apply(taken, owner="x", now=NOW, retention=Retention()) == 0

    assert failed == [b.id]
    assert [e.key for e in store.entries.newest(feed_id=a.id)] == ["a"]
    assert (store.feeds.get(a.id).etag, len(store.updates.log(a.id))) == ('"new"', 1)
    # b: rolled back to its savepoint, feed row and first entry included; a still committed.
    assert store.entries.count(feed_id=b.id) == 0
    assert (store.feeds.get(b.id).etag, store.updates.log(b.id)) == (None, [])
    # c: the lease is w's, so a write as x changes nothing.
    assert (store.entries.count(feed_id=c.id), store.feeds.get(c.id).etag) == (0, None)


def test_new_entries_are_stored_the_same_on_every_path(store: Store) -> None:
    # New entries skip SQLAlchemy's column types: through the driver on SQLite
    # (updates._insert_sqlite), as arrays unnested by the server on PostgreSQL
    # (_insert_postgresql). What they store must be what the types store.
    full = EntryData(
        key="k1",
        title="Tïtle",
        link="https://e.org/1",
        author="Ann",
        summary="<p>s</p>",
        content="<p>c</p>",
        published_at=datetime(2025, 9, 19, 12, 0, 5, 7, tzinfo=UTC),
        updated_at=datetime(2025, 9, 20, tzinfo=UTC),
        content_hash="h1",
        categories=("News", "Été"),
        enclosures=(
            Enclosure("https://e.org/a.mp3", "audio/mpeg", 12),
            Enclosure("https://e.org/b"),
        ),
        image="https://e.org/i.png",
    )
    bare = EntryData(key="k2", title="", content_hash="h2")
    feed_id = store.feeds.add("https://e.org/feed", now=NOW).id
    update = dataclasses.replace(checked(store, feed_id), new_entries=(full, bare))
    store.updates.apply(update, owner=None, now=NOW, retention=Retention())
    # The metadata's columns: on SQLite the search index's text columns are the writer's alone.
    every_column = f"SELECT {', '.join(entries.c.keys())} FROM entries ORDER BY key"
    with store.engine.begin() as conn:
        stored = conn.execute(sa.select(entries).order_by(entries.c.key)).all()
        raw = conn.exec_driver_sql(every_column).all()
        conn.execute(sa.delete(entries))
        conn.execute(sa.insert(entries), [row._asdict() for row in stored])  # through the types
        raw_by_types = conn.exec_driver_sql(every_column).all()
    assert raw == raw_by_types
    first, second = stored
    # Every field where it belongs: the driver's row is positional, a slip would swap columns.
    for name in ("key", "title", "link", "author", "summary", "content", "content_hash", "image"):
        assert getattr(first, name) == getattr(full, name), name
    assert (first.published_at, first.updated_at) == (full.published_at, full.updated_at)
    assert (first.first_seen_at, first.sort_at) == (NOW, full.published_at)
    assert first.categories == ["News", "Été"]
    assert first.enclosures == [
        {"url": "https://e.org/a.mp3", "type": "audio/mpeg", "length": 12},
        {"url": "https://e.org/b", "type": None, "length": None},
    ]
    assert (second.published_at, second.sort_at, second.first_seen_at) == (None, NOW, NOW)
    assert first.id < second.id  # ids in the feed's order: they break ties of sort time


@pytest.fixture
def sqlite_store(sqlite_template: Path, tmp_path: Path) -> Iterator[Store]:
    path = tmp_path / "tidings.db"
    shutil.copy(sqlite_template, path)
    with Store.open(f"sqlite:///{path}") as opened:
        yield opened


def search_texts(store: Store) -> dict[str, tuple[str | None, str | None]]:
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT key, summary_text, content_text FROM entries")
        return {key: (summary, content) for key, summary, content in rows}


def test_sqlite_writes_the_search_text_with_the_html(sqlite_store: Store) -> None:
    store = sqlite_store
    given = EntryData(
        key="given",
        title="t",
        summary="<p>s</p>",
        content="<p>c</p>",
        content_hash="1",
        summary_text="as the parser gave it",
        content_text="",
    )
    computed = EntryData(
        key="computed",
        title="t",
        summary="<p>one</p><p>two</p>",
        content='<a href="https://e.org/" rel="noopener noreferrer">link</a> &amp; <b>te</b>xt',
        content_hash="2",
    )
    bare = EntryData(key="bare", title="t", content_hash="3")
    feed_id = store.feeds.add("https://e.org/feed", now=NOW).id
    update = dataclasses.replace(checked(store, feed_id), new_entries=(given, computed, bare))
    store.updates.apply(update, owner=None, now=NOW, retention=Retention())
    assert search_texts(store) == {
        "given": ("as the parser gave it", ""),
        "computed": ("one two", "link & text"),
        "bare": (None, None),
    }
    changed = (
        dataclasses.replace(
            given, summary=None, summary_text=None, content_text="new", content_hash="4"
        ),
        dataclasses.replace(computed, summary=None, content="<p>x&lt;y</p>", content_hash="5"),
        dataclasses.replace(bare, summary="<li>now</li>", content_hash="6"),
    )
    update = dataclasses.replace(checked(store, feed_id), changed_entries=changed)
    store.updates.apply(update, owner=None, now=NOW, retention=Retention())
    assert search_texts(store) == {
        "given": (None, "new"),
        "computed": (None, "x<y"),
        "bare": ("now", None),
    }


def test_new_entries_count_only_rows_really_inserted(store: Store) -> None:
    feed_id = store.feeds.add("https://e.org/count", now=NOW).id
    first = dataclasses.replace(checked(store, feed_id), new_entries=(entry("a"),))
    assert store.updates.apply(first, owner=None, now=NOW, retention=Retention()) == 1
    # "a" was stored meanwhile (a racing check): only "b" and "c" are new.
    racing = dataclasses.replace(
        checked(store, feed_id), new_entries=(entry("b"), entry("a"), entry("c"))
    )
    assert store.updates.apply(racing, owner=None, now=NOW, retention=Retention()) == 2
    assert sorted(e.key for e in store.entries.newest(feed_id=feed_id)) == ["a", "b", "c"]


def test_a_check_is_stored_the_same_through_the_driver(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On SQLite the feed's UPDATE and its log line go through the driver (updates._execute):
    # the stored row must be what SQLAlchemy's column types store.
    def write(url: str) -> tuple[Any, ...]:
        feed_id = store.feeds.add(url, now=NOW).id
        update = dataclasses.replace(
            checked(store, feed_id, etag='"e"', error_count=2, last_error="Timed out."),
            log=FetchLogRecord(feed_id, NOW, None, 12, 0, error="Timed out."),
        )
        update = dataclasses.replace(
            update,
            feed=dataclasses.replace(update.feed, first_error_at=NOW - timedelta(days=1)),
        )
        store.updates.apply(update, owner=None, now=NOW, retention=Retention())
        with store.engine.connect() as conn:
            feed = conn.exec_driver_sql(f"SELECT * FROM feeds WHERE id = {feed_id}").one()
            log = conn.exec_driver_sql(f"SELECT * FROM fetch_log WHERE feed_id = {feed_id}").one()
        return (*feed[2:], *log[2:])  # all but the ids and the URL

    through_driver = write("https://e.org/driver")
    monkeypatch.setattr(
        updates, "_execute", lambda conn, statement, values: conn.execute(statement, values)
    )
    assert write("https://e.org/types") == through_driver


def test_execute_many_takes_rows_only_in_the_order_the_statement_binds() -> None:
    # The rules' outcomes are written as tuples (updates.execute_many): a tuple read in another
    # order than the statement's would store a read flag as a star without any error.
    engine = sa.create_engine("sqlite://")
    table = sa.Table("t", sa.MetaData(), sa.Column("a", sa.Integer), sa.Column("b", sa.Text))
    table.create(engine)
    with engine.begin() as conn:
        updates.execute_many(conn, table.insert(), ("a", "b"), [(1, "x"), (2, "y")])
        with pytest.raises(ValueError, match="binds"):
            updates.execute_many(conn, table.insert(), ("b", "a"), [("z", 3)])
        assert conn.execute(sa.select(table.c.a, table.c.b)).all() == [(1, "x"), (2, "y")]
    engine.dispose()
