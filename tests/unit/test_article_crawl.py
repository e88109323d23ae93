"""The refresher's pure article decisions (refresh/articles.py): which new entries get their
article, and the sentence a crawl leaves on the feed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tidings.refresh.articles import ArticleOutcome, crawl_error, pick_articles
from tidings.store.articles import ArticleCandidate

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def c(entry_id: int, link: str | None, minutes: int) -> ArticleCandidate:
    return ArticleCandidate(entry_id, link, T0 + timedelta(minutes=minutes))


@pytest.mark.parametrize(
    ("candidates", "limit", "chosen"),
    [
        ([], 10, []),
        ([c(1, "https://a/1", 0), c(2, "https://a/2", 5)], 10, [2, 1]),  # newest first
        ([c(1, "https://a/1", 0), c(2, "https://a/2", 5), c(3, "https://a/3", 9)], 2, [3, 2]),
        ([c(1, None, 9), c(2, "", 8), c(3, "https://a/3", 1)], 10, [3]),  # no page
        ([c(1, "mailto:x@y", 9), c(2, "ftp://a/f", 8), c(3, "HTTP://A/3", 1)], 10, [3]),
        ([c(1, "https://a/same", 9), c(2, "https://a/same", 8)], 10, [1]),  # one per link
        ([c(4, "https://a/4", 3), c(9, "https://a/9", 3)], 1, [9]),  # a tie: the later id
        ([c(1, "javascript:x", 9), c(2, "https://a/2", 1)], 1, [2]),  # the limit counts pages
    ],
)
def test_pick_articles(candidates: list[ArticleCandidate], limit: int, chosen: list[int]) -> None:
    assert [p.entry_id for p in pick_articles(candidates, limit)] == chosen


OK = ArticleOutcome("https://a/1")
BAD = ArticleOutcome("https://a/2", "https://a/2 answered 404 Not Found.")
SLOW = ArticleOutcome("https://a/3", "https://a/3 took too long to read (over 10 s).")


@pytest.mark.parametrize(
    ("outcomes", "error"),
    [
        ([], None),
        ([OK], None),
        ([OK, OK], None),
        (
            [BAD],
            "The full article could not be got (https://a/2: https://a/2 answered 404 Not Found.).",
        ),
        (
            [OK, BAD, SLOW],
            "2 of 3 full articles could not be got "
            "(first: https://a/2: https://a/2 answered 404 Not Found.).",
        ),
    ],
)
def test_crawl_error(outcomes: list[ArticleOutcome], error: str | None) -> None:
    assert crawl_error(outcomes) == error


def test_crawl_error_is_one_bounded_line() -> None:
    long = ArticleOutcome("https://a/" + "x" * 2000, "why\nnot " * 300)
    error = crawl_error([long])
    assert error is not None and "\n" not in error and len(error) < 500
