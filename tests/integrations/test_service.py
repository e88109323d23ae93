"""Storage, queueing and the worker step, on SQLite and PostgreSQL, with decoy users first."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from support.decoys import make_decoys
from support.entries import apply_check
from support.recording_service import Service
from tidings.accounts import create_user
from tidings.fetch import Fetcher
from tidings.integrations.sealing import MASK
from tidings.integrations.service import (
    opened_config,
    run_due,
    send_entry,
    shown_config,
    stored_config,
)
from tidings.model import EntryData
from tidings.store import Store
from tidings.store.errors import NotFound

KEY = "site-secret-key"


def _entry_of(store: Store, user_id: int, url: str) -> int:
    now = datetime.now(UTC)
    feed_id = store.reading.subscribe(user_id, url, now=now).feed_id
    item = EntryData(key=f"{url}#1", title="Item", link=f"{url}/1", content_hash="h1")
    apply_check(store, feed_id, (item,), now=now)
    return store.entries.newest_per_feed([feed_id], 1)[feed_id][0].id


def test_secrets_sealed_masked_and_opened(store: Store) -> None:
    make_decoys(store)
    ann = create_user(store, "ann", "correct horse")
    config = stored_config(KEY, "linkding", {"url": "http://x", "token": "tok-abcdefgh"})
    assert "tok-abcdefgh" not in config
    stored = store.integrations.create(ann.id, "linkding", "My links", config)
    assert "tok-abcdefgh" not in json.dumps(shown_config(KEY, stored))
    assert shown_config(KEY, stored)["token"] == MASK + "gh"
    assert opened_config(KEY, stored)["token"] == "tok-abcdefgh"


def test_another_user_cannot_see_or_use(store: Store) -> None:
    make_decoys(store)
    ann = create_user(store, "ann", "correct horse")
    bob = create_user(store, "bob", "battery staple")
    mine = store.integrations.create(ann.id, "webhook", "hook", "{}")
    entry_id = _entry_of(store, bob.id, "https://e.org/bob")
    with pytest.raises(NotFound):
        store.integrations.get(bob.id, mine.id)
    with pytest.raises(NotFound):
        send_entry(store, bob.id, entry_id, mine.id)
    with pytest.raises(NotFound):
        store.integrations.delete(bob.id, mine.id)
    assert store.integrations.of_user(bob.id) == []
    assert store.integrations.log(bob.id) == []
    # Nor may ann send an entry of a feed she does not read.
    with pytest.raises(NotFound):
        send_entry(store, ann.id, entry_id, mine.id)


def test_worker_retries_then_sends(store: Store, service: Service) -> None:
    make_decoys(store)
    ann = create_user(store, "ann", "correct horse")
    entry_id = _entry_of(store, ann.id, "https://e.org/ann")
    config = stored_config(KEY, "webhook", {"url": f"{service.url}/hook", "secret": "whsec"})
    hook = store.integrations.create(ann.id, "webhook", "hook", config)
    service.answers["/hook"] = [(503, {}), (200, {})]
    (queued,) = send_entry(store, ann.id, entry_id)
    assert queued.state == "queued" and queued.integration_id == hook.id

    async def step(now: datetime) -> int:
        async with Fetcher(allow_private_networks=True) as fetcher:
            return await run_due(store, KEY, fetcher, now)

    now = datetime.now(UTC)
    assert asyncio.run(step(now)) == 1
    (first,) = store.integrations.log(ann.id)
    assert (first.state, first.attempts) == ("queued", 1)
    assert first.due_at is not None and first.due_at > now
    assert asyncio.run(step(now)) == 0  # not due yet: backoff
    assert asyncio.run(step(now + timedelta(minutes=5))) == 1
    (done,) = store.integrations.log(ann.id)
    assert (done.state, done.attempts, done.due_at) == ("sent", 2, None)
    assert len(service.requests) == 2
    assert json.loads(service.requests[1].body)["entry"]["id"] == entry_id


def test_one_user_s_slow_endpoint_does_not_hold_another_s_delivery(
    store: Store, service: Service
) -> None:
    """A pass sent its deliveries one after another: eight to an endpoint taking 30 s each
    delayed another user's by 250 s. Now a pass takes one delivery of each user, all at once."""
    make_decoys(store)
    ann = create_user(store, "ann", "correct horse")
    bob = create_user(store, "bob", "battery staple")
    slow = stored_config(KEY, "webhook", {"url": f"{service.url}/slow", "secret": "a"})
    fast = stored_config(KEY, "webhook", {"url": f"{service.url}/fast", "secret": "b"})
    store.integrations.create(ann.id, "webhook", "slow", slow)
    store.integrations.create(bob.id, "webhook", "fast", fast)
    service.answers = {"/slow": [(200, {})], "/fast": [(200, {})]}
    service.holds["/slow"] = released = threading.Event()
    for n in range(3):
        send_entry(store, ann.id, _entry_of(store, ann.id, f"https://e.org/ann{n}"))
    send_entry(store, bob.id, _entry_of(store, bob.id, "https://e.org/bob"))

    async def step() -> int:
        async with Fetcher(allow_private_networks=True) as fetcher:
            return await run_due(store, KEY, fetcher, datetime.now(UTC) + timedelta(seconds=1))

    attempted: list[int] = []
    worker = threading.Thread(target=lambda: attempted.append(asyncio.run(step())))
    worker.start()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if [d.state for d in store.integrations.log(bob.id)] == ["sent"]:
                break
            time.sleep(0.02)
        # Bob's went while Ann's endpoint still held her first.
        assert [d.state for d in store.integrations.log(bob.id)] == ["sent"]
        assert not released.is_set()
    finally:
        released.set()
        worker.join(timeout=20)
    assert attempted == [2]  # one of each user
    assert sorted(d.state for d in store.integrations.log(ann.id)) == ["queued", "queued", "sent"]
