"""Queries on site icons: the images (shared by hash) and each feed's last look for one."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tidings.store.database import read_transaction, write_transaction
from tidings.store.reading.visibility import insert_for
from tidings.store.schema import feed_icons, feeds, icons


@dataclass(frozen=True, slots=True)
class StoredIcon:
    """An icon as served: its id, sniffed type, bytes and sha256 (hex, the ETag)."""

    id: int
    mime_type: str
    data: bytes
    hash: str


@dataclass(frozen=True, slots=True)
class IconDue:
    """A feed whose icon is to be looked for, and the site link to look at."""

    feed_id: int
    site_url: str


_ICON = (icons.c.id, icons.c.mime_type, icons.c.data, icons.c.hash)


class IconQueries:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def save(
        self,
        feed_id: int,
        site_url: str | None,
        icon: tuple[str, bytes] | None,
        now: datetime,
    ) -> int | None:
        """Record a look for the feed's icon at `site_url`: `icon` is (mime type, bytes) or None
        when nothing usable was found (the old icon is then kept). Gives the feed's icon id."""
        with write_transaction(self._engine) as conn:
            icon_id: int | None = None
            if icon is not None:
                mime, data = icon
                digest = hashlib.sha256(data).hexdigest()
                conn.execute(
                    insert_for(conn)(icons)
                    .values(hash=digest, mime_type=mime, data=data)
                    .on_conflict_do_nothing()
                )
                icon_id = conn.execute(
                    sa.select(icons.c.id).where(icons.c.hash == digest)
                ).scalar_one()
            insert = insert_for(conn)(feed_icons).values(
                feed_id=feed_id, icon_id=icon_id, site_url=site_url, checked_at=now
            )
            kept = sa.func.coalesce(insert.excluded.icon_id, feed_icons.c.icon_id)
            conn.execute(
                insert.on_conflict_do_update(
                    index_elements=["feed_id"],
                    set_={"icon_id": kept, "site_url": site_url, "checked_at": now},
                )
            )
            found = conn.execute(
                sa.select(feed_icons.c.icon_id).where(feed_icons.c.feed_id == feed_id)
            ).scalar_one()
            return int(found) if found is not None else None

    def get(self, icon_id: int) -> StoredIcon | None:
        """The icon with this id, or None."""
        with read_transaction(self._engine) as conn:
            row = conn.execute(sa.select(*_ICON).where(icons.c.id == icon_id)).one_or_none()
        return StoredIcon(**row._mapping) if row is not None else None

    def many(self, icon_ids: Iterable[int]) -> list[StoredIcon]:
        """The icons with these ids (unknown ids left out), by id."""
        ids = sorted(set(icon_ids))
        if not ids:
            return []
        query = sa.select(*_ICON).where(icons.c.id.in_(ids)).order_by(icons.c.id)
        with read_transaction(self._engine) as conn:
            return [StoredIcon(**row._mapping) for row in conn.execute(query)]

    def of_feed(self, feed_id: int) -> StoredIcon | None:
        """The feed's icon, or None when it has none (yet)."""
        query = (
            sa.select(*_ICON)
            .select_from(feed_icons.join(icons, icons.c.id == feed_icons.c.icon_id))
            .where(feed_icons.c.feed_id == feed_id)
        )
        with read_transaction(self._engine) as conn:
            row = conn.execute(query).one_or_none()
        return StoredIcon(**row._mapping) if row is not None else None

    def ids_of_feeds(self, feed_ids: Iterable[int] | None = None) -> dict[int, int]:
        """Icon id by feed id, for the given feeds (all when None) that have an icon."""
        query = sa.select(feed_icons.c.feed_id, feed_icons.c.icon_id).where(
            feed_icons.c.icon_id.is_not(None)
        )
        if feed_ids is not None:
            ids = sorted(set(feed_ids))
            if not ids:
                return {}
            query = query.where(feed_icons.c.feed_id.in_(ids))
        with read_transaction(self._engine) as conn:
            return {int(row.feed_id): int(row.icon_id) for row in conn.execute(query)}

    def due(self, now: datetime, max_age: timedelta, limit: int = 100) -> list[IconDue]:
        """Feeds with a site link whose icon was never looked for, was looked for longer than
        `max_age` ago, or for another site link; at most `limit`, never-looked first."""
        query = (
            sa.select(feeds.c.id, feeds.c.site_url)
            .select_from(feeds.outerjoin(feed_icons, feed_icons.c.feed_id == feeds.c.id))
            .where(
                feeds.c.site_url.is_not(None),
                sa.or_(
                    feed_icons.c.feed_id.is_(None),
                    feed_icons.c.checked_at < now - max_age,
                    feed_icons.c.site_url.is_(None),
                    feed_icons.c.site_url != feeds.c.site_url,
                ),
            )
            .order_by(feed_icons.c.checked_at.is_not(None), feed_icons.c.checked_at, feeds.c.id)
            .limit(limit)
        )
        with read_transaction(self._engine) as conn:
            return [IconDue(int(row.id), str(row.site_url)) for row in conn.execute(query)]
