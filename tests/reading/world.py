"""Helpers for the personal-reading tests: users, subscriptions and entries via the refresh path."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from tidings.model import EntryData, FeedUpdate
from tidings.store import Store
from tidings.store.updates import Retention

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def data(
    key: str,
    title: str = "",
    *,
    summary: str | None = None,
    content: str | None = None,
    days_ago: float | None = 1,
) -> EntryData:
    published = NOW - timedelta(days=days_ago) if days_ago is not None else None
    return EntryData(
        key=key,
        title=title or key,
        summary=summary,
        content=content,
        published_at=published,
        content_hash=f"{title}|{summary}|{content}",
    )


class World:
    """A store with two readers, Ann and Bob, and ways to fill their feeds."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.ann = store.users.add("ann", "x").id
        self.bob = store.users.add("bob", "x").id

    def feed(self, user_id: int, url: str, **kw: object) -> int:
        return self.store.reading.subscribe(user_id, url, now=NOW, **kw).feed_id  # type: ignore[arg-type]

    def refresh(
        self,
        feed_id: int,
        new: Iterable[EntryData] = (),
        changed: Iterable[EntryData] = (),
        now: datetime = NOW,
    ) -> list[int]:
        """Write a check of the feed as the refresher does; the ids of all its entries."""
        feed = dataclasses.replace(self.store.feeds.get(feed_id), checked_at=now)
        update = FeedUpdate(feed=feed, new_entries=tuple(new), changed_entries=tuple(changed))
        self.store.updates.apply(update, owner=None, now=now, retention=Retention())
        found = self.store.entries.newest(limit=1000, feed_id=feed_id, include_private=True)
        return sorted(e.id for e in found)
