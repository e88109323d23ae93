"""A rule's preview (store.rules.preview) counts the newest matches up to PREVIEW_COUNT; it
looks among the newest PREVIEW_WINDOW entries first (on SQLite, for words only) and runs the
whole query only when they hold too few. Both limits are made small here, so every path is
taken: the window enough, the window short, matches only past the window, none. Both
databases; another user's feed, newer than all, is never counted (ids never line up: decoys
first)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from support.decoys import make_decoys
from support.entries import apply_check
from tidings.model import EntryData
from tidings.search_query import parse_query
from tidings.store import Store
from tidings.store import rules as store_rules

NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)
# Newest first: entry i is i minutes old.
TITLES = ["apple pie", "plain", "apple tart", "plain", "plain", "plain", "apple cake", "apple jam"]


def _write(store: Store, url: str, titles: list[str], newer_by: timedelta) -> int:
    feed = store.feeds.add(url)
    items = tuple(
        EntryData(
            key=f"{url}#{i}",
            title=title,
            link=f"{url}/{i}",
            published_at=NOW - timedelta(minutes=i) + newer_by,
            content_hash=str(i),
        )
        for i, title in enumerate(titles)
    )
    apply_check(store, feed.id, items, now=NOW, fetched=None)
    return feed.id


@pytest.fixture
def ann(store: Store, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(store_rules, "PREVIEW_COUNT", 2)
    monkeypatch.setattr(store_rules, "PREVIEW_WINDOW", 3)
    make_decoys(store)
    ann = store.users.add("ann", "x").id
    mine = _write(store, "https://mine.example/feed", TITLES, timedelta(0))
    store.reading.subscribe(ann, "https://mine.example/feed")
    # Bob's feed: newer than all of Ann's, every title matching.
    _write(store, "https://bobs.example/feed", ["apple", "apple", "apple"], timedelta(hours=1))
    assert mine
    return ann


@pytest.mark.parametrize(
    ("query", "titles", "capped"),
    [
        ("title:apple", ["apple pie", "apple tart"], True),  # 2 in the window of 3: capped
        ("title:/apple (cake|jam)/", ["apple cake", "apple jam"], False),  # past the window
        ("title:/^apple c/", ["apple cake"], False),
        ("title:plain", ["plain", "plain"], True),
        ("title:zebra", [], False),
        # Words: on SQLite the window looks each entry up in the index's matches.
        ("apple", ["apple pie", "apple tart"], True),
        ("jam", ["apple jam"], False),
        ("plain", ["plain", "plain"], True),
        ("zebra", [], False),
    ],
)
def test_the_newest_matches_whatever_the_path(
    store: Store, ann: int, query: str, titles: list[str], capped: bool
) -> None:
    preview = store.rules.preview(ann, parse_query(query, require_terms=False), "all", None)
    assert [e.entry.title for e in preview.newest] == titles
    assert preview.total == len(titles)
    assert preview.capped is capped
    assert sum(c.count for c in preview.per_feed) == len(titles)


@pytest.mark.parametrize("query", ["apple", "title:/apple/", "-title:plain"])
def test_enough_matches_in_the_window_are_the_answer(
    store: Store, ann: int, monkeypatch: pytest.MonkeyPatch, query: str
) -> None:
    """Two of the newest three entries match and one is counted: the window alone answers."""
    monkeypatch.setattr(store_rules, "PREVIEW_COUNT", 1)
    preview = store.rules.preview(ann, parse_query(query, require_terms=False), "all", None)
    assert [e.entry.title for e in preview.newest] == ["apple pie"]
    assert (preview.total, preview.capped) == (1, True)
