"""Queries on entries: the newest across all feeds, in one feed or one category."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tidings.model import Entry
from tidings.plaintext import html_text
from tidings.store.database import read_transaction, write_transaction
from tidings.store.errors import NotFound
from tidings.store.rows import entry_from_row
from tidings.store.schema import ARTICLE_TEXT_COLUMN, entries, feed_categories, feeds

S = TypeVar("S", bound=sa.Select[Any])

# The article's text column is left out of the metadata (schema.py says why): named here to write
# it in the same UPDATE as the HTML, so SQLite's index trigger sees both at once.
_SET_ARTICLE = sa.text(
    f"UPDATE entries SET full_content = :full_content, {ARTICLE_TEXT_COLUMN} = :full_text "
    "WHERE id = :entry_id"
)


class EntryQueries:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @staticmethod
    def _filtered(query: S, feed_id: int | None, category_id: int | None) -> S:
        if feed_id is not None:
            query = query.where(entries.c.feed_id == feed_id)
        if category_id is not None:
            query = query.where(
                entries.c.feed_id.in_(
                    sa.select(feed_categories.c.feed_id).where(
                        feed_categories.c.category_id == category_id
                    )
                )
            )
        return query

    def newest(
        self,
        *,
        limit: int = 20,
        offset: int = 0,
        feed_id: int | None = None,
        category_id: int | None = None,
        include_private: bool = False,
    ) -> list[Entry]:
        """Entries newest first (by date, else first seen), of one feed or category if given.

        Only published entries (of public feeds, not withheld by a site rule), unless
        `include_private`.
        """
        query = self._filtered(sa.select(entries), feed_id, category_id)
        if not include_private:
            query = query.where(
                entries.c.feed_id.in_(sa.select(feeds.c.id).where(feeds.c.is_public == sa.true())),
                entries.c.withheld == sa.false(),
            )
        query = query.order_by(entries.c.sort_at.desc(), entries.c.id.desc())
        with read_transaction(self._engine) as conn:
            rows = conn.execute(query.limit(limit).offset(offset)).all()
        return [entry_from_row(row) for row in rows]

    def newest_per_feed(self, feed_ids: Collection[int], per_feed: int) -> dict[int, list[Entry]]:
        """The newest `per_feed` published entries (not withheld by a site rule) of each feed, by
        feed id: one query for a listing."""
        if not feed_ids or per_feed <= 0:
            return {}
        rank = (
            sa.func.row_number()
            .over(
                partition_by=entries.c.feed_id,
                order_by=(entries.c.sort_at.desc(), entries.c.id.desc()),
            )
            .label("rank")
        )
        ranked = (
            sa.select(entries, rank)
            .where(entries.c.feed_id.in_(feed_ids), entries.c.withheld == sa.false())
            .subquery()
        )
        query = (
            sa.select(*(ranked.c[c.name] for c in entries.c))
            .where(ranked.c.rank <= per_feed)
            .order_by(ranked.c.feed_id, ranked.c.rank)
        )
        result: dict[int, list[Entry]] = {}
        with read_transaction(self._engine) as conn:
            for row in conn.execute(query):
                entry = entry_from_row(row)
                result.setdefault(entry.feed_id, []).append(entry)
        return result

    def count(self, *, feed_id: int | None = None, category_id: int | None = None) -> int:
        """How many entries there are, optionally of one feed or category."""
        query = self._filtered(
            sa.select(sa.func.count()).select_from(entries), feed_id, category_id
        )
        with read_transaction(self._engine) as conn:
            return int(conn.execute(query).scalar_one())

    def get(self, entry_id: int) -> Entry:
        """The entry with this id; NotFound when there is none."""
        with read_transaction(self._engine) as conn:
            row = conn.execute(sa.select(entries).where(entries.c.id == entry_id)).first()
        if row is None:
            raise NotFound(f"no entry with id {entry_id}")
        return entry_from_row(row)

    def set_full_content(self, entry_id: int, full_content: str | None) -> None:
        """Store (or, with None, forget) the entry's full article; NotFound when no such entry.

        Only the article (and its text, for search) is written: the feed's own summary and
        content stay as they are."""
        with write_transaction(self._engine) as conn:
            done = conn.execute(
                _SET_ARTICLE,
                {
                    "entry_id": entry_id,
                    "full_content": full_content,
                    "full_text": None if full_content is None else html_text(full_content),
                },
            )
        if done.rowcount == 0:
            raise NotFound(f"no entry with id {entry_id}")

    def delete_for_feed(self, feed_id: int) -> int:
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

    def sort_times(self, feed_id: int, since: datetime) -> list[datetime]:
        """The sort times of a feed's entries since `since` (for a chart of entries per day)."""
        query = sa.select(entries.c.sort_at).where(
            entries.c.feed_id == feed_id, entries.c.sort_at >= since
        )
        with read_transaction(self._engine) as conn:
            return list(conn.execute(query).scalars())
