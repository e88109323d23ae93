"""The search language: a table of queries and what they parse to, and of malformed ones."""

from __future__ import annotations

from datetime import date

import pytest

from tidings.search_query import SearchQuery, SearchQueryError, parse_search_query

PARSES = [
    ("rust", SearchQuery(words=("rust",))),
    ("  rust   async ", SearchQuery(words=("rust", "async"))),
    ('"memory safety"', SearchQuery(phrases=("memory safety",))),
    ('"  memory   safety "', SearchQuery(phrases=("memory safety",))),
    ('"rust"', SearchQuery(words=("rust",))),
    ("rust -unsafe", SearchQuery(words=("rust",), excluded=("unsafe",))),
    ('rust -"unsafe code"', SearchQuery(words=("rust",), excluded=("unsafe code",))),
    ("rust feed:12", SearchQuery(words=("rust",), feeds=(12,))),
    ('rust feed:"Hacker News"', SearchQuery(words=("rust",), feeds=("Hacker News",))),
    ("rust feed:lobsters feed:3", SearchQuery(words=("rust",), feeds=("lobsters", 3))),
    ("rust category:Tech", SearchQuery(words=("rust",), categories=("Tech",))),
    ('x category:"Open source"', SearchQuery(words=("x",), categories=("Open source",))),
    ("rust is:unread", SearchQuery(words=("rust",), unread=True)),
    ("rust is:read", SearchQuery(words=("rust",), unread=False)),
    ("rust IS:Starred", SearchQuery(words=("rust",), starred=True)),
    ("rust after:2024-01-01", SearchQuery(words=("rust",), after=date(2024, 1, 1))),
    (
        "rust after:2024-01-01 before:2024-07-01",
        SearchQuery(words=("rust",), after=date(2024, 1, 1), before=date(2024, 7, 1)),
    ),
    ("rust rust", SearchQuery(words=("rust",))),
    ("rust !!! -- ...", SearchQuery(words=("rust",))),  # punctuation alone is no word
    ("10:30 c++", SearchQuery(words=("10:30", "c++"))),  # digits before ":" are no filter
    ('rust ""', SearchQuery(words=("rust",))),
    ("it's", SearchQuery(words=("it's",))),
    ("naïve café", SearchQuery(words=("naïve", "café"))),
    ("'; DROP TABLE entries; --", SearchQuery(words=("DROP", "TABLE", "entries;"))),
]


@pytest.mark.parametrize(("text", "expected"), PARSES)
def test_parses(text: str, expected: SearchQuery) -> None:
    assert parse_search_query(text) == expected


MALFORMED = [
    ("", "type a word"),
    ("   ", "type a word"),
    ("-rust", "type a word"),
    ("is:unread", "type a word"),
    ("!!!", "type a word"),
    ('"memory safety', "closing quote"),
    ('rust "', "closing quote"),
    ('"a"b', "space after a closing quote"),
    ("rust -", "followed by a word"),
    ("rust colour:red", "unknown filter colour:"),
    ("http://example.org", "unknown filter http:"),
    ("rust feed:", "feed: needs a value"),
    ('rust feed:""', "feed: needs a value"),
    ("rust -feed:3", "cannot be negated"),
    ("rust is:new", "is: takes unread, read, starred"),
    ("rust is:unread is:read", "cannot both hold"),
    ("rust before:2024-13-01", "before: needs a date"),
    ("rust after:yesterday", "after: needs a date"),
    ("rust after:2024-1-1", "after: needs a date"),
    ("rust after:2024-01-01 after:2024-02-01", "after: is given twice"),
    ("rust after:2024-02-01 before:2024-02-01", "after: must be a day earlier"),
    ("x" * 501, "too long"),
    (" ".join(f"w{i}" for i in range(33)), "too many search terms"),
]


@pytest.mark.parametrize(("text", "message"), MALFORMED)
def test_malformed_queries_say_why(text: str, message: str) -> None:
    with pytest.raises(SearchQueryError, match=message.replace("+", r"\+")):
        parse_search_query(text)


def test_the_error_is_a_value_error() -> None:
    assert issubclass(SearchQueryError, ValueError)
