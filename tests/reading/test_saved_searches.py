"""Saved searches on both databases: saving, order, unread counts, limits, ownership."""

from __future__ import annotations

import pytest

from reading.world import World, data
from support.decoys import make_decoys
from tidings.errors import InvalidInput
from tidings.search_query import SearchQueryError
from tidings.store import savedsearches
from tidings.store.errors import Conflict, LimitReached, NotFound


@pytest.fixture
def world(world: World) -> World:
    make_decoys(world.store)
    return world


def _library(world: World) -> list[int]:
    feed = world.feed(world.ann, "https://e.org/rust", title="Rust Blog")
    world.feed(world.bob, "https://e.org/rust")
    return world.refresh(
        feed,
        [
            data("a", "Memory safety in Rust"),
            data("b", "Rust 2.0 released"),
            data("c", "Tomatoes and basil"),
        ],
    )


def _counts(world: World, user_id: int) -> dict[str, int]:
    return {s.name: s.unread_count for s in world.store.saved_searches.of_user(user_id)}


def test_saved_searches_count_unread_matches_per_user(world: World) -> None:
    ids = _library(world)
    saved = world.store.saved_searches
    rust = saved.create(world.ann, "  Rust   news ", "rust")
    saved.create(world.ann, "Titles", "basil")
    saved.create(world.bob, "Rust news", "rust")
    assert rust.name == "Rust news"
    assert _counts(world, world.ann) == {"Rust news": 2, "Titles": 1}
    # Reading one entry lowers Ann's count and not Bob's.
    by_title = {
        h.entry.entry.title: h.entry.entry.id for h in world.store.search.search(world.ann, "rust")
    }
    world.store.reading.mark_read(world.ann, [by_title["Rust 2.0 released"]])
    assert _counts(world, world.ann) == {"Rust news": 1, "Titles": 1}
    assert _counts(world, world.bob) == {"Rust news": 2}
    assert len(ids) == 3


def test_saved_searches_keep_their_order_and_belong_to_their_user(world: World) -> None:
    saved = world.store.saved_searches
    first = saved.create(world.ann, "One", "a")
    second = saved.create(world.ann, "Two", "b")
    bobs = saved.create(world.bob, "One", "a")
    assert [s.id for s in saved.of_user(world.ann, counts=False)] == [first.id, second.id]
    assert saved.get(world.ann, second.id).query == "b"
    with pytest.raises(NotFound):
        saved.get(world.ann, bobs.id)
    with pytest.raises(NotFound):
        saved.delete(world.ann, bobs.id)
    saved.delete(world.ann, first.id)
    assert [s.name for s in saved.of_user(world.ann)] == ["Two"]
    assert [s.name for s in saved.of_user(world.bob)] == ["One"]


@pytest.mark.parametrize(
    ("name", "query", "error"),
    [
        ("", "rust", InvalidInput),
        ("x" * 101, "rust", InvalidInput),
        ("Empty", "   ", InvalidInput),
        ("Bad", 'title:"unclosed', SearchQueryError),
        ("No words", "is:unread", SearchQueryError),
    ],
)
def test_bad_saved_searches_are_refused(
    world: World, name: str, query: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        world.store.saved_searches.create(world.ann, name, query)
    assert world.store.saved_searches.of_user(world.ann) == []


def test_names_are_unique_per_user_and_searches_are_limited(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved = world.store.saved_searches
    saved.create(world.ann, "Same", "a")
    with pytest.raises(Conflict):
        saved.create(world.ann, "Same", "b")
    monkeypatch.setattr(savedsearches, "MAX_SAVED_SEARCHES", 2)
    saved.create(world.ann, "Other", "b")
    with pytest.raises(LimitReached):
        saved.create(world.ann, "Third", "c")


def test_unread_counts_stop_at_the_cap(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    _library(world)
    monkeypatch.setattr(savedsearches, "MAX_UNREAD_COUNT", 2)
    world.store.saved_searches.create(world.ann, "All rust", "rust")
    [found] = world.store.saved_searches.of_user(world.ann)
    assert found.unread_count == 2
    assert found.unread_label == "2+"


def test_recent_counts_are_given_again_within_max_age(world: World) -> None:
    ids = _library(world)
    saved = world.store.saved_searches
    saved.create(world.ann, "Rust", "rust")

    def count(now: float, max_age: float = 15.0) -> int:
        [found] = saved.of_user(world.ann, max_age=max_age, now=now)
        return found.unread_count

    assert count(100.0) == 2
    world.store.reading.mark_read(world.ann, ids)
    assert count(110.0) == 2  # counted at 100: young enough
    assert count(110.0, max_age=0.0) == 0  # no max_age: counted now
    assert count(126.0) == 0  # the counts of 110 are 16 s old
    world.store.reading.mark_unread(world.ann, ids)
    saved.create(world.ann, "Basil", "basil")  # saving forgets the user's counts
    assert [s.unread_count for s in saved.of_user(world.ann, max_age=15.0, now=127.0)] == [2, 1]
    saved.create(world.bob, "Rust", "rust")
    assert [s.unread_count for s in saved.of_user(world.bob, max_age=15.0, now=127.0)] == [2]
