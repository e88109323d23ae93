"""Migration 0016 on both databases: stored entry keys past the bound take the parser's form."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import sqlalchemy as sa

from support.migrations import add_old_feed, migrate_to
from tidings.parse.entries import MAX_KEY_BYTES, bounded_key
from tidings.store import Store

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def test_0016_gives_long_keys_the_parser_s_form(store: Store) -> None:
    migrate_to(store, "0015", down=True)
    feeds = [add_old_feed(store, f"https://e.org/{n}", NOW) for n in range(2)]
    # Random hex: PostgreSQL could store these (under its index limit), SQLite any length.
    long_ascii = secrets.token_hex(MAX_KEY_BYTES // 2 + 100)
    keys = {
        "short": "g1",
        "at the bound": "b" * MAX_KEY_BYTES,
        "many characters, few bytes": "é" * (MAX_KEY_BYTES // 2),
        "past the bound": long_ascii,
        "past the bound in bytes only": "é" * (MAX_KEY_BYTES // 2 + 1),
    }
    with store.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO entries (feed_id, key, title, first_seen_at, sort_at, content_hash,"
                " categories, enclosures) VALUES (:f, :k, 't', :t, :t, 'h', '[]', '[]')"
            ),
            [{"f": feed, "k": key, "t": NOW} for feed in feeds for key in keys.values()],
        )
        before = dict(conn.execute(sa.text("SELECT id, key FROM entries")).all())

    migrate_to(store, "0016")

    with store.engine.connect() as conn:
        after = dict(conn.execute(sa.text("SELECT id, key FROM entries")).all())
    assert after.keys() == before.keys()
    assert after == {entry_id: bounded_key(key) for entry_id, key in before.items()}
    changed = {before[i] for i in after if after[i] != before[i]}
    assert changed == {long_ascii, keys["past the bound in bytes only"]}
    assert all(after[i].startswith("sha256:") for i in after if after[i] != before[i])
