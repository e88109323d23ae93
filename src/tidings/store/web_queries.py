"""NEW queries the web needs (proposed for folding into store/feeds.py and store/entries.py).

Kept in one separate file so that the store's owner can move each method where it belongs.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tidings.model import Feed
from tidings.store.database import read_transaction, write_transaction
from tidings.store.errors import NotFound
from tidings.store.rows import FEED_COLUMNS, feed_from_row
from tidings.store.schema import categories, entries, feed_categories, feeds


class WebQueries:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def data_version(self) -> tuple[object, ...]:
        """A value that changes whenever what the public pages show may have changed.

        Every write of the refresher sets a feed's `checked_at` to "now", so the newest check
        time moves with each applied check (new, changed or removed entries). New entries also
        move the largest entry id; subscriptions, removals and category changes move the counts.
        Each part is an index lookup or a count over a small table: cheap enough per request.
        """
        query = sa.select(
            sa.select(sa.func.max(entries.c.id)).scalar_subquery(),
            sa.select(sa.func.max(feeds.c.checked_at)).scalar_subquery(),
            sa.select(sa.func.count()).select_from(feeds).scalar_subquery(),
            sa.select(sa.func.max(feeds.c.id)).scalar_subquery(),
            sa.select(sa.func.count()).select_from(categories).scalar_subquery(),
            sa.select(sa.func.count()).select_from(feed_categories).scalar_subquery(),
        )
        with read_transaction(self._engine) as conn:
            return tuple(conn.execute(query).one())

    def feeds_by_id(self, feed_ids: Collection[int]) -> dict[int, Feed]:
        """The feeds with these ids (without entry counts), by id: one query for a listing."""
        if not feed_ids:
            return {}
        query = sa.select(*FEED_COLUMNS).where(feeds.c.id.in_(list(feed_ids)))
        with read_transaction(self._engine) as conn:
            return {row.id: feed_from_row(row) for row in conn.execute(query)}

    def delete_entries(self, feed_id: int) -> int:
        """Delete every entry of a feed (Drupal's "Delete items"); gives back how many."""
        with write_transaction(self._engine) as conn:
            if not conn.execute(sa.select(feeds.c.id).where(feeds.c.id == feed_id)).first():
                raise NotFound(f"no feed with id {feed_id}")
            # The stored validators go too, so that the next check downloads the items again.
            conn.execute(
                sa.update(feeds)
                .where(feeds.c.id == feed_id)
                .values(etag=None, last_modified=None, body_hash=None)
            )
            return conn.execute(sa.delete(entries).where(entries.c.feed_id == feed_id)).rowcount

    def entry_times(self, feed_id: int, since: datetime) -> list[datetime]:
        """The sort times of a feed's entries since `since` (for a chart of entries per day)."""
        query = sa.select(entries.c.sort_at).where(
            entries.c.feed_id == feed_id, entries.c.sort_at >= since
        )
        with read_transaction(self._engine) as conn:
            return list(conn.execute(query).scalars())
