"""Personal reading: a user's subscriptions, categories, entry listings and read/starred state.

Every query takes the user's id and reaches only that user's rows: entries are visible to a user
through their `subscriptions` (a join in the query itself, never a check beforehand), categories
and state rows carry the user's id. A feed URL is one `feeds` row however many users subscribe:
it is fetched once. A feed created by a reader's subscription is private (`is_public` false):
the public site never shows it.

State: an entry without an `entry_states` row for the user is unread and not starred. Marking a
whole feed, category or everything read sweeps only entries first seen up to `as_of` (the time
the user saw the list), so entries that arrived meanwhile stay unread.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from tidings.reading_model import (
    Cursor,
    Order,
    Status,
    Subscription,
    UnreadCounts,
    UserCategory,
    UserEntry,
)
from tidings.store.database import read_transaction, write_transaction
from tidings.store.errors import Conflict, LimitReached, NotFound
from tidings.store.rows import Row, entry_from_row
from tidings.store.schema import (
    UTCDateTime,
    entries,
    entry_states,
    feeds,
    subscription_categories,
    subscriptions,
    user_categories,
    users,
)

_UNCHANGED: Any = object()
MAX_LIMIT = 500

# The state columns selected next to an entry's, under names that cannot clash with entries'.
STATE_COLUMNS = (
    entry_states.c.read.label("state_read"),
    entry_states.c.starred.label("state_starred"),
    entry_states.c.read_at.label("state_read_at"),
    entry_states.c.starred_at.label("state_starred_at"),
)


def delete_orphaned_private_feeds(conn: Connection, feed_ids: Sequence[int] | None) -> None:
    """Delete the private feeds (of `feed_ids`, or all) that nobody subscribes to any more.

    Nobody reads them, and the refresher would otherwise go on fetching them.
    """
    query = sa.delete(feeds).where(
        feeds.c.is_public == sa.false(),
        ~sa.exists().where(subscriptions.c.feed_id == feeds.c.id),
    )
    if feed_ids is not None:
        query = query.where(feeds.c.id.in_(list(feed_ids)))
    conn.execute(query)


def subscribed_feed_ids(user_id: int) -> sa.Select[Any]:
    """The ids of the feeds `user_id` subscribes to (a subquery)."""
    return sa.select(subscriptions.c.feed_id).where(subscriptions.c.user_id == user_id)


def _own_state(user_id: int) -> sa.ColumnElement[bool]:
    """The join condition of an entry and the user's state row for it."""
    return sa.and_(entry_states.c.entry_id == entries.c.id, entry_states.c.user_id == user_id)


def user_entries_from(user_id: int) -> sa.FromClause:
    """entries ⨝ the user's subscriptions ⟕ the user's state rows: what a user may see."""
    return entries.join(
        subscriptions,
        sa.and_(subscriptions.c.feed_id == entries.c.feed_id, subscriptions.c.user_id == user_id),
    ).outerjoin(entry_states, _own_state(user_id))


def entries_with_state(user_id: int) -> sa.FromClause:
    """entries ⟕ the user's state rows, without the subscription join: for a query that checks
    the user may see the entries its own way (ids already vetted, or a cheaper test)."""
    return entries.outerjoin(entry_states, _own_state(user_id))


def is_read() -> sa.ColumnElement[bool]:
    """On user_entries_from: the entry is read (a state row that says so)."""
    return sa.and_(entry_states.c.read.is_not(None), entry_states.c.read == sa.true())


# The state rows "is_unread" looks into, apart from the row user_entries_from joins.
_read_state = entry_states.alias("read_state")


def is_unread(user_id: int) -> sa.ColumnElement[bool]:
    """The entry is unread by `user_id`: no state row of theirs says read (an anti-join, for
    any query over entries)."""
    return ~sa.exists().where(
        _read_state.c.entry_id == entries.c.id,
        _read_state.c.user_id == user_id,
        _read_state.c.read,
    )


def unread_in(user_id: int, dialect: str) -> sa.ColumnElement[bool]:
    """On user_entries_from(user_id) and the `dialect` ("sqlite", "postgresql"): the entry is
    unread.

    PostgreSQL gets the anti-join (is_unread). Given the test of the outer-joined row (`read IS
    NULL OR NOT read`), it estimates one row in thousands to pass, plans nested loops over every
    entry, and once psycopg prepares the statement picks a plan that took 1.0 s for a page of 50
    among 30,000 entries (2 ms with the anti-join). SQLite gets the joined row's test: it walks
    the user's subscriptions first and has the row at hand, while the anti-join makes it scan
    every entry (a user's 6,000 unread ids among 30,000 entries: 4 ms, against 15).
    """
    if dialect == "sqlite":
        return sa.or_(entry_states.c.read.is_(None), entry_states.c.read == sa.false())
    return is_unread(user_id)


def is_starred() -> sa.ColumnElement[bool]:
    return sa.and_(entry_states.c.starred.is_not(None), entry_states.c.starred == sa.true())


def user_entry_from_row(row: Row) -> UserEntry:
    """The UserEntry of a row holding every column of `entries` and STATE_COLUMNS."""
    m = row._mapping
    return UserEntry(
        entry=entry_from_row(row),
        read=bool(m["state_read"]),
        starred=bool(m["state_starred"]),
        read_at=m["state_read_at"],
        starred_at=m["state_starred_at"],
    )


def _insert(conn: Connection) -> Any:
    """The dialect's INSERT, which has on_conflict_do_update / _do_nothing."""
    return postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert


def _clean_names(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(" ".join(n.split()) for n in names if n.strip()))


class ReadingQueries:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # --- subscriptions -------------------------------------------------------------------------

    def subscribe(
        self,
        user_id: int,
        url: str,
        *,
        title: str | None = None,
        categories: Sequence[str] = (),
        max_subscriptions: int = 0,
        now: datetime | None = None,
    ) -> Subscription:
        """Subscribe the user to the feed at `url` (a new, private feed when the URL is new).

        The URL must already be checked (tidings.subscriptions.check_feed_url). NotFound when
        the user does not exist, Conflict when they already subscribe to it, LimitReached when
        they have `max_subscriptions` already (0: no limit; the front ends call
        tidings.subscriptions.subscribe_reader, which passes the site's setting).

        The count and the insert are one transaction, serialised per user: the user's row is
        locked first (PostgreSQL: FOR NO KEY UPDATE, which waits for another subscribe of the
        user but not for the foreign-key checks of their other writes; SQLite's write
        transactions take the database's write lock at BEGIN), so subscribes at once cannot all
        pass the count.
        """
        now = now or datetime.now(UTC)
        with write_transaction(self._engine) as conn:
            user_row = (
                sa.select(users.c.id).where(users.c.id == user_id).with_for_update(key_share=True)
            )
            if not conn.execute(user_row).first():
                raise NotFound(f"no user with id {user_id}")
            subscribed = conn.execute(
                sa.select(subscriptions.c.feed_id)
                .join(feeds, feeds.c.id == subscriptions.c.feed_id)
                .where(subscriptions.c.user_id == user_id, feeds.c.url == url)
            ).first()
            if subscribed:
                raise Conflict(f"already subscribed to {url}")
            if max_subscriptions > 0:
                count = conn.execute(
                    sa.select(sa.func.count())
                    .select_from(subscriptions)
                    .where(subscriptions.c.user_id == user_id)
                ).scalar_one()
                if count >= max_subscriptions:
                    raise LimitReached(
                        f"You have reached the limit of {max_subscriptions} subscriptions."
                    )
            conn.execute(
                _insert(conn)(feeds)
                .values(url=url, is_public=False, created_at=now, next_check_at=now)
                .on_conflict_do_nothing(index_elements=["url"])
            )
            feed_id = conn.execute(sa.select(feeds.c.id).where(feeds.c.url == url)).scalar_one()
            conn.execute(
                subscriptions.insert().values(
                    user_id=user_id, feed_id=feed_id, title=title or None, created_at=now
                )
            )
            self._set_categories(conn, user_id, feed_id, categories)
        return self.subscription(user_id, feed_id)

    def unsubscribe(self, user_id: int, feed_id: int) -> None:
        """End the subscription, forgetting the user's state of its entries; NotFound when absent.

        A private feed nobody subscribes to any more is deleted with its entries.
        """
        with write_transaction(self._engine) as conn:
            deleted = conn.execute(
                sa.delete(subscriptions).where(
                    subscriptions.c.user_id == user_id, subscriptions.c.feed_id == feed_id
                )
            )
            if deleted.rowcount == 0:
                raise NotFound(f"no subscription to feed {feed_id}")
            conn.execute(
                sa.delete(entry_states).where(
                    entry_states.c.user_id == user_id,
                    entry_states.c.entry_id.in_(
                        sa.select(entries.c.id).where(entries.c.feed_id == feed_id)
                    ),
                )
            )
            delete_orphaned_private_feeds(conn, [feed_id])

    def update_subscription(
        self,
        user_id: int,
        feed_id: int,
        *,
        title: str | None = _UNCHANGED,
        categories: Sequence[str] = _UNCHANGED,
    ) -> Subscription:
        """Change the user's title (None: the feed's) or categories (by name, created when new)."""
        with write_transaction(self._engine) as conn:
            mine = sa.and_(subscriptions.c.user_id == user_id, subscriptions.c.feed_id == feed_id)
            if not conn.execute(sa.select(subscriptions.c.feed_id).where(mine)).first():
                raise NotFound(f"no subscription to feed {feed_id}")
            if title is not _UNCHANGED:
                conn.execute(sa.update(subscriptions).where(mine).values(title=title or None))
            if categories is not _UNCHANGED:
                self._set_categories(conn, user_id, feed_id, categories)
        return self.subscription(user_id, feed_id)

    def subscription(self, user_id: int, feed_id: int) -> Subscription:
        """The user's subscription to the feed, with its unread count; NotFound when absent."""
        found = self._subscriptions(user_id, [feed_id])
        if not found:
            raise NotFound(f"no subscription to feed {feed_id}")
        return found[0]

    def subscriptions(
        self,
        user_id: int,
        *,
        with_unread: bool = True,
        feed_ids: Collection[int] | None = None,
    ) -> list[Subscription]:
        """The user's subscriptions by title (only those to `feed_ids` when given), each with
        its categories and unread count.

        Counting unread entries is most of the query's cost; callers that only need the feeds
        (an API embedding feed details in entries) pass `with_unread=False` and get 0 counts.
        """
        return self._subscriptions(user_id, feed_ids, with_unread=with_unread)

    def _subscriptions(
        self, user_id: int, feed_ids: Collection[int] | None, *, with_unread: bool = True
    ) -> list[Subscription]:
        with read_transaction(self._engine) as conn:
            unread = self._unread_per_feed(conn, user_id, feed_ids) if with_unread else {}
            return self._subscription_list(conn, user_id, feed_ids, unread)

    def _subscription_list(
        self,
        conn: Connection,
        user_id: int,
        feed_ids: Collection[int] | None,
        unread: dict[int, int],
    ) -> list[Subscription]:
        """The user's subscriptions (to `feed_ids`, or all when None) by title, with the unread
        counts of `unread` (0 for a feed it leaves out)."""
        display = sa.func.coalesce(subscriptions.c.title, feeds.c.title, feeds.c.feed_title)
        query = (
            sa.select(
                subscriptions.c.feed_id,
                subscriptions.c.title,
                subscriptions.c.created_at,
                feeds.c.url,
                sa.func.coalesce(feeds.c.title, feeds.c.feed_title).label("feed_title"),
                feeds.c.site_url,
                feeds.c.is_public,
                feeds.c.last_error,
                feeds.c.checked_at,
            )
            .join(feeds, feeds.c.id == subscriptions.c.feed_id)
            .where(subscriptions.c.user_id == user_id)
            .order_by(sa.func.lower(sa.func.coalesce(display, feeds.c.url)), feeds.c.id)
        )
        if feed_ids is not None:
            query = query.where(subscriptions.c.feed_id.in_(list(feed_ids)))
        rows = conn.execute(query).all()
        links = self._category_links(conn, user_id)
        # Unpacked in the order of the select: a sidebar builds one of these per feed.
        return [
            Subscription(
                feed_id=feed_id,
                url=url,
                title=title,
                feed_title=feed_title,
                site_url=site_url,
                is_public=bool(is_public),
                categories=tuple(links.get(feed_id, ())),
                unread_count=unread.get(feed_id, 0),
                last_error=last_error,
                checked_at=checked_at,
                created_at=created_at,
            )
            for (
                feed_id,
                title,
                created_at,
                url,
                feed_title,
                site_url,
                is_public,
                last_error,
                checked_at,
            ) in rows
        ]

    def sidebar(self, user_id: int) -> tuple[list[Subscription], list[UserCategory]]:
        """The user's subscriptions and categories, each with its unread count, as the reading
        pages' sidebar lists them: what subscriptions() and categories() give, in one read
        transaction that counts the unread entries once (counting is most of the work)."""
        with read_transaction(self._engine) as conn:
            unread = self._unread_per_feed(conn, user_id)
            return (
                self._subscription_list(conn, user_id, None, unread),
                self._category_list(conn, user_id, unread),
            )

    @staticmethod
    def _category_links(conn: Connection, user_id: int) -> dict[int, list[UserCategory]]:
        query = (
            sa.select(
                subscription_categories.c.feed_id, user_categories.c.id, user_categories.c.name
            )
            .join(user_categories, user_categories.c.id == subscription_categories.c.category_id)
            .where(
                subscription_categories.c.user_id == user_id,
                user_categories.c.user_id == user_id,
            )
            .order_by(sa.func.lower(user_categories.c.name))
        )
        links: defaultdict[int, list[UserCategory]] = defaultdict(list)
        shared: dict[int, UserCategory] = {}  # one record a category, however many feeds it has
        for feed_id, category_id, name in conn.execute(query):
            category = shared.get(category_id)
            if category is None:
                category = shared[category_id] = UserCategory(id=category_id, name=name)
            links[feed_id].append(category)
        return dict(links)

    @staticmethod
    def _ensure_categories(conn: Connection, user_id: int, names: Iterable[str]) -> list[int]:
        names = _clean_names(names)
        if not names:
            return []
        conn.execute(
            _insert(conn)(user_categories)
            .values([{"user_id": user_id, "name": n} for n in names])
            .on_conflict_do_nothing(index_elements=["user_id", "name"])
        )
        found = conn.execute(
            sa.select(user_categories.c.name, user_categories.c.id).where(
                user_categories.c.user_id == user_id, user_categories.c.name.in_(names)
            )
        ).all()
        ids = {row.name: row.id for row in found}
        return [ids[n] for n in names]

    def _set_categories(
        self, conn: Connection, user_id: int, feed_id: int, names: Iterable[str]
    ) -> None:
        ids = self._ensure_categories(conn, user_id, names)
        conn.execute(
            sa.delete(subscription_categories).where(
                subscription_categories.c.user_id == user_id,
                subscription_categories.c.feed_id == feed_id,
            )
        )
        if ids:
            conn.execute(
                subscription_categories.insert(),
                [{"user_id": user_id, "feed_id": feed_id, "category_id": i} for i in ids],
            )

    # --- categories ----------------------------------------------------------------------------

    def categories(self, user_id: int) -> list[UserCategory]:
        """The user's categories by name, with feed and unread counts."""
        with read_transaction(self._engine) as conn:
            return self._category_list(conn, user_id, self._unread_per_feed(conn, user_id))

    @staticmethod
    def _category_list(
        conn: Connection, user_id: int, unread: dict[int, int]
    ) -> list[UserCategory]:
        """The user's categories by name, each with its feeds' count and the sum of their
        unread counts in `unread`."""
        query = (
            sa.select(
                user_categories.c.id,
                user_categories.c.name,
                subscription_categories.c.feed_id,
            )
            .outerjoin(
                subscription_categories,
                sa.and_(
                    subscription_categories.c.category_id == user_categories.c.id,
                    subscription_categories.c.user_id == user_id,
                ),
            )
            .where(user_categories.c.user_id == user_id)
            .order_by(sa.func.lower(user_categories.c.name), user_categories.c.id)
        )
        # One row per (category, feed), or one with no feed for an empty category; summed here
        # from the counts per feed the caller already has.
        names: dict[int, str] = {}  # in the query's order
        feed_counts: Counter[int] = Counter()
        unread_counts: Counter[int] = Counter()
        for category_id, name, feed_id in conn.execute(query):
            names[category_id] = name
            if feed_id is not None:
                feed_counts[category_id] += 1
                unread_counts[category_id] += unread.get(feed_id, 0)
        return [
            UserCategory(
                id=category_id,
                name=name,
                feed_count=feed_counts[category_id],
                unread_count=unread_counts[category_id],
            )
            for category_id, name in names.items()
        ]

    def add_category(self, user_id: int, name: str) -> UserCategory:
        """A new category of the user's; ValueError when the name is empty, Conflict when taken."""
        name = " ".join(name.split())
        if not name:
            raise ValueError("a category needs a name")
        with write_transaction(self._engine) as conn:
            if not conn.execute(sa.select(users.c.id).where(users.c.id == user_id)).first():
                raise NotFound(f"no user with id {user_id}")
            if self._category_named(conn, user_id, name) is not None:
                raise Conflict(f"you have a category named {name!r} already")
            new_id = conn.execute(
                user_categories.insert()
                .values(user_id=user_id, name=name)
                .returning(user_categories.c.id)
            ).scalar_one()
        return UserCategory(id=new_id, name=name)

    @staticmethod
    def _category_named(conn: Connection, user_id: int, name: str) -> int | None:
        found = conn.execute(
            sa.select(user_categories.c.id).where(
                user_categories.c.user_id == user_id, user_categories.c.name == name
            )
        ).first()
        return None if found is None else int(found.id)

    def rename_category(self, user_id: int, category_id: int, name: str) -> UserCategory:
        """The user's category under its new name; NotFound, Conflict, or ValueError (empty)."""
        name = " ".join(name.split())
        if not name:
            raise ValueError("a category needs a name")
        with write_transaction(self._engine) as conn:
            taken = self._category_named(conn, user_id, name)
            if taken is not None and taken != category_id:
                raise Conflict(f"you have a category named {name!r} already")
            result = conn.execute(
                sa.update(user_categories)
                .where(user_categories.c.id == category_id, user_categories.c.user_id == user_id)
                .values(name=name)
            )
            if result.rowcount == 0:
                raise NotFound(f"no category with id {category_id}")
        return UserCategory(id=category_id, name=name)

    def remove_category(self, user_id: int, category_id: int) -> None:
        """Delete the user's category (its subscriptions stay); NotFound when absent."""
        with write_transaction(self._engine) as conn:
            result = conn.execute(
                sa.delete(user_categories).where(
                    user_categories.c.id == category_id, user_categories.c.user_id == user_id
                )
            )
            if result.rowcount == 0:
                raise NotFound(f"no category with id {category_id}")

    # --- unread counts -------------------------------------------------------------------------

    @staticmethod
    def _unread_per_feed(
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

    def unread_counts(self, user_id: int) -> UnreadCounts:
        """Unread entries in all, per subscribed feed and per own category (zeros included)."""
        with read_transaction(self._engine) as conn:
            by_feed = self._unread_per_feed(conn, user_id)
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

    # --- entries -------------------------------------------------------------------------------

    def entries(
        self,
        user_id: int,
        *,
        status: Status = "unread",
        starred: bool | None = None,
        feed_id: int | None = None,
        category_id: int | None = None,
        before: Cursor | None = None,
        after: Cursor | None = None,
        limit: int = 50,
        offset: int = 0,
        order: Order = "newest",
    ) -> list[UserEntry]:
        """The user's entries with their state: of subscribed feeds only (a feed or category
        that is not the user's gives none). `before`/`after` keep entries strictly older/newer
        than a cursor (sort time, then id); `order` is newest or oldest first."""
        if order not in ("newest", "oldest"):
            raise ValueError(f"order must be newest or oldest, not {order!r}")
        limit = max(0, min(limit, MAX_LIMIT))
        where = self._state_filters(user_id, status, starred, feed_id, category_id)
        # The cursors alone also bound the time window (_page_in_window).
        cursors = [_older_than(before)] if before is not None else []
        if after is not None:
            cursors.append(_newer_than(after))
        where += cursors
        if order == "newest":
            in_order = (entries.c.sort_at.desc(), entries.c.id.desc())
        else:
            in_order = (entries.c.sort_at.asc(), entries.c.id.asc())

        def page(source: sa.FromClause, *also: sa.ColumnElement[bool]) -> sa.Select[Any]:
            """The page of entries of `source` (with their state) that pass the filters."""
            return (
                sa.select(entries, *STATE_COLUMNS)
                .select_from(source)
                .where(*where, *also)
                .order_by(*in_order)
                .limit(limit)
                .offset(max(0, offset))
            )

        with read_transaction(self._engine) as conn:
            rows = None
            if conn.dialect.name == "sqlite" and feed_id is None and category_id is None:
                rows = _page_in_window(conn, user_id, page, order, cursors, limit)
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

    @staticmethod
    def _category_feed_ids(user_id: int, category_id: int) -> sa.Select[Any]:
        return sa.select(subscription_categories.c.feed_id).where(
            subscription_categories.c.user_id == user_id,
            subscription_categories.c.category_id == category_id,
        )

    # --- state ---------------------------------------------------------------------------------

    def mark_read(
        self, user_id: int, entry_ids: Collection[int], *, now: datetime | None = None
    ) -> int:
        """Mark these entries read (those of the user's feeds); gives back how many changed."""
        if not entry_ids:
            return 0
        where = entries.c.id.in_(list(entry_ids))
        return self._set_flag(user_id, "read", where, now or datetime.now(UTC))

    def star(self, user_id: int, entry_ids: Collection[int], *, now: datetime | None = None) -> int:
        """Star these entries (those of the user's feeds); gives back how many changed."""
        if not entry_ids:
            return 0
        where = entries.c.id.in_(list(entry_ids))
        return self._set_flag(user_id, "starred", where, now or datetime.now(UTC))

    def mark_unread(self, user_id: int, entry_ids: Collection[int]) -> int:
        """Mark these entries unread again; gives back how many changed."""
        return self._clear_flag(user_id, "read", entry_ids)

    def unstar(self, user_id: int, entry_ids: Collection[int]) -> int:
        """Take the star off these entries; gives back how many changed."""
        return self._clear_flag(user_id, "starred", entry_ids)

    def mark_feed_read(
        self,
        user_id: int,
        feed_id: int,
        *,
        as_of: datetime,
        max_entry_id: int | None = None,
        now: datetime | None = None,
    ) -> int:
        """Mark the feed's entries first seen up to `as_of` (and with ids up to `max_entry_id`,
        if given) read; NotFound unless the user subscribes to it. Gives back how many changed."""
        with read_transaction(self._engine) as conn:
            mine = conn.execute(
                subscribed_feed_ids(user_id).where(subscriptions.c.feed_id == feed_id)
            ).first()
        if mine is None:
            raise NotFound(f"no subscription to feed {feed_id}")
        where = sa.and_(entries.c.feed_id == feed_id, *_up_to(as_of, max_entry_id))
        return self._set_flag(user_id, "read", where, now or datetime.now(UTC))

    def mark_category_read(
        self,
        user_id: int,
        category_id: int,
        *,
        as_of: datetime,
        max_entry_id: int | None = None,
        now: datetime | None = None,
    ) -> int:
        """Like mark_feed_read, for the feeds in one of the user's categories."""
        with read_transaction(self._engine) as conn:
            mine = conn.execute(
                sa.select(user_categories.c.id).where(
                    user_categories.c.id == category_id, user_categories.c.user_id == user_id
                )
            ).first()
        if mine is None:
            raise NotFound(f"no category with id {category_id}")
        where = sa.and_(
            entries.c.feed_id.in_(self._category_feed_ids(user_id, category_id)),
            *_up_to(as_of, max_entry_id),
        )
        return self._set_flag(user_id, "read", where, now or datetime.now(UTC))

    def mark_all_read(
        self,
        user_id: int,
        *,
        as_of: datetime,
        max_entry_id: int | None = None,
        now: datetime | None = None,
    ) -> int:
        """Like mark_feed_read, for every feed the user subscribes to."""
        where = sa.and_(*_up_to(as_of, max_entry_id))
        return self._set_flag(user_id, "read", where, now or datetime.now(UTC))

    def _set_flag(
        self, user_id: int, flag: str, where: sa.ColumnElement[bool], now: datetime
    ) -> int:
        """Set `flag` (read or starred) on the user's entries matching `where`: one upsert of
        the state rows, over entries of the user's subscribed feeds only."""
        stamp = f"{flag}_at"
        already = sa.exists().where(
            entry_states.c.user_id == user_id,
            entry_states.c.entry_id == entries.c.id,
            entry_states.c[flag] == sa.true(),
        )
        source = sa.select(
            sa.literal(user_id, sa.BigInteger).label("user_id"),
            entries.c.id,
            entries.c.feed_id,
            sa.true().label(flag),
            sa.literal(now, UTCDateTime()).label(stamp),
        ).where(where, entries.c.feed_id.in_(subscribed_feed_ids(user_id)), ~already)
        with write_transaction(self._engine) as conn:
            insert = _insert(conn)(entry_states).from_select(
                ["user_id", "entry_id", "feed_id", flag, stamp], source
            )
            upsert = insert.on_conflict_do_update(
                index_elements=["user_id", "entry_id"],
                set_={flag: sa.true(), stamp: insert.excluded[stamp]},
            ).returning(entry_states.c.entry_id)
            # Counted from RETURNING: rowcount of INSERT ... SELECT is -1 under psycopg.
            return len(conn.execute(upsert).all())

    def _clear_flag(self, user_id: int, flag: str, entry_ids: Collection[int]) -> int:
        if not entry_ids:
            return 0
        visible = sa.select(entries.c.id).where(
            entries.c.id.in_(list(entry_ids)),
            entries.c.feed_id.in_(subscribed_feed_ids(user_id)),
        )
        query = (
            sa.update(entry_states)
            .where(
                entry_states.c.user_id == user_id,
                entry_states.c.entry_id.in_(visible),
                entry_states.c[flag] == sa.true(),
            )
            .values({flag: False, f"{flag}_at": None})
        )
        with write_transaction(self._engine) as conn:
            return int(conn.execute(query).rowcount)

    # --- for the client APIs (tidings.api): counts and listings by entry id ---------------------

    def _state_filters(
        self,
        user_id: int,
        status: Status,
        starred: bool | None,
        feed_id: int | None,
        category_id: int | None,
    ) -> list[sa.ColumnElement[bool]]:
        """The conditions on user_entries_from(user_id) that these filters ask for (entries and
        the API listings share them); ValueError for a status not unread, read or all."""
        if status not in ("unread", "read", "all"):
            raise ValueError(f"status must be unread, read or all, not {status!r}")
        where: list[sa.ColumnElement[bool]] = []
        if status == "unread":
            where.append(unread_in(user_id, self._engine.dialect.name))
        elif status == "read":
            where.append(is_read())
        if starred is True:
            where.append(is_starred())
        elif starred is False:
            where.append(~is_starred())
        if feed_id is not None:
            where.append(entries.c.feed_id == feed_id)
        if category_id is not None:
            where.append(entries.c.feed_id.in_(self._category_feed_ids(user_id, category_id)))
        return where

    def count_entries(
        self,
        user_id: int,
        *,
        status: Status = "all",
        starred: bool | None = None,
        feed_id: int | None = None,
        category_id: int | None = None,
        before: Cursor | None = None,
        after: Cursor | None = None,
    ) -> int:
        """How many entries `entries` would list with these filters, without limit."""
        where = self._state_filters(user_id, status, starred, feed_id, category_id)
        if before is not None:
            where.append(_older_than(before))
        if after is not None:
            where.append(_newer_than(after))
        query = sa.select(sa.func.count()).select_from(user_entries_from(user_id)).where(*where)
        with read_transaction(self._engine) as conn:
            return int(conn.execute(query).scalar_one())

    def entries_by_id(
        self,
        user_id: int,
        *,
        ids: Collection[int] | None = None,
        since_id: int | None = None,
        max_id: int | None = None,
        status: Status = "all",
        starred: bool | None = None,
        limit: int = 50,
        descending: bool = False,
    ) -> list[UserEntry]:
        """The user's entries ordered by id: those in `ids`, with id > `since_id`, id < `max_id`
        (each if given); ids of entries the user cannot see are left out."""
        where = self._state_filters(user_id, status, starred, None, None)
        if ids is not None:
            where.append(entries.c.id.in_(list(ids)))
        if since_id is not None:
            where.append(entries.c.id > since_id)
        if max_id is not None:
            where.append(entries.c.id < max_id)
        order = entries.c.id.desc() if descending else entries.c.id.asc()
        query = (
            sa.select(entries, *STATE_COLUMNS)
            .select_from(user_entries_from(user_id))
            .where(*where)
            .order_by(order)
            .limit(max(0, min(limit, MAX_LIMIT)))
        )
        with read_transaction(self._engine) as conn:
            rows = conn.execute(query).all()
        return [user_entry_from_row(row) for row in rows]

    def entry_ids(
        self, user_id: int, *, status: Status = "all", starred: bool | None = None
    ) -> list[int]:
        """The ids of every entry of the user's with this state, ascending (no limit)."""
        where = self._state_filters(user_id, status, starred, None, None)
        query = (
            sa.select(entries.c.id)
            .select_from(user_entries_from(user_id))
            .where(*where)
            .order_by(entries.c.id)
        )
        with read_transaction(self._engine) as conn:
            return [int(i) for i in conn.execute(query).scalars()]


def _up_to(as_of: datetime, max_entry_id: int | None) -> list[sa.ColumnElement[bool]]:
    conditions = [entries.c.first_seen_at <= as_of]
    if max_entry_id is not None:
        conditions.append(entries.c.id <= max_entry_id)
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
