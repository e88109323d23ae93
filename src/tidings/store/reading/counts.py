"""Unread and read counts per subscribed feed: two index counts per subscription."""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from tidings.reading_model import (
    UnreadCounts,
)
from tidings.store.database import read_transaction
from tidings.store.reading.visibility import (
    subscribed_feed_ids,
)
from tidings.store.schema import (
    entries,
    entry_states,
    subscription_categories,
    subscriptions,
    user_categories,
)


def unread_per_feed(
    conn: Connection, user_id: int, feed_ids: Collection[int] | None = None
) -> dict[int, int]:
    """The user's unread entries per subscribed feed, or per subscribed feed of `feed_ids`
    (zeros included)."""
    # Per subscription, two index counts (revision 0006): the feed's entries, on the
    # (feed_id, ...) index, less the user's read state rows of the feed, on the (user_id,
    # feed_id, read) index. The work follows the user's feeds and read rows, never the
    # table: grouping all entries of the subscribed feeds let PostgreSQL misjudge how many
    # those are and scan every entry. See docs/api.md, "PostgreSQL and unread".
    in_feed = (
        sa.select(sa.func.count())
        .where(entries.c.feed_id == subscriptions.c.feed_id)
        .scalar_subquery()
    )
    read_in_feed = (
        sa.select(sa.func.count())
        .where(
            entry_states.c.user_id == subscriptions.c.user_id,
            entry_states.c.feed_id == subscriptions.c.feed_id,
            entry_states.c.read,
        )
        .scalar_subquery()
    )
    query = sa.select(subscriptions.c.feed_id, in_feed - read_in_feed).where(
        subscriptions.c.user_id == user_id
    )
    if feed_ids is not None:
        query = query.where(subscriptions.c.feed_id.in_(list(feed_ids)))
    return {int(feed_id): int(n) for feed_id, n in conn.execute(query)}


class CountQueries:
    """A user's counts (mixed into ReadingQueries)."""

    _engine: Engine

    def unread_counts(self, user_id: int) -> UnreadCounts:
        """Unread entries in all, per subscribed feed and per own category (zeros included)."""
        with read_transaction(self._engine) as conn:
            by_feed = unread_per_feed(conn, user_id)
            category_ids = conn.execute(
                sa.select(user_categories.c.id).where(user_categories.c.user_id == user_id)
            ).scalars()
            links = conn.execute(
                sa.select(
                    subscription_categories.c.feed_id, subscription_categories.c.category_id
                ).where(subscription_categories.c.user_id == user_id)
            ).all()
            by_category = dict.fromkeys(category_ids, 0)
        for link in links:
            by_category[link.category_id] += by_feed.get(link.feed_id, 0)
        return UnreadCounts(total=sum(by_feed.values()), by_feed=by_feed, by_category=by_category)

    def read_counts(self, user_id: int) -> dict[int, int]:
        """Entries the user has read, per subscribed feed (feeds with none left out)."""
        query = (
            sa.select(entries.c.feed_id, sa.func.count().label("n"))
            .join(
                entry_states,
                sa.and_(
                    entry_states.c.entry_id == entries.c.id,
                    entry_states.c.user_id == user_id,
                    entry_states.c.read == sa.true(),
                ),
            )
            .where(entries.c.feed_id.in_(subscribed_feed_ids(user_id)))
            .group_by(entries.c.feed_id)
        )
        with read_transaction(self._engine) as conn:
            return {row.feed_id: int(row.n) for row in conn.execute(query)}
