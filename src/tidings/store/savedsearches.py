"""Queries on saved searches: a user's named searches, in the user's order, with unread counts.

A saved search is a name and a query in the search language (tidings.search_query); it lists
what the search box would find, and its output feeds are the search feeds of its query (read
with a feed token, tidings.store.feedtokens).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from tidings.errors import InvalidInput
from tidings.reading.limits import one_line
from tidings.search_query import parse_search_query
from tidings.store.database import read_transaction, write_transaction
from tidings.store.errors import Conflict, LimitReached, NotFound
from tidings.store.schema import saved_searches
from tidings.store.search import count_unread_matches

MAX_SAVED_SEARCHES = 50
MAX_NAME = 100
# Unread counts stop here (the sidebar shows "1000+"): a count reads at most this many rows.
MAX_UNREAD_COUNT = 1000
# Users whose last counts are remembered (of_user's max_age) before the memory is emptied.
MAX_REMEMBERED = 10_000


@dataclass(frozen=True, slots=True)
class SavedSearch:
    """A user's named search, with how many unread entries it finds (at most MAX_UNREAD_COUNT)."""

    id: int
    user_id: int
    name: str
    query: str
    position: int
    unread_count: int = 0

    @property
    def unread_label(self) -> str:
        """The unread count as the sidebar shows it ("1000+" at the cap)."""
        if self.unread_count >= MAX_UNREAD_COUNT:
            return f"{MAX_UNREAD_COUNT}+"
        return str(self.unread_count)


_COLUMNS = (
    saved_searches.c.id,
    saved_searches.c.user_id,
    saved_searches.c.name,
    saved_searches.c.query,
    saved_searches.c.position,
)


def _clean(name: str, query: str) -> tuple[str, str]:
    """The name and query stripped and checked; InvalidInput (or SearchQueryError, a
    ValueError) when either is empty, too long or malformed."""
    name, query = one_line(name), query.strip()
    if not name or len(name) > MAX_NAME:
        raise InvalidInput(f"a saved search needs a name of 1 to {MAX_NAME} characters")
    if not query:
        raise InvalidInput("a saved search needs a search")
    parse_search_query(query)
    return name, query


class SavedSearchQueries:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        # The last counts per user (monotonic time, searches), for `of_user(max_age=...)`: the
        # sidebar is on every reader page, and ten saved searches cost it 0.1-0.2 s to count.
        self._recent: dict[int, tuple[float, list[SavedSearch]]] = {}

    def create(self, user_id: int, name: str, query: str) -> SavedSearch:
        """Save the user's search under `name`, last in their order; gives back the saved search.

        Conflict when the user has a saved search of that name, LimitReached at
        MAX_SAVED_SEARCHES."""
        name, query = _clean(name, query)
        mine = saved_searches.c.user_id == user_id
        try:
            with write_transaction(self._engine) as conn:
                count, last = conn.execute(
                    sa.select(sa.func.count(), sa.func.max(saved_searches.c.position)).where(mine)
                ).one()
                if count >= MAX_SAVED_SEARCHES:
                    raise LimitReached(f"at most {MAX_SAVED_SEARCHES} saved searches")
                row = conn.execute(
                    saved_searches.insert()
                    .values(
                        user_id=user_id,
                        name=name,
                        query=query,
                        position=(last or 0) + 1,
                        created_at=datetime.now(UTC),
                    )
                    .returning(*_COLUMNS)
                ).one()
        except IntegrityError:
            raise Conflict(f"you have a saved search named {name!r}") from None
        self._recent.pop(user_id, None)
        return SavedSearch(**row._mapping)

    def get(self, user_id: int, search_id: int) -> SavedSearch:
        """The user's saved search `search_id`; NotFound when the user has none of that id."""
        with read_transaction(self._engine) as conn:
            row = conn.execute(
                sa.select(*_COLUMNS).where(
                    saved_searches.c.id == search_id, saved_searches.c.user_id == user_id
                )
            ).first()
        if row is None:
            raise NotFound(f"no saved search with id {search_id}")
        return SavedSearch(**row._mapping)

    def of_user(
        self,
        user_id: int,
        *,
        counts: bool = True,
        max_age: float = 0.0,
        now: float | None = None,
    ) -> list[SavedSearch]:
        """The user's saved searches in their order, with unread counts (capped at
        MAX_UNREAD_COUNT; one bounded count per search) unless `counts` is False. A search
        that no longer parses counts 0. With `max_age` (seconds), counts made that recently
        in this process (for this user, since they last saved or deleted one) are given again
        instead; `now` is time.monotonic()'s reading (a test's clock)."""
        now = time.monotonic() if now is None else now
        if counts and max_age > 0:
            recent = self._recent.get(user_id)
            if recent is not None and now - recent[0] < max_age:
                return list(recent[1])
        found = self._read(user_id, counts=counts)
        if counts:
            if len(self._recent) >= MAX_REMEMBERED:
                self._recent.clear()  # a bound, not a policy: the next pages count afresh
            self._recent[user_id] = (now, found)
        return list(found)

    def _read(self, user_id: int, *, counts: bool) -> list[SavedSearch]:
        with read_transaction(self._engine) as conn:
            rows = conn.execute(
                sa.select(*_COLUMNS)
                .where(saved_searches.c.user_id == user_id)
                .order_by(saved_searches.c.position, saved_searches.c.id)
            ).all()
            found = []
            for row in rows:
                unread = 0
                if counts:
                    try:
                        parsed = parse_search_query(row.query)
                    except ValueError:
                        parsed = None
                    if parsed is not None:
                        unread = count_unread_matches(conn, user_id, parsed, MAX_UNREAD_COUNT)
                found.append(SavedSearch(**row._mapping, unread_count=unread))
        return found

    def delete(self, user_id: int, search_id: int) -> None:
        """Delete one of the user's saved searches; NotFound when the user has no such search."""
        with write_transaction(self._engine) as conn:
            result = conn.execute(
                sa.delete(saved_searches).where(
                    saved_searches.c.id == search_id, saved_searches.c.user_id == user_id
                )
            )
            if result.rowcount == 0:
                raise NotFound(f"no saved search with id {search_id}")
        self._recent.pop(user_id, None)
