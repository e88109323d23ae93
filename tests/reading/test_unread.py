"""Every way of asking for a user's unread entries gives the same entries.

"Unread" is written two ways in the store (reading.unread_in): a test of the outer-joined state
row on SQLite, a NOT EXISTS over the state rows on PostgreSQL and in the unread counts. Each
state an entry can be in is here once, on both databases.
"""

from __future__ import annotations

from reading.world import World, data


def test_every_unread_query_agrees_on_every_state(world: World) -> None:
    store, ann, bob = world.store, world.ann, world.bob
    one = world.feed(ann, "https://e.org/1")
    two = world.feed(ann, "https://e.org/2")
    world.feed(bob, "https://e.org/1")
    world.feed(bob, "https://e.org/2")
    others = world.feed(bob, "https://e.org/3")  # Ann does not follow it
    keys = ["fresh", "read", "starred", "read-again", "bob-read", "starred-read"]
    ids = dict(zip(keys, world.refresh(one, [data(k, "zebra " + k) for k in keys]), strict=True))
    (shared,) = world.refresh(two, [data("shared", "zebra shared")])
    world.refresh(others, [data("not-ann's", "zebra not followed")])

    store.reading.mark_read(ann, [ids["read"], ids["read-again"], ids["starred-read"], shared])
    store.reading.mark_unread(ann, [ids["read-again"]])  # a state row that says unread
    store.reading.star(ann, [ids["starred"], ids["starred-read"]])  # rows with read = false / true
    store.reading.mark_read(bob, [ids["bob-read"]])  # Bob's row says nothing of Ann's reading
    store.reading.mark_read(bob, [shared])

    unread = {ids[k] for k in ("fresh", "starred", "read-again", "bob-read")}
    reading = store.reading
    assert {e.entry.id for e in reading.entries(ann, status="unread")} == unread
    assert {e.entry.id for e in reading.entries(ann, status="unread", order="oldest")} == unread
    assert {e.entry.id for e in reading.entries(ann, status="unread", feed_id=two)} == set()
    assert reading.count_entries(ann, status="unread") == len(unread)
    assert {e.entry.id for e in reading.entries_by_id(ann, status="unread")} == unread
    assert set(reading.entry_ids(ann, status="unread")) == unread
    counts = reading.unread_counts(ann)
    assert (counts.total, dict(counts.by_feed)) == (4, {one: 4, two: 0})
    assert {s.feed_id: s.unread_count for s in reading.subscriptions(ann)} == {one: 4, two: 0}
    hits = store.search.search(ann, "zebra is:unread", limit=50)
    assert {hit.entry.entry.id for hit in hits} == unread
    # Bob read two entries of the feeds he shares with Ann; the rest are his to read.
    assert reading.unread_counts(bob).by_feed == {one: 5, two: 0, others: 1}
