"""Read and starred state: marking entries, and whole feeds, categories or everything, read."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tidings.store.database import read_transaction, write_transaction
from tidings.store.errors import NotFound
from tidings.store.reading.visibility import (
    category_feed_ids,
    insert_for,
    subscribed_feed_ids,
)
from tidings.store.schema import (
    UTCDateTime,
    entries,
    entry_states,
    subscriptions,
    user_categories,
)


class StateQueries:
    """A user's read and starred marks (mixed into ReadingQueries)."""

    _engine: Engine

    def mark_read(
        self, user_id: int, entry_ids: Collection[int], *, now: datetime | None = None
    ) -> int:
        """Mark these entries read (those of the user's feeds); gives back how many changed."""
        if not entry_ids:
            return 0
        where = entries.c.id.in_(list(entry_ids))
        return self._set_flag(user_id, "read", where, now or datetime.now(UTC))

    def star(self, user_id: int, entry_ids: Collection[int], *, now: datetime | None = None) -> int:
        """Star these entries (those of the user's feeds); gives back how many changed."""
        if not entry_ids:
            return 0
        where = entries.c.id.in_(list(entry_ids))
        return self._set_flag(user_id, "starred", where, now or datetime.now(UTC))

    def mark_unread(self, user_id: int, entry_ids: Collection[int]) -> int:
        """Mark these entries unread again; gives back how many changed."""
        return self._clear_flag(user_id, "read", entry_ids)

    def unstar(self, user_id: int, entry_ids: Collection[int]) -> int:
        """Take the star off these entries; gives back how many changed."""
        return self._clear_flag(user_id, "starred", entry_ids)

    def mark_feed_read(
        self,
        user_id: int,
        feed_id: int,
        *,
        as_of: datetime,
        max_entry_id: int | None = None,
        now: datetime | None = None,
    ) -> int:
        """Mark the feed's entries first seen up to `as_of` (and with ids up to `max_entry_id`,
        if given) read; NotFound unless the user subscribes to it. Gives back how many changed."""
        with read_transaction(self._engine) as conn:
            mine = conn.execute(
                subscribed_feed_ids(user_id).where(subscriptions.c.feed_id == feed_id)
            ).first()
        if mine is None:
            raise NotFound(f"no subscription to feed {feed_id}")
        where = sa.and_(entries.c.feed_id == feed_id, *_up_to(as_of, max_entry_id))
        return self._set_flag(user_id, "read", where, now or datetime.now(UTC))

    def mark_category_read(
        self,
        user_id: int,
        category_id: int,
        *,
        as_of: datetime,
        max_entry_id: int | None = None,
        now: datetime | None = None,
    ) -> int:
        """Like mark_feed_read, for the feeds in one of the user's categories."""
        with read_transaction(self._engine) as conn:
            mine = conn.execute(
                sa.select(user_categories.c.id).where(
                    user_categories.c.id == category_id, user_categories.c.user_id == user_id
                )
            ).first()
        if mine is None:
            raise NotFound(f"no category with id {category_id}")
        where = sa.and_(
            entries.c.feed_id.in_(category_feed_ids(user_id, category_id)),
            *_up_to(as_of, max_entry_id),
        )
        return self._set_flag(user_id, "read", where, now or datetime.now(UTC))

    def mark_all_read(
        self,
        user_id: int,
        *,
        as_of: datetime,
        max_entry_id: int | None = None,
        now: datetime | None = None,
    ) -> int:
        """Like mark_feed_read, for every feed the user subscribes to."""
        where = sa.and_(*_up_to(as_of, max_entry_id))
        return self._set_flag(user_id, "read", where, now or datetime.now(UTC))

    def _set_flag(
        self, user_id: int, flag: str, where: sa.ColumnElement[bool], now: datetime
    ) -> int:
        """Set `flag` (read or starred) on the user's entries matching `where`: one upsert of
        the state rows, over entries of the user's subscribed feeds only."""
        stamp = f"{flag}_at"
        already = sa.exists().where(
            entry_states.c.user_id == user_id,
            entry_states.c.entry_id == entries.c.id,
            entry_states.c[flag] == sa.true(),
        )
        source = sa.select(
            sa.literal(user_id, sa.BigInteger).label("user_id"),
            entries.c.id,
            entries.c.feed_id,
            sa.true().label(flag),
            sa.literal(now, UTCDateTime()).label(stamp),
        ).where(where, entries.c.feed_id.in_(subscribed_feed_ids(user_id)), ~already)
        with write_transaction(self._engine) as conn:
            insert = insert_for(conn)(entry_states).from_select(
                ["user_id", "entry_id", "feed_id", flag, stamp], source
            )
            upsert = insert.on_conflict_do_update(
                index_elements=["user_id", "entry_id"],
                set_={flag: sa.true(), stamp: insert.excluded[stamp]},
            ).returning(entry_states.c.entry_id)
            # Counted from RETURNING: rowcount of INSERT ... SELECT is -1 under psycopg.
            return len(conn.execute(upsert).all())

    def _clear_flag(self, user_id: int, flag: str, entry_ids: Collection[int]) -> int:
        if not entry_ids:
            return 0
        visible = sa.select(entries.c.id).where(
            entries.c.id.in_(list(entry_ids)),
            entries.c.feed_id.in_(subscribed_feed_ids(user_id)),
        )
        query = (
            sa.update(entry_states)
            .where(
                entry_states.c.user_id == user_id,
                entry_states.c.entry_id.in_(visible),
                entry_states.c[flag] == sa.true(),
            )
            .values({flag: False, f"{flag}_at": None})
        )
        with write_transaction(self._engine) as conn:
            return int(conn.execute(query).rowcount)


def _up_to(as_of: datetime, max_entry_id: int | None) -> list[sa.ColumnElement[bool]]:
    conditions = [entries.c.first_seen_at <= as_of]
    if max_entry_id is not None:
        conditions.append(entries.c.id <= max_entry_id)
    return conditions
