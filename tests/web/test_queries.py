"""SQL per page (no N+1), the web's new queries, and the page cache's invalidation."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from tidings.config import Settings
from tidings.store import NotFound, Store
from tidings.web.app import create_app
from web.helpers import add_feed


@contextmanager
def counting(store: Store) -> Iterator[list[str]]:
    """The SQL statements run inside the block (transaction control left out)."""
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SET")):
            statements.append(statement)

    sa.event.listen(store.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", count)


@pytest.fixture
def many(store: Store) -> list[int]:
    ids = [
        add_feed(store, f"https://f{i}.example/feed", title=f"F{i}", entries=4) for i in range(8)
    ]
    category = store.categories.add("All")
    for feed_id in ids:
        store.categories.set_for_feed(feed_id, [category.name])
    return ids


@pytest.mark.parametrize(
    ("path", "most"),
    [
        ("/", 3),  # data version, entries, their feeds
        ("/sources", 3),  # version, feeds with counts, newest per feed
        ("/sources/{feed}", 3),  # version, feed, entries
        ("/categories", 2),
        ("/categories/{category}", 4),  # version, category, entries, their feeds
        ("/feed.rss", 3),
        ("/sources/{feed}/feed.atom", 4),
        ("/categories/{category}/feed.json", 4),
    ],
)
def test_queries_per_page_do_not_grow_with_the_list(
    client: TestClient, store: Store, many: list[int], path: str, most: int
) -> None:
    [category] = store.categories.all()
    url = path.format(feed=many[0], category=category.id)
    with counting(store) as statements:
        assert client.get(url).status_code == 200
    assert len(statements) <= most, statements
    with counting(store) as cached:
        assert client.get(url).status_code == 200
    assert len(cached) == 1  # a cached page costs only the data version check


def test_page_cache_sees_refresher_writes(client: TestClient, store: Store) -> None:
    feed_id = add_feed(store, "https://a.example/feed", title="Alpha", entries=1)
    assert "Alpha item 0" in client.get("/").text
    now = datetime.now(UTC) + timedelta(seconds=1)
    add_feed(store, "https://b.example/feed", title="Beta", entries=1, now=now)
    assert "Beta item 0" in client.get("/").text
    store.feeds.update(feed_id, title="Renamed")  # from another process: seen after the TTL
    client.app.state.site.changed()  # type: ignore[attr-defined]
    assert "Renamed" in client.get("/").text


def test_delete_entries_and_entry_times(store: Store) -> None:
    feed_id = add_feed(store, "https://a.example/feed", entries=3)
    times = store.entries.sort_times(feed_id, datetime.now(UTC) - timedelta(days=1))
    assert len(times) == 3 and all(t.tzinfo is not None for t in times)
    assert store.entries.delete_for_feed(feed_id) == 3
    assert store.entries.count(feed_id=feed_id) == 0
    assert store.feeds.get(feed_id).etag is None
    with pytest.raises(NotFound):
        store.entries.delete_for_feed(feed_id + 100)


def test_data_version_moves_with_changes(store: Store) -> None:
    empty = store.data_version()
    feed_id = add_feed(store, "https://a.example/feed", entries=1)
    with_feed = store.data_version()
    assert with_feed != empty
    store.categories.set_for_feed(feed_id, ["X"])
    assert store.data_version() != with_feed
    assert store.feeds.by_ids([feed_id])[feed_id].url == "https://a.example/feed"
    assert store.feeds.by_ids([]) == {}


def test_background_runs_for_the_apps_life(store: Store) -> None:
    started = asyncio.Event()
    states: list[str] = []

    async def background() -> None:
        states.append("started")
        started.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            states.append("cancelled")
            raise

    app = create_app(Settings(secret_key="k"), store, background=background)
    with TestClient(app) as client:
        assert client.get("/").status_code == 200
        assert states == ["started"]
    assert states == ["started", "cancelled"]
