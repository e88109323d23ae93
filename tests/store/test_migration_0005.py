"""Migration 0005 on SQLite: the search index reads the text of entries, not their HTML."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from support.migrations import add_old_feed, migrate_to
from tidings.model import EntryData, FeedUpdate
from tidings.store import Store
from tidings.store.migrations import HEAD
from tidings.store.schema import entries, subscriptions
from tidings.store.updates import Retention

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
MARKUP = (
    '<p><img src="https://cdn.imgpile.example/1.jpg" alt="a &gt; b" loading="lazy">Harbour '
    '<a href="https://news.example.org/7" rel="noopener noreferrer">council</a> &amp; '
    "<em>budget</em></p><p>&lt;script&gt;tail</p>"
)
FILLERS = 2001  # more than two of the migration's batches of 1000


def matches(store: Store, query: str) -> list[int]:
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT rowid FROM entries_fts WHERE entries_fts MATCH ? ORDER BY rowid", (query,)
        )
        return [row[0] for row in rows]


def check_index(store: Store) -> None:
    """FTS5's integrity check, comparing the index with what `entries` holds (rank 1)."""
    with store.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO entries_fts(entries_fts, rank) VALUES ('integrity-check', 1)"
        )


def sqlite_schema(store: Store) -> list[tuple[str, ...]]:
    """Every object's SQL; a table's lines sorted, since a revision that recreates a table on the
    way down (0006's entry_states) may list its constraints in another order."""
    with store.engine.connect() as conn:
        return [
            (
                kind,
                name,
                table,
                "\n".join(
                    sorted(
                        line.strip()
                        for line in (sql or "").replace(",", "").replace('"', "").splitlines()
                    )
                ),
            )
            for kind, name, table, sql in conn.exec_driver_sql(
                "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
            )
        ]


@pytest.fixture
def old(tmp_path: Path) -> Iterator[tuple[Store, int, int]]:
    """A SQLite database at revision 0004 holding entries with markup, the way 0004 stored them;
    gives the store, Ann's id and the id of the feed."""
    with Store.open(f"sqlite:///{tmp_path / 'old.db'}") as store:
        migrate_to(store, "0004")
        ann = store.users.add("ann", "x").id
        # Rows, not reading.subscribe: today's code reads tables as the newest revision has them.
        feed_id = add_old_feed(store, "https://e.org/feed", NOW)
        with store.engine.begin() as conn:
            conn.execute(
                sa.insert(subscriptions).values(user_id=ann, feed_id=feed_id, created_at=NOW)
            )
        row = {
            "feed_id": feed_id,
            "link": None,
            "author": None,
            "published_at": NOW,
            "updated_at": None,
            "first_seen_at": NOW,
            "sort_at": NOW,
            "categories": [],
            "enclosures": [],
            "image": None,
        }
        rows = [
            {**row, "key": "markup", "title": "Local news", "summary": None, "content": MARKUP},
            {**row, "key": "summary", "title": "Brief", "summary": MARKUP, "content": None},
        ]
        rows += [
            {
                **row,
                "key": f"f{i}",
                "title": f"Filler {i}",
                "summary": None,
                "content": f'<p>filler <a href="https://e.org/{i}" rel="noopener">text</a></p>',
            }
            for i in range(FILLERS)
        ]
        with store.engine.begin() as conn:
            conn.execute(sa.insert(entries), [{**r, "content_hash": r["key"]} for r in rows])
        yield store, ann, feed_id


def test_0005_indexes_the_text_and_downgrades_to_0004(old: tuple[Store, int, int]) -> None:
    store, ann, feed_id = old
    at_0004 = sqlite_schema(store)
    # The bug: at 0004 the words of the markup are indexed.
    assert len(matches(store, "noopener")) == FILLERS + 2
    assert len(matches(store, "lazy")) == 2

    migrate_to(store, "0005")
    check_index(store)
    for word in ("noopener", "noreferrer", "lazy", "href", "imgpile", "src", "alt", "gt", "lt"):
        assert matches(store, word) == [], word
    assert len(matches(store, "harbour council budget")) == 2
    assert len(matches(store, "filler")) == FILLERS  # every batch, the last one included
    assert len(matches(store, "script tail")) == 2
    # The store's code is today's: it reads and writes the schema of the newest revision.
    migrate_to(store, HEAD)
    assert [h.entry.entry.key for h in store.search.search(ann, "noopener")] == []
    (hit,) = store.search.search(ann, "harbour local")
    assert hit.entry.entry.key == "markup"
    assert "&lt;script&gt;tail" in hit.snippet_html
    with store.engine.connect() as conn:
        texts = dict(
            conn.exec_driver_sql(
                "SELECT key, coalesce(summary_text, '-') || '|' || coalesce(content_text, '-') "
                "FROM entries WHERE key IN ('markup', 'summary', 'f2000')"
            ).all()
        )
    assert texts == {
        "markup": "-|Harbour council & budget <script>tail",
        "summary": "Harbour council & budget <script>tail|-",
        "f2000": "-|filler text",
    }

    # The refresher's writes keep the new index in step: a changed entry, a new one.
    feed = dataclasses.replace(store.feeds.get(feed_id), checked_at=NOW)
    changed = EntryData(
        key="markup",
        title="Local news",
        content='<p>ferries <a href="https://x.example/">!</a></p>',
    )
    new = EntryData(key="new", title="New", content='<p><img src="https://y.example/">zebras</p>')
    update = FeedUpdate(feed=feed, new_entries=(new,), changed_entries=(changed,))
    store.updates.apply(update, owner=None, now=NOW, retention=Retention())
    check_index(store)
    assert matches(store, "harbour") == matches(store, "brief")  # the changed one lost it
    assert len(matches(store, "ferries")) == len(matches(store, "zebras")) == 1
    assert matches(store, "example") == []

    migrate_to(store, "0004", down=True)
    assert sqlite_schema(store) == at_0004
    check_index(store)
    assert len(matches(store, "noopener")) == FILLERS + 1  # the HTML again, as 0004 indexed it
    assert len(matches(store, "ferries")) == 1
    assert len(matches(store, "example")) == 3  # the hosts of summary, markup and new

    migrate_to(store, "0005")  # and up again
    check_index(store)
    assert matches(store, "noopener") == matches(store, "example") == []
    assert store.entries.count(feed_id=feed_id) == FILLERS + 3
