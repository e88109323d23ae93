"""Listing a user's entries with their state: pages in time or id order, counts, ids.

Every list takes an EntryFilter (tidings.reading.filters), made SQL by `filter_conditions`
alone: a search is one more condition of the same query, so counts and pages agree.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from tidings.reading.filters import EntryFilter
from tidings.reading_model import (
    Cursor,
    Order,
    Status,
    UserEntry,
)

# The module, not its function: search.py imports reading.visibility, which loads this package,
# so importing search first (as `tidings.store` no longer does for it) meets this file while
# search is half-initialized. The name is looked up when a list is built.
from tidings.store import search
from tidings.store.database import plan_for_values, read_transaction
from tidings.store.errors import NotFound
from tidings.store.reading.visibility import (
    MAX_LIMIT,
    STATE_COLUMNS,
    category_feed_ids,
    entries_with_state,
    is_read,
    is_starred,
    not_hidden,
    subscribed_feed_ids,
    unread_in,
    user_entries_from,
    user_entry_from_row,
)
from tidings.store.schema import entries, subscriptions


class EntryListQueries:
    """A user's entry lists (mixed into ReadingQueries).

    Each takes an EntryFilter (`where`); the keyword arguments are a shorthand for one, given
    when `where` is not (`entries(uid, status="all")` is `entries(uid, EntryFilter("all"))`).
    """

    _engine: Engine

    @contextmanager
    def _read(self, where: EntryFilter) -> Iterator[Connection]:
        """A read transaction for a list with `where`: one with a search is planned for its
        words (database.plan_for_values)."""
        with read_transaction(self._engine) as conn:
            if where.search is not None:
                plan_for_values(conn)
            yield conn

    def entries(
        self,
        user_id: int,
        where: EntryFilter | None = None,
        *,
        status: Status = "unread",
        starred: bool | None = None,
        feed_id: int | None = None,
        category_id: int | None = None,
        label: str | None = None,
        before: Cursor | None = None,
        after: Cursor | None = None,
        limit: int = 50,
        offset: int = 0,
        order: Order = "newest",
    ) -> list[UserEntry]:
        """The user's entries passing `where` with their state, `order` newest or oldest first
        (sort time, then id); of subscribed feeds only (another's feed or category gives none)."""
        if where is None:
            where = EntryFilter(
                status, starred, feed_id, category_id, before=before, after=after, label=label
            )
        if order not in ("newest", "oldest"):
            raise ValueError(f"order must be newest or oldest, not {order!r}")
        limit = max(0, min(limit, MAX_LIMIT))
        conditions = filter_conditions(user_id, where, self._engine.dialect.name)
        if order == "newest":
            in_order = (entries.c.sort_at.desc(), entries.c.id.desc())
        else:
            in_order = (entries.c.sort_at.asc(), entries.c.id.asc())

        def page(
            source: sa.FromClause,
            *also: sa.ColumnElement[bool],
            conditions: list[sa.ColumnElement[bool]] = conditions,
        ) -> sa.Select[Any]:
            """The page of entries of `source` (with their state) that pass the filters."""
            return (
                sa.select(entries, *STATE_COLUMNS)
                .select_from(source)
                .where(*conditions, *also)
                .order_by(*in_order)
                .limit(limit)
                .offset(max(0, offset))
            )

        with self._read(where) as conn:
            rows = None
            everything = where.feed_id is None and where.category_id is None
            if conn.dialect.name == "sqlite" and everything:
                # The cursors alone also bound the time window (_page_in_window). A search's
                # words are looked up entry by entry there (`fts_lookup`): the window holds
                # WINDOW entries, a common word's matches are most of the table. A search
                # whose newest matches fill a page is then read from the window: a pattern
                # matched by most entries, 510 -> 4 ms for 100 of 100,000.
                in_window = page
                if where.search is not None:
                    looked_up = filter_conditions(user_id, where, "sqlite", fts_lookup=True)
                    in_window = functools.partial(page, conditions=looked_up)
                cursors = cursor_conditions(where)
                rows = _page_in_window(conn, user_id, in_window, order, cursors, limit)
            if rows is None:
                rows = conn.execute(page(user_entries_from(user_id))).all()
        return [user_entry_from_row(row) for row in rows]

    def entry(self, user_id: int, entry_id: int) -> UserEntry:
        """One entry with the user's state; NotFound unless it is of a feed they subscribe to."""
        query = (
            sa.select(entries, *STATE_COLUMNS)
            .select_from(user_entries_from(user_id))
            .where(entries.c.id == entry_id)
        )
        with read_transaction(self._engine) as conn:
            row = conn.execute(query).first()
        if row is None:
            raise NotFound(f"no entry with id {entry_id}")
        return user_entry_from_row(row)

    def count_entries(
        self,
        user_id: int,
        where: EntryFilter | None = None,
        *,
        status: Status = "all",
        starred: bool | None = None,
        feed_id: int | None = None,
        category_id: int | None = None,
        before: Cursor | None = None,
        after: Cursor | None = None,
    ) -> int:
        """How many entries `entries` would list with this filter, without limit."""
        if where is None:
            where = EntryFilter(status, starred, feed_id, category_id, before=before, after=after)
        conditions = filter_conditions(user_id, where, self._engine.dialect.name)
        query = (
            sa.select(sa.func.count()).select_from(user_entries_from(user_id)).where(*conditions)
        )
        with self._read(where) as conn:
            return int(conn.execute(query).scalar_one())

    def entries_by_id(
        self,
        user_id: int,
        where: EntryFilter | None = None,
        *,
        ids: Collection[int] | None = None,
        since_id: int | None = None,
        max_id: int | None = None,
        status: Status = "all",
        starred: bool | None = None,
        limit: int = 50,
        descending: bool = False,
    ) -> list[UserEntry]:
        """The user's entries passing `where`, ordered by id (the shorthand: those in `ids`,
        with id > `since_id`, id < `max_id`); ids the user cannot see are left out."""
        if where is None:
            where = EntryFilter(
                status,
                starred,
                ids=None if ids is None else tuple(ids),
                above_id=since_id,
                below_id=max_id,
            )
        conditions = filter_conditions(user_id, where, self._engine.dialect.name)
        order = entries.c.id.desc() if descending else entries.c.id.asc()
        query = (
            sa.select(entries, *STATE_COLUMNS)
            .select_from(user_entries_from(user_id))
            .where(*conditions)
            .order_by(order)
            .limit(max(0, min(limit, MAX_LIMIT)))
        )
        with self._read(where) as conn:
            rows = conn.execute(query).all()
        return [user_entry_from_row(row) for row in rows]

    def entry_ids(
        self,
        user_id: int,
        where: EntryFilter | None = None,
        *,
        status: Status = "all",
        starred: bool | None = None,
    ) -> list[int]:
        """The ids of every entry of the user's passing `where`, ascending (no limit)."""
        if where is None:
            where = EntryFilter(status, starred)
        conditions = filter_conditions(user_id, where, self._engine.dialect.name)
        query = (
            sa.select(entries.c.id)
            .select_from(user_entries_from(user_id))
            .where(*conditions)
            .order_by(entries.c.id)
        )
        with self._read(where) as conn:
            return [int(i) for i in conn.execute(query).scalars()]


def filter_conditions(
    user_id: int, where: EntryFilter, dialect: str, *, fts_lookup: bool = False
) -> list[sa.ColumnElement[bool]]:
    """The EntryFilter as conditions on user_entries_from(user_id), for `dialect` ("sqlite",
    "postgresql"): the one place a list's filter becomes SQL. `fts_lookup`: see
    search.match_conditions (for a walk over a bounded number of entries)."""
    conditions: list[sa.ColumnElement[bool]] = []
    if where.status == "unread":
        conditions.append(unread_in(user_id, dialect))  # a blocked entry is read: not here
    else:
        conditions.append(not_hidden())
    if where.status == "read":
        conditions.append(is_read())
    if where.starred is True:
        conditions.append(is_starred())
    elif where.starred is False:
        conditions.append(~is_starred())
    if where.feed_id is not None:
        conditions.append(entries.c.feed_id == where.feed_id)
    if where.category_id is not None:
        conditions.append(entries.c.feed_id.in_(category_feed_ids(user_id, where.category_id)))
    if where.search is not None:
        conditions += search.match_conditions(user_id, where.search, dialect, fts_lookup=fts_lookup)
    if where.label is not None:
        conditions.append(search.label_condition(user_id, where.label))
    if where.ids is not None:
        conditions.append(entries.c.id.in_(list(where.ids)))
    if where.above_id is not None:
        conditions.append(entries.c.id > where.above_id)
    if where.below_id is not None:
        conditions.append(entries.c.id < where.below_id)
    if where.seen_from is not None:
        conditions.append(_got_from(user_id, where.seen_from))
    if where.seen_until is not None:
        conditions.append(~_got_from(user_id, where.seen_until))
    return conditions + cursor_conditions(where)


def _got_from(user_id: int, moment: datetime) -> sa.ColumnElement[bool]:
    """The user got the entry at or after `moment`: tidings first saw it then, or the user
    subscribed to its feed then (an entry of a feed another reader had is new to them)."""
    subscribed_since = sa.select(subscriptions.c.feed_id).where(
        subscriptions.c.user_id == user_id, subscriptions.c.created_at >= moment
    )
    return sa.or_(entries.c.first_seen_at >= moment, entries.c.feed_id.in_(subscribed_since))


def cursor_conditions(where: EntryFilter) -> list[sa.ColumnElement[bool]]:
    """The filter's before/after cursors as conditions (they also bound _page_in_window)."""
    conditions = [_older_than(where.before)] if where.before is not None else []
    if where.after is not None:
        conditions.append(_newer_than(where.after))
    return conditions


# A list of all of a user's entries on SQLite looks first among the WINDOW newest entries of all
# feeds (the oldest, for order="oldest"), walking the time index. SQLite's own plan gathers every
# entry of the user's feeds and sorts them, whole rows, to keep one page: 3.1 ms against 0.23 ms
# for a page of 50 among 6,000 entries. The window's page is exact when it is full (see
# _page_in_window); otherwise the usual query runs, which costs a few index reads more than before.
WINDOW = 1000


def _page_in_window(
    conn: Connection,
    user_id: int,
    page: Callable[..., sa.Select[Any]],
    order: Order,
    cursors: list[sa.ColumnElement[bool]],
    limit: int,
) -> Sequence[Any] | None:
    """The rows of `page(user_entries_from(user_id))` (a page of all the user's entries in
    `order`, within `cursors`), found among the WINDOW first entries of all feeds in that
    order; None when the window cannot tell.

    Every entry outside the window lies strictly beyond every entry in it (its sort time is past
    the window's edge), so when the window holds a full page, that page is the query's.
    """
    if limit == 0:
        return None
    edge_query = sa.select(entries.c.sort_at).where(*cursors)
    newest = order == "newest"
    by_time = entries.c.sort_at.desc() if newest else entries.c.sort_at.asc()
    edge = conn.execute(edge_query.order_by(by_time).limit(1).offset(WINDOW - 1)).scalar()
    if edge is None:
        return None  # fewer entries than the window holds: the usual query is cheap
    in_window = entries.c.sort_at >= edge if newest else entries.c.sort_at <= edge
    # "+feed_id" keeps SQLite off the feed index, so that it walks the time index instead.
    subscribed = sa.literal_column("+entries.feed_id").in_(subscribed_feed_ids(user_id))
    rows = conn.execute(page(entries_with_state(user_id), in_window, subscribed)).all()
    return rows if len(rows) == limit else None


def _older_than(cursor: Cursor) -> sa.ColumnElement[bool]:
    return sa.or_(
        entries.c.sort_at < cursor.sort_at,
        sa.and_(entries.c.sort_at == cursor.sort_at, entries.c.id < cursor.id),
    )


def _newer_than(cursor: Cursor) -> sa.ColumnElement[bool]:
    return sa.or_(
        entries.c.sort_at > cursor.sort_at,
        sa.and_(entries.c.sort_at == cursor.sort_at, entries.c.id > cursor.id),
    )
