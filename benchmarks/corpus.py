"""Generated entries for the web and API benchmarks, written the way the refresher writes them."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from tidings.model import EntryData, Feed, FeedUpdate
from tidings.store import Store
from tidings.store.updates import Retention

SUMMARY = "<p>" + " ".join(["Some words of a summary"] * 12) + "</p>"


def fill_feed(store: Store, feed: Feed, name: str, index: int, count: int, now: datetime) -> None:
    """Store `count` entries of feed number `index`, seven minutes apart, as one check of it."""
    host = f"{name.lower()}{index}.example"
    entries = tuple(
        EntryData(
            key=f"{index}-{e}",
            title=f"{name} {index} reports on matter number {e} of the day",
            link=f"https://{host}/{e}",
            author="A. Writer",
            summary=SUMMARY,
            published_at=now - timedelta(minutes=7 * e + index),
            content_hash=f"{index}-{e}",
        )
        for e in range(count)
    )
    checked = dataclasses.replace(
        feed,
        feed_title=f"{name} {index}",
        description=f"The news of {name.lower()} {index}",
        checked_at=now,
        next_check_at=now + timedelta(hours=1),
    )
    store.updates.apply(
        FeedUpdate(feed=checked, new_entries=entries), owner=None, now=now, retention=Retention()
    )
