"""store.rules.write_outcomes writes what rules did, on SQLite (one executemany a table) and on
PostgreSQL (one statement of arrays a table): a flag is only ever set, its time kept once set,
two outcomes of one (user, entry) merged, labels added once. Ids never line up (decoys first)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from support.decoys import make_decoys
from support.entries import apply_check
from tidings.model import EntryData
from tidings.rules.engine import Outcome
from tidings.store import Store
from tidings.store import rules as rules_store
from tidings.store.rules import RuleQueries
from tidings.store.schema import entries, entry_labels, entry_states

EARLIER = datetime(2026, 12, 1, 8, tzinfo=UTC)
NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)


def _states(store: Store) -> dict[tuple[int, int], tuple[bool, bool, bool, object, object]]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                entry_states.c.user_id,
                entry_states.c.entry_id,
                entry_states.c.read,
                entry_states.c.starred,
                entry_states.c.hidden,
                entry_states.c.read_at,
                entry_states.c.starred_at,
            )
        ).all()
    return {(r[0], r[1]): (r[2], r[3], r[4], r[5], r[6]) for r in rows}


def test_outcomes_set_flags_keep_times_merge_and_label(store: Store) -> None:
    make_decoys(store)
    ann = store.users.add("ann", "x").id
    bob = store.users.add("bob", "x").id
    feed = store.feeds.add("https://news.example/feed")
    items = tuple(
        EntryData(key=f"k{i}", title=f"t{i}", link=f"https://news.example/{i}", content_hash=str(i))
        for i in range(3)
    )
    apply_check(store, feed.id, items, now=NOW - timedelta(days=1), fetched=None)
    with store.engine.connect() as conn:
        ids = list(
            conn.execute(
                sa.select(entries.c.id).where(entries.c.feed_id == feed.id).order_by(entries.c.key)
            ).scalars()
        )
    first, second, third = ids
    assert {ann, bob}.isdisjoint(ids) and feed.id not in ids
    # Ann read the first entry earlier: a rule that marks it read keeps that time.
    with store.engine.begin() as conn:
        conn.execute(
            entry_states.insert().values(
                user_id=ann, entry_id=first, feed_id=feed.id, read=True, read_at=EARLIER
            )
        )

    outcomes = [
        Outcome(ann, first, read=True, starred=True, labels=("later",)),
        Outcome(ann, second, hidden=True, read=True),
        Outcome(bob, second, labels=("x", "y")),  # labels only: no state row
        # Two outcomes of one (user, entry), as "apply to stored entries" of two rules could give.
        Outcome(bob, third, read=True),
        Outcome(bob, third, starred=True, labels=("x",)),
        Outcome(ann, first, labels=("later",)),  # a label already given: once
    ]
    with store.engine.begin() as conn:
        RuleQueries.write_outcomes(conn, feed.id, outcomes, NOW)

    states = _states(store)
    assert states == {
        (ann, first): (True, True, False, EARLIER, NOW),
        (ann, second): (True, False, True, NOW, None),
        (bob, third): (True, True, False, NOW, NOW),
    }
    with store.engine.connect() as conn:
        labels = sorted(tuple(r) for r in conn.execute(sa.select(entry_labels)).all())
    assert labels == sorted(
        [(ann, first, "later"), (bob, second, "x"), (bob, second, "y"), (bob, third, "x")]
    )

    # Written again (a later rule, or a second apply): nothing is unset, no time moves.
    with store.engine.begin() as conn:
        RuleQueries.write_outcomes(
            conn, feed.id, [Outcome(ann, second, starred=True)], NOW + timedelta(hours=1)
        )
    assert _states(store)[ann, second] == (True, True, True, NOW, NOW + timedelta(hours=1))


@pytest.mark.parametrize("users_a_query", [1, rules_store.VIEWS_USERS_A_QUERY])
def test_the_readers_of_feeds_are_each_readers_own_view_by_feed(
    store: Store, users_a_query: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a write batch reads of its feeds' readers with rules (`RuleQueries.subscribers`):
    each user's titles and categories of each feed; a feed none of them reads is not there,
    nor a user not asked for. The same when the users are asked for a few at a time (as
    thousands of users with rules are, under the databases' bounds on values a statement)."""
    monkeypatch.setattr(rules_store, "VIEWS_USERS_A_QUERY", users_a_query)
    make_decoys(store)
    ann = store.users.add("ann", "x").id
    bob = store.users.add("bob", "x").id
    carl = store.users.add("carl", "x").id  # subscribes, but is not asked for (no rules)
    town = store.feeds.add("https://town.example/feed")
    other = store.feeds.add("https://other.example/feed")
    unread = store.feeds.add("https://unread.example/feed")
    store.reading.subscribe(ann, town.url, title="My town", categories=["Local", "News"])
    store.reading.subscribe(bob, town.url)
    store.reading.subscribe(bob, other.url, categories=["Misc"])
    store.reading.subscribe(carl, other.url)
    store.reading.subscribe(carl, unread.url)

    with store.engine.connect() as conn:
        views = RuleQueries.subscribers(conn, [town.id, other.id, unread.id], [ann, bob])
        only_town = RuleQueries.subscribers(conn, [town.id], [bob])

    assert set(views) == {town.id, other.id}
    by_user = {s.user_id: s for s in views[town.id]}
    assert sorted(s.user_id for s in views[town.id]) == sorted({ann, bob})  # once each
    assert by_user[ann].feed_titles[0] == "My town"
    assert by_user[ann].categories == {"Local", "News"}
    assert len(by_user[ann].category_ids) == 2
    assert by_user[bob].categories == frozenset()
    assert [(s.user_id, s.categories) for s in views[other.id]] == [(bob, {"Misc"})]
    assert [(feed, [s.user_id for s in found]) for feed, found in only_town.items()] == [
        (town.id, [bob])
    ]
