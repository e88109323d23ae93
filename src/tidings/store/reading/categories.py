"""A user's own categories: list (with unread counts), add, rename, remove."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from tidings.errors import InvalidInput
from tidings.reading.limits import CATEGORIES_RULE, MAX_CATEGORIES_PER_USER, category_name
from tidings.reading_model import (
    UserCategory,
)
from tidings.store.database import read_transaction, write_transaction
from tidings.store.errors import Conflict, NotFound
from tidings.store.reading.counts import unread_per_feed
from tidings.store.schema import (
    subscription_categories,
    user_categories,
    users,
)


def category_list(conn: Connection, user_id: int, unread: dict[int, int]) -> list[UserCategory]:
    """The user's categories by name, each with its feeds' count and the sum of their
    unread counts in `unread`."""
    # Two plain reads summed here, not a join: SQLite joined through the primary key's
    # (user_id) prefix, reading all of the user's filings for each category (53 s for 30,000).
    names: dict[int, str] = dict(
        conn.execute(
            sa.select(user_categories.c.id, user_categories.c.name)
            .where(user_categories.c.user_id == user_id)
            .order_by(sa.func.lower(user_categories.c.name), user_categories.c.id)
        ).all()
    )
    feed_counts: Counter[int] = Counter()
    unread_counts: Counter[int] = Counter()
    for category_id, feed_id in conn.execute(
        sa.select(subscription_categories.c.category_id, subscription_categories.c.feed_id).where(
            subscription_categories.c.user_id == user_id
        )
    ):
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


def check_category_count(conn: Connection, user_id: int) -> None:
    """InvalidInput when the user has more than MAX_CATEGORIES_PER_USER categories: called after
    adding some, in the same transaction, which the error then undoes."""
    count = conn.execute(
        sa.select(sa.func.count()).where(user_categories.c.user_id == user_id)
    ).scalar_one()
    if count > MAX_CATEGORIES_PER_USER:
        raise InvalidInput(CATEGORIES_RULE)


def category_named(conn: Connection, user_id: int, name: str) -> int | None:
    found = conn.execute(
        sa.select(user_categories.c.id).where(
            user_categories.c.user_id == user_id, user_categories.c.name == name
        )
    ).first()
    return None if found is None else int(found.id)


class UserCategoryQueries:
    """A user's categories (mixed into ReadingQueries)."""

    _engine: Engine

    def categories(self, user_id: int) -> list[UserCategory]:
        """The user's categories by name, with feed and unread counts."""
        with read_transaction(self._engine) as conn:
            return category_list(conn, user_id, unread_per_feed(conn, user_id))

    def add_category(self, user_id: int, name: str) -> UserCategory:
        """A new category of the user's; InvalidInput for a name empty or too long (limits),
        Conflict when taken."""
        name = category_name(name)
        with write_transaction(self._engine) as conn:
            if not conn.execute(sa.select(users.c.id).where(users.c.id == user_id)).first():
                raise NotFound(f"no user with id {user_id}")
            if category_named(conn, user_id, name) is not None:
                raise Conflict(f"you have a category named {name!r} already")
            new_id = conn.execute(
                user_categories.insert()
                .values(user_id=user_id, name=name)
                .returning(user_categories.c.id)
            ).scalar_one()
            check_category_count(conn, user_id)
        return UserCategory(id=new_id, name=name)

    def rename_category(self, user_id: int, category_id: int, name: str) -> UserCategory:
        """The user's category under its new name; NotFound, Conflict, or InvalidInput."""
        name = category_name(name)
        with write_transaction(self._engine) as conn:
            taken = category_named(conn, user_id, name)
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
