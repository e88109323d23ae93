"""Personal reading: a user's subscriptions, categories, entry listings and read/starred state.

Every query takes the user's id and reaches only that user's rows: entries are visible to a user
through their `subscriptions` (a join in the query itself, never a check beforehand), categories
and state rows carry the user's id. A feed URL is one `feeds` row however many users subscribe:
it is fetched once. A feed created by a reader's subscription is private (`is_public` false):
the public site never shows it.

State: an entry without an `entry_states` row for the user is unread and not starred. Marking a
whole feed, category or everything read sweeps only entries first seen up to `as_of` (the time
the user saw the list), so entries that arrived meanwhile stay unread.

One module per domain, one query class each, joined here into `ReadingQueries` (`store.reading`):
- visibility.py     what a user may see, as SQL (joins, read/unread/starred conditions)
- subscriptions.py  subscribe, unsubscribe, update, list (and the sidebar)
- categories.py     the user's categories
- counts.py         unread and read counts
- listing.py        entry lists: the EntryFilter compiled to SQL, pages, counts, ids
- state.py          read and starred marks
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from tidings.store.reading.categories import UserCategoryQueries
from tidings.store.reading.counts import CountQueries
from tidings.store.reading.listing import EntryListQueries
from tidings.store.reading.state import StateQueries
from tidings.store.reading.subscriptions import (
    SubscriptionQueries,
    delete_orphaned_private_feeds,
)

__all__ = ["ReadingQueries", "delete_orphaned_private_feeds"]


class ReadingQueries(
    SubscriptionQueries, UserCategoryQueries, CountQueries, EntryListQueries, StateQueries
):
    """Every personal reading query of a store (`store.reading`)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
