"""A user's subscriptions: subscribe (with the per-user limit), unsubscribe, rename and file
them in categories, list them with unread counts (and the sidebar's subscriptions and
categories in one read)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from tidings.errors import InvalidInput
from tidings.reading.limits import CATEGORIES_RULE, MAX_CATEGORIES_PER_USER, subscription_title
from tidings.reading_model import (
    Subscription,
    UserCategory,
)
from tidings.store.articles import set_scraper_rules
from tidings.store.database import read_transaction, write_transaction
from tidings.store.errors import Conflict, LimitReached, NotFound
from tidings.store.reading.categories import category_list, check_category_count
from tidings.store.reading.counts import unread_per_feed
from tidings.store.reading.visibility import (
    clean_names,
    insert_for,
)
from tidings.store.schema import (
    entries,
    entry_states,
    feeds,
    subscription_categories,
    subscriptions,
    user_categories,
    users,
)

_UNCHANGED: Any = object()


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


def category_links(conn: Connection, user_id: int) -> dict[int, list[UserCategory]]:
    query = (
        sa.select(subscription_categories.c.feed_id, user_categories.c.id, user_categories.c.name)
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


def ensure_categories(conn: Connection, user_id: int, names: Iterable[str]) -> list[int]:
    names = clean_names(names)
    if not names:
        return []
    if len(names) > MAX_CATEGORIES_PER_USER:
        raise InvalidInput(CATEGORIES_RULE)
    conn.execute(
        insert_for(conn)(user_categories)
        .values([{"user_id": user_id, "name": n} for n in names])
        .on_conflict_do_nothing(index_elements=["user_id", "name"])
    )
    check_category_count(conn, user_id)
    found = conn.execute(
        sa.select(user_categories.c.name, user_categories.c.id).where(
            user_categories.c.user_id == user_id, user_categories.c.name.in_(names)
        )
    ).all()
    ids = {row.name: row.id for row in found}
    return [ids[n] for n in names]


class SubscriptionQueries:
    """A user's subscriptions (mixed into ReadingQueries)."""

    _engine: Engine

    def subscribe(
        self,
        user_id: int,
        url: str,
        *,
        title: str | None = None,
        categories: Sequence[str] = (),
        max_subscriptions: int = 0,
        now: datetime | None = None,
        crawler: bool = False,
        scraper_rules: str | None = None,
        admin: bool = False,
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
                insert_for(conn)(feeds)
                .values(url=url, is_public=False, created_at=now, next_check_at=now)
                .on_conflict_do_nothing(index_elements=["url"])
            )
            feed_id = conn.execute(sa.select(feeds.c.id).where(feeds.c.url == url)).scalar_one()
            conn.execute(
                subscriptions.insert().values(
                    user_id=user_id,
                    feed_id=feed_id,
                    title=subscription_title(title),
                    created_at=now,
                    crawler=crawler,
                )
            )
            self._set_categories(conn, user_id, feed_id, categories)
            if scraper_rules is not None:
                set_scraper_rules(conn, user_id, feed_id, scraper_rules, admin=admin)
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
        crawler: bool = _UNCHANGED,
        scraper_rules: str | None = _UNCHANGED,
        admin: bool = False,
    ) -> Subscription:
        """Change the user's title (None: the feed's), categories (by name, created when new),
        full articles (`crawler`) or the feed's scraper rules (as subscribe sets them)."""
        with write_transaction(self._engine) as conn:
            mine = sa.and_(subscriptions.c.user_id == user_id, subscriptions.c.feed_id == feed_id)
            if not conn.execute(sa.select(subscriptions.c.feed_id).where(mine)).first():
                raise NotFound(f"no subscription to feed {feed_id}")
            if title is not _UNCHANGED:
                own = subscription_title(title)
                conn.execute(sa.update(subscriptions).where(mine).values(title=own))
            if categories is not _UNCHANGED:
                self._set_categories(conn, user_id, feed_id, categories)
            if crawler is not _UNCHANGED:
                conn.execute(sa.update(subscriptions).where(mine).values(crawler=bool(crawler)))
            if scraper_rules is not _UNCHANGED:
                set_scraper_rules(conn, user_id, feed_id, scraper_rules, admin=admin)
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
            unread = unread_per_feed(conn, user_id, feed_ids) if with_unread else {}
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
                feeds.c.first_error_at,
                subscriptions.c.crawler,
                feeds.c.scraper_rules,
                feeds.c.article_error,
            )
            .join(feeds, feeds.c.id == subscriptions.c.feed_id)
            .where(subscriptions.c.user_id == user_id)
            .order_by(sa.func.lower(sa.func.coalesce(display, feeds.c.url)), feeds.c.id)
        )
        if feed_ids is not None:
            query = query.where(subscriptions.c.feed_id.in_(list(feed_ids)))
        rows = conn.execute(query).all()
        links = category_links(conn, user_id)
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
                first_error_at=first_error_at,
                crawler=bool(crawler),
                scraper_rules=scraper_rules,
                article_error=article_error,
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
                first_error_at,
                crawler,
                scraper_rules,
                article_error,
            ) in rows
        ]

    def sidebar(self, user_id: int) -> tuple[list[Subscription], list[UserCategory]]:
        """The user's subscriptions and categories, each with its unread count, as the reading
        pages' sidebar lists them: what subscriptions() and categories() give, in one read
        transaction that counts the unread entries once (counting is most of the work)."""
        with read_transaction(self._engine) as conn:
            unread = unread_per_feed(conn, user_id)
            return (
                self._subscription_list(conn, user_id, None, unread),
                category_list(conn, user_id, unread),
            )

    def _set_categories(
        self, conn: Connection, user_id: int, feed_id: int, names: Iterable[str]
    ) -> None:
        ids = ensure_categories(conn, user_id, names)
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
