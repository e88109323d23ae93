"""Where each user stopped playing an entry's enclosures (Miniflux's `media_progression`).

An enclosure is named by its entry and its place in the entry's list (`position`): enclosures
live in the entry's JSON column. Only entries of the user's feeds are written or read.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tidings.store.database import read_transaction, write_transaction
from tidings.store.reading.visibility import insert_for, subscribed_feed_ids
from tidings.store.schema import entries, media_progressions


class MediaProgressionQueries:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def of_entries(self, user_id: int, entry_ids: Collection[int]) -> dict[int, dict[int, int]]:
        """The user's saved seconds by entry id, then by enclosure position (none: absent)."""
        if not entry_ids:
            return {}
        query = sa.select(
            media_progressions.c.entry_id,
            media_progressions.c.position,
            media_progressions.c.seconds,
        ).where(
            media_progressions.c.user_id == user_id,
            media_progressions.c.entry_id.in_(list(entry_ids)),
        )
        found: dict[int, dict[int, int]] = {}
        with read_transaction(self._engine) as conn:
            for entry_id, position, seconds in conn.execute(query):
                found.setdefault(entry_id, {})[position] = seconds
        return found

    def save(self, user_id: int, entry_id: int, position: int, seconds: int, now: datetime) -> bool:
        """Store the user's place in one enclosure; False (nothing written) when the entry is not
        of a feed they subscribe to. The check and the write are one statement, so an entry
        removed meanwhile is a False, never a foreign-key error."""
        visible = sa.select(
            sa.literal(user_id, sa.BigInteger),
            entries.c.id,
            sa.literal(position, sa.Integer),
            sa.literal(seconds, sa.Integer),
            sa.literal(now, media_progressions.c.updated_at.type),
        ).where(entries.c.id == entry_id, entries.c.feed_id.in_(subscribed_feed_ids(user_id)))
        with write_transaction(self._engine) as conn:
            insert = insert_for(conn)(media_progressions).from_select(
                ["user_id", "entry_id", "position", "seconds", "updated_at"], visible
            )
            statement = insert.on_conflict_do_update(
                index_elements=["user_id", "entry_id", "position"],
                set_={"seconds": insert.excluded.seconds, "updated_at": insert.excluded.updated_at},
            ).returning(media_progressions.c.entry_id)
            # RETURNING, not rowcount: PostgreSQL reported 0 rows here for a row it wrote.
            return conn.execute(statement).first() is not None
