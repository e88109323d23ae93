"""On PostgreSQL, every statement that carries a query's words or patterns is planned for them,
however often a connection runs it (store.database.plan_for_values).

psycopg prepares a statement once a connection has run it 5 times; PostgreSQL may then plan it
once for any values, blind to the words (a rule preview went from 140 to 270 ms that way). Each
way in to the query language is run RUNS times on one connection, and the connection's
prepared statements must show no generic plan. PostgreSQL only: SQLite has no plan cache of
this kind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from support.decoys import reader_of_one_feed
from tidings.model import EntryData
from tidings.reading.filters import EntryFilter
from tidings.rules.model import RuleDraft, checked_rule
from tidings.search_query import SearchQuery, parse_query
from tidings.store import Store

NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)
RUNS = 12  # prepared at the 6th run; a generic plan may be chosen from the 11th
TEXT = 'budget "city plan" title:/zebra|harbour/i -author:/^Nobody$/'
# What marks a statement with the query's conditions: its pattern, its words.
_QUERY_OPERATORS = (" ~* ", " @@ ", "strpos(")

WaysIn = Callable[[Store, int, SearchQuery], object]


def _apply(store: Store, user_id: int, query: SearchQuery) -> object:
    [rule] = store.rules.of_user(user_id)
    return store.rules.apply(user_id, rule)


WAYS_IN: dict[str, WaysIn] = {
    "rule preview": lambda s, u, q: s.rules.preview(u, q, "all", None),
    "rule applied": _apply,
    "search": lambda s, u, q: s.search.search(u, q),
    "list": lambda s, u, q: s.reading.entries(u, EntryFilter("all", search=q)),
    "list count": lambda s, u, q: s.reading.count_entries(u, EntryFilter("all", search=q)),
    "list by id": lambda s, u, q: s.reading.entries_by_id(u, EntryFilter("all", search=q)),
    "list ids": lambda s, u, q: s.reading.entry_ids(u, EntryFilter("all", search=q)),
    "saved search count": lambda s, u, q: s.saved_searches.of_user(u),
}


@pytest.fixture
def pg_store(postgresql_url_clean: str) -> Iterator[Store]:
    with Store.open(postgresql_url_clean) as store:
        yield store


def _world(store: Store) -> int:
    items = tuple(
        EntryData(
            key=str(i),
            title=f"Harbour news {i}" if i % 3 else f"Zebra crossing {i}",
            summary=f"<p>The budget of the city plan, part {i}</p>",
            link=f"https://city.example/{i}",
            published_at=NOW - timedelta(minutes=i),
            content_hash=str(i),
        )
        for i in range(30)
    )
    ann, _ = reader_of_one_feed(store, "https://city.example/feed", items, now=NOW)
    store.rules.add(ann, checked_rule(RuleDraft("city", TEXT, actions=("star",)), is_admin=False))
    store.saved_searches.create(ann, "city", TEXT)
    return ann


@pytest.mark.parametrize("way_in", WAYS_IN)
def test_each_run_is_planned_for_its_words(pg_store: Store, way_in: str) -> None:
    ann = _world(pg_store)
    query = parse_query(TEXT, require_terms=False)
    # One connection from here on (the test runs one statement at a time): its prepared
    # statements count every run.
    pg_store.engine.dispose()
    for _ in range(RUNS):
        WAYS_IN[way_in](pg_store, ann, query)
    with pg_store.engine.connect() as conn:
        prepared = conn.exec_driver_sql(
            "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements"
        ).all()
    # The statements with the query's conditions (its pattern's ~*, its words' @@ or strpos);
    # reading the user's rules or saved searches may well be planned once.
    carrying = [row for row in prepared if any(op in row.statement for op in _QUERY_OPERATORS)]
    assert any(row.custom_plans >= RUNS - 5 for row in carrying), "nothing ran prepared"
    assert [row.statement for row in carrying if row.generic_plans] == []
