"""The refresher's queries: claim due feeds with leases, read stored hashes, write one check.

Claims work the same on both databases: on PostgreSQL, `FOR UPDATE SKIP LOCKED` lets several
workers claim at once without waiting on each other; on SQLite the write transaction (BEGIN
IMMEDIATE) already serialises claimers. A lease that expires (its worker died) makes the feed
claimable again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from tidings.model import EntryData, Feed, FeedUpdate, FetchLogRecord
from tidings.store.database import read_transaction, write_transaction
from tidings.store.rows import FEED_COLUMNS, feed_from_row, fetch_log_from_row
from tidings.store.schema import entries, entry_states, feeds, fetch_log

# The columns a check of a feed may write; the admin's (title, refresh interval) are not here.
_REFRESHER_COLUMNS = (
    "feed_title",
    "site_url",
    "description",
    "image_url",
    "etag",
    "last_modified",
    "body_hash",
    "checked_at",
    "next_check_at",
    "error_count",
    "last_error",
    "first_error_at",
    "disabled_reason",
)


@dataclasses.dataclass(frozen=True, slots=True)
class Retention:
    """What to remove after a check: entries older than `discard_before`, beyond `max_entries`."""

    discard_before: datetime | None = None
    max_entries: int = 0  # 0: no limit
    log_size: int = 50


def _entry_values(data: EntryData) -> dict[str, Any]:
    values = dataclasses.asdict(data)
    values["categories"] = list(data.categories)
    values["enclosures"] = [dataclasses.asdict(e) for e in data.enclosures]
    return values


class UpdateQueries:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def claim_due(
        self,
        owner: str,
        now: datetime,
        limit: int,
        lease_seconds: int,
        feed_ids: Collection[int] | None = None,
    ) -> list[Feed]:
        """Up to `limit` due feeds (of `feed_ids` if given), earliest first, leased to `owner`."""
        due = (
            sa.select(feeds.c.id)
            .where(
                feeds.c.disabled_reason.is_(None),
                feeds.c.next_check_at <= now,
                sa.or_(feeds.c.lease_until.is_(None), feeds.c.lease_until < now),
            )
            .order_by(feeds.c.next_check_at, feeds.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        if feed_ids is not None:
            due = due.where(feeds.c.id.in_(list(feed_ids)))
        with write_transaction(self._engine) as conn:
            ids = list(conn.execute(due).scalars())
            if not ids:
                return []
            rows = conn.execute(
                sa.update(feeds)
                .where(feeds.c.id.in_(ids))
                .values(lease_owner=owner, lease_until=now + timedelta(seconds=lease_seconds))
                .returning(*FEED_COLUMNS)
            ).all()
        claimed = [feed_from_row(row) for row in rows]
        return sorted(claimed, key=lambda f: ids.index(f.id))

    def count_due(self, now: datetime, feed_ids: Collection[int] | None = None) -> int:
        """How many feeds are due and unclaimed (of `feed_ids` if given)."""
        query = sa.select(sa.func.count()).where(
            feeds.c.disabled_reason.is_(None),
            feeds.c.next_check_at <= now,
            sa.or_(feeds.c.lease_until.is_(None), feeds.c.lease_until < now),
        )
        if feed_ids is not None:
            query = query.where(feeds.c.id.in_(list(feed_ids)))
        with read_transaction(self._engine) as conn:
            return int(conn.execute(query).scalar_one())

    def release(self, owner: str) -> int:
        """Give back every lease `owner` holds (a worker stopping cleanly); gives back how many."""
        with write_transaction(self._engine) as conn:
            return conn.execute(
                sa.update(feeds)
                .where(feeds.c.lease_owner == owner)
                .values(lease_owner=None, lease_until=None)
            ).rowcount

    def stored_hashes(self, feed_id: int, keys: Collection[str]) -> dict[str, str]:
        """The content hash of each stored entry of the feed whose key is in `keys`."""
        if not keys:
            return {}
        query = sa.select(entries.c.key, entries.c.content_hash).where(
            entries.c.feed_id == feed_id, entries.c.key.in_(list(keys))
        )
        with read_transaction(self._engine) as conn:
            return {row.key: row.content_hash for row in conn.execute(query)}

    def apply(
        self, update: FeedUpdate, *, owner: str | None, now: datetime, retention: Retention
    ) -> int:
        """Write one check of one feed in one transaction; gives back how many entries were new.

        A feed whose lease was taken over by another worker meanwhile is left alone (0).
        """
        feed = update.feed
        with write_transaction(self._engine) as conn:
            lease_query = sa.select(feeds.c.lease_owner).where(feeds.c.id == feed.id)
            current = conn.execute(lease_query).first()
            if current is None or (owner is not None and current.lease_owner != owner):
                return 0
            self._write_feed(conn, feed)
            new = self._insert_entries(conn, feed.id, update.new_entries, now)
            self._update_entries(conn, feed.id, update.changed_entries)
            self._apply_retention(conn, feed.id, update.seen_keys, retention)
            if update.log is not None:
                self._append_log(conn, update.log, retention.log_size)
        return new

    def _write_feed(self, conn: Connection, feed: Feed) -> None:
        values: dict[str, Any] = {name: getattr(feed, name) for name in _REFRESHER_COLUMNS}
        values.update(lease_owner=None, lease_until=None)
        url_taken = conn.execute(
            sa.select(feeds.c.id).where(feeds.c.url == feed.url, feeds.c.id != feed.id)
        ).first()
        if not url_taken:  # a permanent redirect onto a feed we already have keeps the old URL
            values["url"] = feed.url
        conn.execute(sa.update(feeds).where(feeds.c.id == feed.id).values(**values))

    def _insert_entries(
        self, conn: Connection, feed_id: int, new: Iterable[EntryData], now: datetime
    ) -> int:
        rows = [
            {
                **_entry_values(data),
                "feed_id": feed_id,
                "first_seen_at": now,
                "sort_at": data.published_at or now,
            }
            for data in new
        ]
        if not rows:
            return 0
        # A key stored meanwhile (two checks racing after a lease expired) is skipped, not doubled.
        stored = set(self.stored_hashes_in(conn, feed_id, [r["key"] for r in rows]))
        rows = [r for r in rows if r["key"] not in stored]
        if rows:
            conn.execute(entries.insert(), rows)
        return len(rows)

    @staticmethod
    def stored_hashes_in(conn: Connection, feed_id: int, keys: list[str]) -> dict[str, str]:
        query = sa.select(entries.c.key, entries.c.content_hash).where(
            entries.c.feed_id == feed_id, entries.c.key.in_(keys)
        )
        return {row.key: row.content_hash for row in conn.execute(query)}

    def _update_entries(self, conn: Connection, feed_id: int, changed: Iterable[EntryData]) -> None:
        rows = [{**_entry_values(data), "b_key": data.key} for data in changed]
        if not rows:
            return
        for row in rows:
            row.pop("key")
        # Read and star state live in entry_states, keyed by entry id, so they survive this.
        values: dict[str, Any] = {name: sa.bindparam(name) for name in rows[0] if name != "b_key"}
        values["sort_at"] = sa.func.coalesce(sa.bindparam("published_at"), entries.c.first_seen_at)
        conn.execute(
            sa.update(entries)
            .where(entries.c.feed_id == feed_id, entries.c.key == sa.bindparam("b_key"))
            .values(**values),
            rows,
        )

    def _apply_retention(
        self, conn: Connection, feed_id: int, seen_keys: Collection[str], retention: Retention
    ) -> None:
        starred = sa.exists().where(entry_states.c.entry_id == entries.c.id, entry_states.c.starred)
        # Never remove a starred entry, nor one still in the document (it would come back as new).
        removable = [entries.c.feed_id == feed_id, ~starred]
        if seen_keys:
            removable.append(entries.c.key.not_in(list(seen_keys)))
        if retention.discard_before is not None:
            conn.execute(
                sa.delete(entries).where(*removable, entries.c.sort_at < retention.discard_before)
            )
        if retention.max_entries > 0:
            keep = (
                sa.select(entries.c.id)
                .where(entries.c.feed_id == feed_id)
                .order_by(entries.c.sort_at.desc(), entries.c.id.desc())
                .limit(retention.max_entries)
            )
            conn.execute(sa.delete(entries).where(*removable, entries.c.id.not_in(keep)))

    def _append_log(self, conn: Connection, log: FetchLogRecord, size: int) -> None:
        conn.execute(fetch_log.insert().values(**dataclasses.asdict(log)))
        keep = (
            sa.select(fetch_log.c.id)
            .where(fetch_log.c.feed_id == log.feed_id)
            .order_by(fetch_log.c.at.desc(), fetch_log.c.id.desc())
            .limit(max(size, 1))
        )
        conn.execute(
            sa.delete(fetch_log).where(
                fetch_log.c.feed_id == log.feed_id, fetch_log.c.id.not_in(keep)
            )
        )

    def log(self, feed_id: int, limit: int = 50) -> list[FetchLogRecord]:
        """The feed's fetch log, newest first."""
        query = (
            sa.select(fetch_log)
            .where(fetch_log.c.feed_id == feed_id)
            .order_by(fetch_log.c.at.desc(), fetch_log.c.id.desc())
            .limit(limit)
        )
        with read_transaction(self._engine) as conn:
            return [fetch_log_from_row(row) for row in conn.execute(query)]
