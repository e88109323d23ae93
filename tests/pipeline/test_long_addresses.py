"""Ids and addresses longer than a database index takes, on both databases.

PostgreSQL refuses an index entry past about 2,700 bytes, and the store indexes an entry's key
(its feed's id and the item's guid or link) and a feed's address. Before the bounds, a feed with
a 12 KB guid or link, or one that moved (301) to a 10 KB address, failed every check on
PostgreSQL ("index row requires 12024 bytes"): none of its entries was ever stored. The ids are
random hex, which PostgreSQL cannot compress below its limit.
"""

from __future__ import annotations

import hashlib
import secrets

import sqlalchemy as sa
from pipeline_support import Doc, FeedServer, Item, make_settings, redirect_handler, refresh, rss

from tidings.parse.entries import MAX_KEY_BYTES
from tidings.reading.limits import MAX_FEED_URL
from tidings.store import Store
from tidings.store.schema import entries


def keys(store: Store, feed_id: int) -> list[str]:
    with store.engine.connect() as conn:
        return list(
            conn.execute(
                sa.select(entries.c.key).where(entries.c.feed_id == feed_id).order_by(entries.c.id)
            ).scalars()
        )


def digest(key: str) -> str:
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def test_entries_with_a_guid_or_link_past_the_bound_are_stored_once(
    store: Store, feed_server: FeedServer
) -> None:
    long_guid = secrets.token_hex(6000)  # 12,000 bytes
    long_link = "https://example.org/" + secrets.token_hex(6000)
    at_bound = "g" * MAX_KEY_BYTES
    listed = [
        Item(long_guid, "A long guid"),
        Item(None, "A long link, no guid", link=long_link),
        Item(at_bound, "A guid at the bound"),
        Item("short", "A short guid"),
    ]
    feed_server.routes["/feed"] = Doc(rss(listed))
    feed = store.feeds.add(feed_server.url("/feed"))
    other = store.feeds.add(feed_server.url("/other"))
    feed_server.routes["/other"] = Doc(rss([Item("o1", "Another feed's entry")]))

    first = refresh(store, make_settings())

    assert (first.errors, first.new_entries) == (0, 5)
    assert keys(store, feed.id) == [digest(long_guid), digest(long_link), at_bound, "short"]
    assert keys(store, other.id) == ["o1"]
    stored = store.feeds.get(feed.id)
    assert stored.last_error is None
    # The next document adds an item: the others are known by the same digests.
    feed_server.routes["/feed"] = Doc(rss([Item("newer", "A newer item"), *listed]))
    store.feeds.schedule_now([feed.id])
    again = refresh(store, make_settings(), feed_ids=[feed.id])
    assert (again.errors, again.new_entries) == (0, 1)
    assert len(keys(store, feed.id)) == 5


def test_a_permanent_redirect_to_an_address_past_the_bound_keeps_the_old_one(
    store: Store, feed_server: FeedServer
) -> None:
    long_path = "/" + secrets.token_hex(5000)
    feed_server.routes["/moved"] = redirect_handler(301, long_path)
    feed_server.routes[long_path] = Doc(rss([Item("m1", "Moved")]))
    feed_server.routes["/moved-near"] = redirect_handler(301, "/near")
    feed_server.routes["/near"] = Doc(rss([Item("n1", "Moved, short address")]))
    far = store.feeds.add(feed_server.url("/moved"))
    near = store.feeds.add(feed_server.url("/moved-near"))

    summary = refresh(store, make_settings())

    assert (summary.errors, summary.new_entries) == (0, 2)
    assert store.feeds.get(far.id).url == feed_server.url("/moved")  # still checked through it
    assert keys(store, far.id) == ["m1"]
    assert store.feeds.get(near.id).url == feed_server.url("/near")
    assert len(feed_server.url(long_path).encode()) > MAX_FEED_URL
