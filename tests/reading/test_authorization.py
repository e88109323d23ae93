"""Bob can neither read nor change Ann's subscriptions, categories, entry state or search results,
through any method of ReadingQueries and SearchQueries."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from reading.world import NOW, World, data
from tidings.store import NotFound
from tidings.store.schema import subscription_categories


def snapshot(world: World, user_id: int) -> tuple[Any, ...]:
    reading = world.store.reading
    return (
        reading.subscriptions(user_id),
        reading.categories(user_id),
        reading.entries(user_id, status="all", limit=500),
        reading.unread_counts(user_id),
        [h.entry for h in world.store.search.search(user_id, "secret")],
    )


def test_bob_cannot_reach_anns_reading(world: World) -> None:
    store, ann, bob = world.store, world.ann, world.bob
    private = world.feed(ann, "https://e.org/ann", title="Ann's title", categories=["Secret"])
    shared = world.feed(ann, "https://e.org/shared", title="Ann's name for it")
    world.feed(bob, "https://e.org/shared")
    p1, p2 = world.refresh(private, [data("p1", "secret plans"), data("p2", "secret notes")])
    s1, s2 = world.refresh(shared, [data("s1", "secret shared"), data("s2", "public words")])
    store.reading.mark_read(ann, [p1, s1])
    store.reading.star(ann, [p2, s2])
    secret = store.reading.categories(ann)[0]
    before = snapshot(world, ann)

    # Reading Ann's things: nothing of hers shows.
    (bobs,) = store.reading.subscriptions(bob)
    assert bobs.feed_id == shared and bobs.title is None and bobs.categories == ()
    assert store.reading.categories(bob) == []
    assert store.reading.unread_counts(bob).by_feed == {shared: 2}
    assert {e.entry.key for e in store.reading.entries(bob, status="all")} == {"s1", "s2"}
    assert not any(e.read or e.starred for e in store.reading.entries(bob, status="all"))
    assert store.reading.entries(bob, status="all", feed_id=private) == []
    assert store.reading.entries(bob, status="all", category_id=secret.id) == []
    assert store.reading.entries(bob, status="all", starred=True) == []
    for call in (
        lambda: store.reading.subscription(bob, private),
        lambda: store.reading.entry(bob, p1),
    ):
        with pytest.raises(NotFound):
            call()
    assert [h.entry.entry.key for h in store.search.search(bob, "secret")] == ["s1"]
    assert store.search.search(bob, f"secret feed:{private}") == []
    assert store.search.search(bob, "secret feed:ann") == []  # Ann's title for a feed
    assert store.search.search(bob, "secret category:Secret") == []
    assert store.search.search(bob, "secret is:read") == []
    assert store.search.search(bob, "public is:starred") == []

    # Changing Ann's things: refused, or no effect.
    for call in (
        lambda: store.reading.update_subscription(bob, private, title="mine"),
        lambda: store.reading.update_subscription(bob, private, categories=["x"]),
        lambda: store.reading.unsubscribe(bob, private),
        lambda: store.reading.rename_category(bob, secret.id, "taken"),
        lambda: store.reading.remove_category(bob, secret.id),
        lambda: store.reading.mark_feed_read(bob, private, as_of=NOW),
        lambda: store.reading.mark_category_read(bob, secret.id, as_of=NOW),
    ):
        with pytest.raises(NotFound):
            call()
    assert store.reading.mark_read(bob, [p1, p2]) == 0
    assert store.reading.star(bob, [p1, p2]) == 0
    assert store.reading.mark_unread(bob, [p1, s1]) == 0  # Ann's read marks stay
    assert store.reading.unstar(bob, [p2, s2]) == 0  # Ann's stars stay
    assert store.reading.mark_all_read(bob, as_of=NOW) == 2  # his own two
    assert store.reading.star(bob, [s1]) == 1
    assert store.reading.add_category(bob, "Secret").id != secret.id
    store.reading.update_subscription(bob, shared, title="Bob's", categories=["Secret"])

    # Not even the database lets Bob's subscription into Ann's category.
    with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as conn:
        conn.execute(
            subscription_categories.insert().values(
                user_id=bob, feed_id=shared, category_id=secret.id
            )
        )

    # Following the same URL shows Bob its entries, never Ann's title, categories or state.
    sub = store.reading.subscribe(bob, "https://e.org/ann")
    assert sub.feed_id == private and sub.title is None and sub.categories == ()
    assert not store.reading.entry(bob, p1).read and not store.reading.entry(bob, p2).starred
    assert store.reading.unread_counts(bob).by_feed[private] == 2

    assert snapshot(world, ann) == before
