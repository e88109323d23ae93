"""Queries on feeds: subscribe, look up, list with counts, edit, remove."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tidings.model import Feed
from tidings.reading.limits import subscription_title
from tidings.store.database import read_transaction, write_transaction
from tidings.store.errors import Conflict, NotFound
from tidings.store.rows import FEED_COLUMNS, feed_from_row
from tidings.store.schema import entries, feed_categories, feeds

_UNCHANGED: object = object()


class FeedQueries:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(
        self,
        url: str,
        *,
        title: str | None = None,
        refresh_interval: int | None = None,
        now: datetime | None = None,
    ) -> Feed:
        """The new public feed, due for its first check at once; Conflict when the URL is taken.

        A URL only readers subscribed to so far (a private feed) is made public instead.
        """
        now = now or datetime.now(UTC)
        title = subscription_title(title)  # an OPML file's 100,000-character title was stored
        with write_transaction(self._engine) as conn:
            found = conn.execute(
                sa.select(feeds.c.id, feeds.c.is_public).where(feeds.c.url == url)
            ).first()
            if found is not None and found.is_public:
                raise Conflict(f"already subscribed to {url}")
            if found is not None:  # only readers followed it so far: the admin publishes it
                values: dict[str, object] = {"is_public": True}
                if title:
                    values["title"] = title
                if refresh_interval is not None:
                    values["refresh_interval"] = refresh_interval
                row = conn.execute(
                    sa.update(feeds)
                    .where(feeds.c.id == found.id)
                    .values(**values)
                    .returning(*FEED_COLUMNS)
                ).one()
                return feed_from_row(row)
            row = conn.execute(
                feeds.insert()
                .values(
                    url=url,
                    title=title or None,
                    refresh_interval=refresh_interval,
                    created_at=now,
                    next_check_at=now,
                )
                .returning(*FEED_COLUMNS)
            ).one()
        return feed_from_row(row)

    def get(self, feed_id: int) -> Feed:
        """The feed with this id; NotFound when there is none."""
        with read_transaction(self._engine) as conn:
            row = conn.execute(sa.select(*FEED_COLUMNS).where(feeds.c.id == feed_id)).first()
        if row is None:
            raise NotFound(f"no feed with id {feed_id}")
        return feed_from_row(row)

    def find_by_url(self, url: str) -> Feed | None:
        """The feed subscribed at exactly this URL, or None."""
        with read_transaction(self._engine) as conn:
            row = conn.execute(sa.select(*FEED_COLUMNS).where(feeds.c.url == url)).first()
        return feed_from_row(row) if row else None

    def all(
        self,
        *,
        category_id: int | None = None,
        include_private: bool = False,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Feed]:
        """Every public feed (or a category's), by title, each with its entry count: one query;
        `limit` of them from `offset` on (None: all).

        With `include_private`, the feeds only readers subscribe to are listed too. Each count
        is taken for a listed feed only (an index range), not by grouping every entry: a page of
        the sources counted all the entries of 50,000 feeds (0.9 s) to show 50.
        """
        count = (
            sa.select(sa.func.count())
            .where(entries.c.feed_id == feeds.c.id)
            .correlate(feeds)
            .scalar_subquery()
        )
        query = sa.select(*FEED_COLUMNS, count.label("entry_count")).order_by(
            sa.func.lower(sa.func.coalesce(feeds.c.title, feeds.c.feed_title, feeds.c.url)),
            feeds.c.id,
        )
        if not include_private:
            query = query.where(feeds.c.is_public == sa.true())
        if category_id is not None:
            query = query.join(feed_categories, feed_categories.c.feed_id == feeds.c.id).where(
                feed_categories.c.category_id == category_id
            )
        if limit is not None:
            query = query.limit(limit).offset(offset)
        with read_transaction(self._engine) as conn:
            rows = conn.execute(query).all()
        return [feed_from_row(row, entry_count=row.entry_count) for row in rows]

    def by_ids(self, feed_ids: Collection[int]) -> dict[int, Feed]:
        """The feeds with these ids (without entry counts), by id: one query for a listing."""
        if not feed_ids:
            return {}
        query = sa.select(*FEED_COLUMNS).where(feeds.c.id.in_(list(feed_ids)))
        with read_transaction(self._engine) as conn:
            return {row.id: feed_from_row(row) for row in conn.execute(query)}

    def count(self) -> int:
        with read_transaction(self._engine) as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(feeds)).scalar_one())

    def update(
        self,
        feed_id: int,
        *,
        url: str | object = _UNCHANGED,
        title: str | object | None = _UNCHANGED,
        refresh_interval: int | object | None = _UNCHANGED,
    ) -> Feed:
        """The feed after an admin's edit of the given fields; NotFound, or Conflict (URL taken)."""
        values: dict[str, object] = {}
        if url is not _UNCHANGED:
            values["url"] = url
        if title is not _UNCHANGED:
            values["title"] = subscription_title(title if isinstance(title, str) else None)
        if refresh_interval is not _UNCHANGED:
            values["refresh_interval"] = refresh_interval
        if not values:
            return self.get(feed_id)
        with write_transaction(self._engine) as conn:
            if "url" in values:
                taken = conn.execute(
                    sa.select(feeds.c.id).where(feeds.c.url == url, feeds.c.id != feed_id)
                ).first()
                if taken:
                    raise Conflict(f"another feed is already subscribed at {url}")
            row = conn.execute(
                sa.update(feeds)
                .where(feeds.c.id == feed_id)
                .values(**values)
                .returning(*FEED_COLUMNS)
            ).first()
        if row is None:
            raise NotFound(f"no feed with id {feed_id}")
        return feed_from_row(row)

    def remove(self, feed_id: int) -> None:
        """Delete the feed with its entries, categories links and log; NotFound when absent."""
        with write_transaction(self._engine) as conn:
            if conn.execute(sa.delete(feeds).where(feeds.c.id == feed_id)).rowcount == 0:
                raise NotFound(f"no feed with id {feed_id}")

    def schedule_now(self, feed_ids: list[int] | None = None, now: datetime | None = None) -> int:
        """Make feeds due at once (all when `feed_ids` is None); gives back how many."""
        now = now or datetime.now(UTC)
        query = sa.update(feeds).values(next_check_at=now).where(feeds.c.disabled_reason.is_(None))
        if feed_ids is not None:
            query = query.where(feeds.c.id.in_(feed_ids))
        with write_transaction(self._engine) as conn:
            return conn.execute(query).rowcount
