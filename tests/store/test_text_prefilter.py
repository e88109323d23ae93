"""A positive title:/content:/… term is tested by LIKE before what decides it
(store.search._like_prefilter): on SQLite before the Python function, on PostgreSQL before a
pattern's ARE (ILIKE when it ignores case). The LIKE must never refuse an entry the term
matches. Characters where that could go wrong: KELVIN SIGN (a "k" to RE2), LONG S (an "s"),
"İ" (lowered to "i" and a dot), LIKE's own % and _ and the escape character. Each query is
checked against the in-memory matcher on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from support.decoys import reader_of_one_feed
from tidings.model import EntryData
from tidings.reading.filters import EntryFilter
from tidings.rules.matcher import EntryFacts, compile_matcher
from tidings.search_query import parse_query
from tidings.store import Store, search

NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)
TITLES = [
    "Temperature 300 \u212a today",  # KELVIN SIGN
    "Big \u017fale in town",  # LONG S
    "\u0130stanbul nights",  # I WITH DOT ABOVE
    "100% sure",
    "snake_case and CamelCase",
    r"a back\slash",
    "Plain KELVIN and sale and istanbul",
    "nothing to see",
]
QUERIES = [
    "title:/300 k/i",
    "title:/big sale/i",
    "title:sale",
    "title:istanbul",
    "title:/istanbul/i",
    "title:/100% sure/",
    "title:100%",
    "title:snake_case",
    "title:/snake_case/i",
    r"title:back\slash",
    "title:kelvin",
    "title:/KELVIN/",
    "-title:sale",
    "title:/plain|nights/i",  # alternations: an OR of LIKEs on SQLite
    "title:/(snake_case|100%)/",
    "title:/300 k|nothing here/i",
]


@pytest.fixture
def world(store: Store) -> tuple[Store, int, dict[int, str]]:
    items = tuple(
        EntryData(
            key=str(i),
            title=title,
            link=f"https://odd.example/{i}",
            published_at=NOW - timedelta(minutes=i),
            content_hash=str(i),
        )
        for i, title in enumerate(TITLES)
    )
    ann, feed_id = reader_of_one_feed(store, "https://odd.example/feed", items, now=NOW)
    titles = {e.id: e.title or "" for e in store.entries.newest(feed_id=feed_id, limit=20)}
    return store, ann, titles


# PostgreSQL folds case by its own rules (lower() by the locale, AREs without Unicode's case
# orbits): "K", "ſ" and "İ" fold differently there (docs/rules.md). This file is about
# SQLite's prefilter; those three stay SQLite's.
POSTGRES_FOLDS_OTHERWISE = {
    "title:/300 k/i",
    "title:/big sale/i",
    "title:istanbul",
    "title:/300 k|nothing here/i",
}


@pytest.mark.parametrize("text", QUERIES)
def test_sql_agrees_with_the_matcher(world: tuple[Store, int, dict[int, str]], text: str) -> None:
    store, ann, titles = world
    if store.engine.dialect.name == "postgresql" and text in POSTGRES_FOLDS_OTHERWISE:
        pytest.skip("PostgreSQL folds these characters' case otherwise (docs/rules.md)")
    query = parse_query(text, require_terms=False)
    matcher = compile_matcher(query)
    expected = sorted(
        entry_id
        for entry_id, title in titles.items()
        if matcher(EntryFacts(entry_id=entry_id, feed_id=0, title=title))
    )
    assert expected, f"{text} should match something here"
    assert sorted(store.reading.entry_ids(ann, EntryFilter(search=query))) == expected


@pytest.mark.parametrize("text", [*QUERIES, "title:/Big/", "title:/SALE/i", "title:/case and/"])
def test_the_prefilter_changes_nothing(
    world: tuple[Store, int, dict[int, str]], text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On each database, against its own folding: the same entries with and without LIKEs."""
    store, ann, _ = world
    query = parse_query(text, require_terms=False)
    with_likes = store.reading.entry_ids(ann, EntryFilter(search=query))
    monkeypatch.setattr(search, "_like_prefilter", lambda *_: None)
    assert store.reading.entry_ids(ann, EntryFilter(search=query)) == with_likes
