"""Queries on categories and the links between feeds and categories."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from tidings.model import Category
from tidings.reading.limits import category_name
from tidings.store.database import read_transaction, write_transaction
from tidings.store.errors import Conflict, NotFound
from tidings.store.rows import category_from_row
from tidings.store.schema import categories, feed_categories, feeds


def ensure_categories(conn: Connection, names: Iterable[str]) -> list[int]:
    """The ids of the named categories, creating missing ones (in the caller's transaction)."""
    ids: list[int] = []
    # category_name: the limit every front end gives (an OPML file made a 100,000-character one).
    for name in dict.fromkeys(category_name(n) for n in names if n.strip()):
        found = conn.execute(sa.select(categories.c.id).where(categories.c.name == name)).first()
        if found:
            ids.append(found.id)
        else:
            ids.append(
                conn.execute(
                    categories.insert().values(name=name).returning(categories.c.id)
                ).scalar_one()
            )
    return ids


class CategoryQueries:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, name: str) -> Category:
        """The new category; Conflict when the name is taken, ValueError when it is empty."""
        name = name.strip()
        if not name:
            raise ValueError("a category needs a name")
        with write_transaction(self._engine) as conn:
            if conn.execute(sa.select(categories.c.id).where(categories.c.name == name)).first():
                raise Conflict(f"a category named {name!r} exists already")
            row = conn.execute(
                categories.insert().values(name=name).returning(categories.c.id, categories.c.name)
            ).one()
        return category_from_row(row)

    def get(self, category_id: int) -> Category:
        """The category with this id; NotFound when there is none."""
        with read_transaction(self._engine) as conn:
            row = conn.execute(sa.select(categories).where(categories.c.id == category_id)).first()
        if row is None:
            raise NotFound(f"no category with id {category_id}")
        return category_from_row(row)

    def all(self) -> list[Category]:
        """Every category by name, with the number of feeds in it."""
        query = (
            sa.select(categories.c.id, categories.c.name, sa.func.count(feed_categories.c.feed_id))
            .outerjoin(feed_categories, feed_categories.c.category_id == categories.c.id)
            .group_by(categories.c.id, categories.c.name)
            .order_by(sa.func.lower(categories.c.name))
        )
        with read_transaction(self._engine) as conn:
            return [category_from_row(row, feed_count=row[2]) for row in conn.execute(query)]

    def rename(self, category_id: int, name: str) -> Category:
        """The category under its new name; NotFound, or Conflict when the name is taken."""
        name = name.strip()
        if not name:
            raise ValueError("a category needs a name")
        with write_transaction(self._engine) as conn:
            taken = conn.execute(
                sa.select(categories.c.id).where(
                    categories.c.name == name, categories.c.id != category_id
                )
            ).first()
            if taken:
                raise Conflict(f"a category named {name!r} exists already")
            result = conn.execute(
                sa.update(categories).where(categories.c.id == category_id).values(name=name)
            )
            if result.rowcount == 0:
                raise NotFound(f"no category with id {category_id}")
        return Category(id=category_id, name=name)

    def remove(self, category_id: int) -> None:
        """Delete the category (its feeds stay); NotFound when absent."""
        with write_transaction(self._engine) as conn:
            result = conn.execute(sa.delete(categories).where(categories.c.id == category_id))
            if result.rowcount == 0:
                raise NotFound(f"no category with id {category_id}")

    def set_for_feed(self, feed_id: int, names: Iterable[str]) -> list[Category]:
        """Put the feed in exactly the named categories (created when new); gives them back."""
        with write_transaction(self._engine) as conn:
            if not conn.execute(sa.select(feeds.c.id).where(feeds.c.id == feed_id)).first():
                raise NotFound(f"no feed with id {feed_id}")
            ids = ensure_categories(conn, names)
            conn.execute(sa.delete(feed_categories).where(feed_categories.c.feed_id == feed_id))
            if ids:
                conn.execute(
                    feed_categories.insert(),
                    [{"feed_id": feed_id, "category_id": i} for i in ids],
                )
        return self.of_feed(feed_id)

    def of_feed(self, feed_id: int) -> list[Category]:
        """The categories a feed is in, by name."""
        return self.by_feed().get(feed_id, [])

    def by_feed(self) -> dict[int, list[Category]]:
        """Every feed's categories, by feed id: one query for a whole listing."""
        query = (
            sa.select(feed_categories.c.feed_id, categories.c.id, categories.c.name)
            .join(categories, categories.c.id == feed_categories.c.category_id)
            .order_by(sa.func.lower(categories.c.name))
        )
        result: defaultdict[int, list[Category]] = defaultdict(list)
        with read_transaction(self._engine) as conn:
            for row in conn.execute(query):
                result[row.feed_id].append(category_from_row(row))
        return dict(result)
