"""A field an entry lacks (no author, no link: NULL in the table) is "" to the query language,
in SQL as in the in-memory matcher. On PostgreSQL a positive term reads the column itself, for
its statistics (store.search._text_condition), unless its pattern matches "": then a NULL must
still match, and a negated term must still take the entries that lack the field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from support.decoys import reader_of_one_feed
from tidings.model import EntryData
from tidings.reading.filters import EntryFilter
from tidings.rules.matcher import EntryFacts, compile_matcher
from tidings.search_query import parse_query
from tidings.store import Store

NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)
# (author, link) of each entry; None is a missing field.
FIELDS = [
    ("Ann Lee", "https://site.example/ann"),
    (None, "https://site.example/nobody"),
    ("", None),
    (None, None),
    ("Bob", "https://site.example/bob"),
]
QUERIES = [
    "author:/^$/",  # matches "": the entries without an author too
    "author:/x*/",  # matches anything, even ""
    "author:/Ann/",
    "author:/^a/i",
    "-author:/Ann/",
    "-author:/^$/",
    "url:/^$/",
    "url:/site/",
    "-url:/ann/",
    "author:ann",
    "-author:bob",
]


@pytest.fixture
def world(store: Store) -> tuple[Store, int, dict[int, tuple[str, str]]]:
    items = tuple(
        EntryData(
            key=str(i),
            title=f"Entry {i}",
            author=author,
            link=link,
            published_at=NOW - timedelta(minutes=i),
            content_hash=str(i),
        )
        for i, (author, link) in enumerate(FIELDS)
    )
    ann, feed_id = reader_of_one_feed(store, "https://site.example/feed", items, now=NOW)
    found = store.entries.newest(feed_id=feed_id, limit=20)
    assert sum(e.author is None for e in found) >= 2 and sum(e.link is None for e in found) >= 2
    return store, ann, {e.id: (e.author or "", e.link or "") for e in found}


@pytest.mark.parametrize("text", QUERIES)
def test_a_missing_field_is_empty_text(
    world: tuple[Store, int, dict[int, tuple[str, str]]], text: str
) -> None:
    store, ann, fields = world
    query = parse_query(text, require_terms=False)
    matcher = compile_matcher(query)
    expected = sorted(
        entry_id
        for entry_id, (author, url) in fields.items()
        if matcher(EntryFacts(entry_id=entry_id, feed_id=0, author=author, url=url))
    )
    assert 0 < len(expected) < len(fields) or text == "author:/x*/", expected
    assert sorted(store.reading.entry_ids(ann, EntryFilter(search=query))) == expected
