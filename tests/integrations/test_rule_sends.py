"""A rule sends the entries it matches to the user's integrations as the refresher writes them:
queued in the write's transaction, sent by the delivery worker to a webhook whose signature is
checked here. On SQLite and PostgreSQL, decoys first (no id lines up)."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

from support.decoys import make_decoys
from support.recording_service import Service
from tidings.accounts import create_user
from tidings.fetch import Fetcher
from tidings.integrations.service import run_due, stored_config
from tidings.model import EntryData, FeedUpdate
from tidings.rules.engine import RuleBook
from tidings.rules.model import RuleDraft, checked_rule
from tidings.store import Store
from tidings.store.updates import Retention

KEY = "site-secret-key"


def write_as_the_refresher(store: Store, feed_id: int, titles: list[str]) -> None:
    """New entries through the refresher's write path, with the rules it loads."""
    now = datetime.now(UTC)
    feed = dataclasses.replace(store.feeds.get(feed_id), checked_at=now)
    new = tuple(
        EntryData(key=f"k-{t}", title=t, link=f"https://e.org/{i}", content_hash=str(i))
        for i, t in enumerate(titles)
    )
    with store.updates.batch(RuleBook(store.rules.enabled())) as batch:
        batch.apply(
            FeedUpdate(feed=feed, new_entries=new), owner=None, now=now, retention=Retention()
        )


def test_a_rule_sends_new_entries_to_a_signed_webhook(store: Store, service: Service) -> None:
    make_decoys(store)
    ann = create_user(store, "ann", "correct horse")
    bob = create_user(store, "bob", "correct horse")
    feed_id = store.reading.subscribe(ann.id, "https://e.org/feed").feed_id
    assert feed_id is not None
    store.reading.subscribe(bob.id, "https://e.org/feed")
    config = stored_config(KEY, "webhook", {"url": f"{service.url}/hook", "secret": "whsec"})
    hook = store.integrations.create(ann.id, "webhook", "hook", config)
    service.answers["/hook"] = [(200, {})]
    store.integrations.create(bob.id, "webhook", "bob's", config)  # Bob has no rule
    rule = RuleDraft("to the hook", "title:/release/i", actions=("send", "star"))
    store.rules.add(ann.id, checked_rule(rule, is_admin=False))

    write_as_the_refresher(store, feed_id, ["Release 2.0", "Weekly notes"])

    (queued,) = store.integrations.log(ann.id)
    assert (queued.state, queued.integration_id) == ("queued", hook.id)
    assert store.integrations.log(bob.id) == []
    released = store.reading.entry(ann.id, queued.entry_id)
    assert released.entry.title == "Release 2.0" and released.starred

    async def step() -> int:
        async with Fetcher(allow_private_networks=True) as fetcher:
            return await run_due(store, KEY, fetcher, datetime.now(UTC) + timedelta(seconds=1))

    assert asyncio.run(step()) == 1
    (request,) = service.requests
    expected = hmac.new(b"whsec", request.body, hashlib.sha256).hexdigest()
    assert request.headers["x-tidings-signature"] == expected
    assert json.loads(request.body)["entry"]["title"] == "Release 2.0"
    assert json.loads(request.body)["entry"]["feed_title"] == "https://e.org/feed"  # no title yet
    (sent,) = store.integrations.log(ann.id)
    assert sent.state == "sent"

    # Applying the rule to stored entries stars them but sends nothing again.
    (saved,) = store.rules.of_user(ann.id)
    store.rules.apply(ann.id, saved)
    assert len(store.integrations.log(ann.id)) == 1
