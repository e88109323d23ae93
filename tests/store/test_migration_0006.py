"""Migration 0006 on both databases: each read state row names its entry's feed."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from support.migrations import add_old_feed, migrate_to
from tidings.store import Store

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def columns(store: Store) -> set[str]:
    return {column["name"] for column in sa.inspect(store.engine).get_columns("entry_states")}


def test_0006_copies_each_entry_s_feed_and_downgrades(store: Store) -> None:
    migrate_to(store, "0005", down=True)
    assert "feed_id" not in columns(store)
    ann = store.users.add("ann", "x").id
    bob = store.users.add("bob", "x").id
    feeds = [add_old_feed(store, f"https://e.org/{n}", NOW) for n in range(2)]
    with store.engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO subscriptions (user_id, feed_id, created_at) VALUES (:u, :f, :t)"),
            [{"u": user, "f": feed, "t": NOW} for user in (ann, bob) for feed in feeds],
        )
        conn.execute(
            sa.text(
                "INSERT INTO entries (feed_id, key, title, first_seen_at, sort_at, content_hash,"
                " categories, enclosures) VALUES (:f, :k, :k, :t, :t, :k, '[]', '[]')"
            ),
            [{"f": feed, "k": f"{feed}-{n}", "t": NOW} for feed in feeds for n in range(3)],
        )
        ids = {
            key: (entry_id, feed)
            for entry_id, feed, key in conn.execute(sa.text("SELECT id, feed_id, key FROM entries"))
        }
        # Ann read two entries of the first feed and one of the second, starred one unread;
        # Bob read one of the first feed.
        states = [
            (ann, f"{feeds[0]}-0", True, False),
            (ann, f"{feeds[0]}-1", True, True),
            (ann, f"{feeds[1]}-2", True, False),
            (ann, f"{feeds[1]}-0", False, True),
            (bob, f"{feeds[0]}-2", True, False),
        ]
        conn.execute(
            sa.text(
                "INSERT INTO entry_states (user_id, entry_id, read, starred)"
                " VALUES (:u, :e, :r, :s)"
            ),
            [{"u": u, "e": ids[key][0], "r": r, "s": s} for u, key, r, s in states],
        )

    migrate_to(store, "0006")
    with store.engine.connect() as conn:
        copied = dict(conn.execute(sa.text("SELECT entry_id, feed_id FROM entry_states")).all())
    assert copied == {ids[key][0]: ids[key][1] for _, key, _, _ in states}
    assert store.reading.unread_counts(ann).by_feed == {feeds[0]: 1, feeds[1]: 2}
    assert store.reading.unread_counts(bob).by_feed == {feeds[0]: 2, feeds[1]: 3}
    # Marking read after the migration writes the feed too, and the counts follow.
    store.reading.mark_read(ann, [ids[f"{feeds[1]}-0"][0]])
    assert store.reading.unread_counts(ann).by_feed == {feeds[0]: 1, feeds[1]: 1}

    migrate_to(store, "0005", down=True)
    assert "feed_id" not in columns(store)
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM entry_states")).scalar_one() == 5
    migrate_to(store, "0006")
    assert store.reading.unread_counts(ann).by_feed == {feeds[0]: 1, feeds[1]: 1}
    store.migrate()  # back to the head: the next test shares this PostgreSQL schema
