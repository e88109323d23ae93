"""Writing a feed's entries the way the refresher does: one check through store.updates.apply."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from tidings.model import EntryData, FeedUpdate, FetchLogRecord
from tidings.store import Store
from tidings.store.updates import Retention


def apply_check(
    store: Store,
    feed_id: int,
    items: tuple[EntryData, ...],
    *,
    now: datetime,
    fetched: tuple[int, int] | None = (42, 1234),
    **feed_values: object,
) -> None:
    """Write one check of a feed at `now`: `items` new (their keys in the document), the feed's
    record with `feed_values` replaced (checked_at: a minute before `now` and next_check_at: an
    hour after it unless given), and a line in its fetch log of `fetched` (milliseconds, bytes;
    None: no line)."""
    values = {
        "checked_at": now - timedelta(minutes=1),
        "next_check_at": now + timedelta(hours=1),
        **feed_values,
    }
    feed = dataclasses.replace(store.feeds.get(feed_id), **values)  # type: ignore[arg-type]
    log = None
    if fetched is not None:
        log = FetchLogRecord(feed_id, now, 200, *fetched, new_count=len(items))
    update = FeedUpdate(
        feed=feed, new_entries=items, seen_keys=tuple(i.key for i in items), log=log
    )
    store.updates.apply(update, owner=None, now=now, retention=Retention())
