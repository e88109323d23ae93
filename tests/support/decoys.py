"""Decoy rows that make every table's ids differ, for identity and authorization tests.

A test where user 1 owns key 1, feed 1 and category 1 cannot catch a lookup that reads one
table's id as another's: the mistake gives the right answer. After `make_decoys`, the next row
of each table gets an id of its own range (users from 3, API keys from 11, feeds from 21, user
categories from 31, public categories from 6, feed tokens from 41, entries from 51), so for
any test with fewer than 8 users, no id of one kind equals an id of another.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from support.entries import apply_check
from tidings.model import EntryData
from tidings.store import Store
from tidings.store.schema import api_keys, categories, feed_tokens, feeds, user_categories, users

NOW = datetime(2025, 1, 1, tzinfo=UTC)


def make_decoys(store: Store) -> None:
    """Two decoy users owning 10 keys, 20 private feeds (50 entries in the first), 30
    categories and 40 feed tokens, and 5 public categories (all in one write, then one check)."""
    with store.engine.begin() as conn:
        owner = None
        for n in range(2):
            owner = conn.execute(
                users.insert()
                .values(name=f"decoy{n}", password_hash="!", created_at=NOW)
                .returning(users.c.id)
            ).scalar_one()
        conn.execute(
            api_keys.insert(),
            [
                {"user_id": owner, "name": f"k{n}", "token_hash": f"decoy{n}", "created_at": NOW}
                for n in range(10)
            ],
        )
        conn.execute(
            feeds.insert(),
            [
                {"url": f"https://decoy.example/{n}", "created_at": NOW, "is_public": False}
                for n in range(20)
            ],
        )
        conn.execute(
            user_categories.insert(), [{"user_id": owner, "name": f"c{n}"} for n in range(30)]
        )
        conn.execute(categories.insert(), [{"name": f"decoy {n}"} for n in range(5)])
        conn.execute(
            feed_tokens.insert(),
            [
                {"user_id": owner, "query": "x", "token_hash": f"decoy{n}", "created_at": NOW}
                for n in range(40)
            ],
        )
        first_feed = conn.execute(sa.select(sa.func.min(feeds.c.id))).scalar_one()
    items = tuple(
        EntryData(key=f"decoy-{n}", title=f"Decoy {n}", content_hash=f"d{n}") for n in range(50)
    )
    apply_check(store, first_feed, items, now=NOW, fetched=None)


def reader_of_one_feed(
    store: Store, url: str, items: tuple[EntryData, ...], *, now: datetime
) -> tuple[int, int]:
    """Decoys first, then Ann subscribed to the feed at `url` holding `items` (written as one
    check at `now`): (Ann's id, the feed's id)."""
    make_decoys(store)
    ann = store.users.add("ann", "x").id
    feed = store.feeds.add(url)
    apply_check(store, feed.id, items, now=now, fetched=None)
    store.reading.subscribe(ann, feed.url)
    return ann, feed.id
