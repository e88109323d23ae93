"""The WebSub subscriber of one process: subscribing, renewing, unsubscribing, and pushes.

The refresher tells `WebSub.announce` of every document it parses; a document (or its Link
header) naming a hub makes the maintenance loop subscribe, when the site has a public address
(`base_url`). The callback route (web/websub.py) answers the hub's verification through
`protocol.verify_intent` and hands each signed delivery to `WebSub.accept`, which only queues
it: the delivery loop parses and writes it through the refresher's own path.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from tidings.config import Settings
from tidings.fetch import Fetcher
from tidings.model import Feed, FetchResult, ParsedFeed
from tidings.refresh.run import Refresher
from tidings.store import Store
from tidings.store.websub import (
    DENIED,
    PENDING_SUBSCRIBE,
    PENDING_UNSUBSCRIBE,
    SUBSCRIBED,
    WebSubSubscription,
)
from tidings.websub.protocol import (
    encode_form,
    hub_and_topic,
    renew_by,
    renewal_due,
    subscribe_form,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

MAINTAIN_SECONDS = 60.0  # how often leases and orphans are looked at
RENEW_MARGIN_SECONDS = 3600  # a lease ending within this is renewed
RETRY_SECONDS = 3600  # a subscribe the hub never verified (or that failed) is asked again after
QUEUE_SIZE = 1000  # deliveries waiting; beyond, a push is dropped (the slower poll catches up)
PING_DEBOUNCE_SECONDS = 5.0  # changes within this are told to our hub in one round
MAX_PINGED_SOURCES = 50  # source feeds pinged per round at most (the river feeds always)
OUTPUT_FORMATS = ("rss", "atom", "json")


@dataclass(frozen=True, slots=True)
class Delivery:
    """A signed document a hub pushed for a feed, waiting to be parsed and written."""

    feed_id: int
    body: bytes
    content_type: str | None


class WebSub:
    """Subscribes feeds to their hubs and applies what the hubs push. See the module docs."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        maintain_seconds: float = MAINTAIN_SECONDS,
    ) -> None:
        self.store = store
        self.settings = settings
        self.enabled = bool(settings.base_url)
        self._clock = clock
        self._maintain_seconds = maintain_seconds
        self._deliveries: asyncio.Queue[Delivery] = asyncio.Queue(QUEUE_SIZE)
        self._announced: dict[int, tuple[str, str]] = {}
        self._wake = asyncio.Event()
        # Our own outputs: the public feeds that got new entries since the last ping.
        self.publishing = bool(settings.websub_hub and settings.base_url)
        self._changed: set[int] = set()
        self._changes = asyncio.Event()

    def callback_url(self, token: str) -> str:
        """The public URL the hub calls for the subscription with `token`."""
        return f"{self.settings.base_url.rstrip('/')}/websub/{token}"

    def now(self) -> datetime:
        return self._clock()

    # --- from the refresher and the callback route (on the event loop, never blocking) ---------

    def announce(self, feed: Feed, result: FetchResult, parsed: ParsedFeed) -> None:
        """Note the hub a freshly parsed document (or its Link header) names, if any."""
        if not self.enabled:
            return
        found = hub_and_topic(result.headers.get("link"), parsed.hub, parsed.self_url, feed.url)
        if found is not None:
            self._announced[feed.id] = found
            self._wake.set()

    def published(self, feed: Feed) -> None:
        """Note that a public feed got new entries: our hub is pinged (debounced)."""
        if self.publishing and feed.is_public:
            self._changed.add(feed.id)
            self._changes.set()

    def accept(self, delivery: Delivery) -> bool:
        """Queue a delivery; False when the queue is full (the push is dropped)."""
        try:
            self._deliveries.put_nowait(delivery)
        except asyncio.QueueFull:
            log.warning("websub: delivery queue full; dropped a push for feed %s", delivery.feed_id)
            return False
        return True

    # --- the loops ------------------------------------------------------------------------------

    async def run(self, refresher: Refresher) -> None:
        """Apply deliveries and keep subscriptions up to date, until cancelled."""
        async with Fetcher.from_settings(self.settings) as fetcher, asyncio.TaskGroup() as group:
            group.create_task(self._apply_deliveries(refresher))
            if self.enabled:
                group.create_task(self._maintain_forever(fetcher))
            if self.publishing:
                group.create_task(self._ping_forever(fetcher))

    async def _apply_deliveries(self, refresher: Refresher) -> None:
        while True:
            delivery = await self._deliveries.get()
            try:
                new = await refresher.deliver(
                    delivery.feed_id, delivery.body, delivery.content_type
                )
                log.info("websub: push for feed %s: %d new entries", delivery.feed_id, new)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("websub: applying a push for feed %s failed", delivery.feed_id)

    async def _maintain_forever(self, fetcher: Fetcher) -> None:
        while True:
            try:
                await self.maintain(fetcher)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("websub: maintenance round failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._maintain_seconds)
            self._wake.clear()

    async def _ping_forever(self, fetcher: Fetcher) -> None:
        while True:
            await self._changes.wait()
            # Debounce: a refresh round writes many feeds within seconds; one ping round for all.
            await asyncio.sleep(PING_DEBOUNCE_SECONDS)
            self._changes.clear()
            try:
                await self.ping(fetcher)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("websub: pinging the hub failed")

    def changed_urls(self) -> list[str]:
        """Takes the changed feeds; gives the output feed URLs to ping for them: the river's
        and each changed public source's, in every format."""
        changed, self._changed = sorted(self._changed), set()
        base = self.settings.base_url.rstrip("/")
        paths = ["/feed"] + [f"/sources/{id}/feed" for id in changed[:MAX_PINGED_SOURCES]]
        if not changed:
            return []
        return [f"{base}{path}.{kind}" for path in paths for kind in OUTPUT_FORMATS]

    async def ping(self, fetcher: Fetcher) -> None:
        """Tell our hub (`websub_hub`) which output feeds changed (hub.mode=publish)."""
        hub = self.settings.websub_hub
        for url in self.changed_urls():
            result = await fetcher.post_form(
                hub, encode_form({"hub.mode": "publish", "hub.url": url})
            )
            if result.error is not None:
                log.warning("websub: pinging %s for %s failed: %s", hub, url, result.error)

    async def maintain(self, fetcher: Fetcher) -> None:
        """One round: subscribe announced hubs, renew ending leases, unsubscribe orphans."""
        announced, self._announced = self._announced, {}
        for feed_id, (hub, topic) in announced.items():
            current = await self._db(self.store.websub.for_feed, feed_id)
            if not _needs_subscribe(current, hub, topic, self.now()):
                continue
            await self.subscribe(fetcher, feed_id, hub, topic)
        limit = renew_by(self.now(), RENEW_MARGIN_SECONDS)
        for sub in await self._db(self.store.websub.to_renew, limit):
            assert sub.feed_id is not None
            if renewal_due(sub, self.now(), RENEW_MARGIN_SECONDS):
                await self.subscribe(fetcher, sub.feed_id, sub.hub, sub.topic)
        for sub in await self._db(self.store.websub.orphans):
            await self.unsubscribe(fetcher, sub)

    async def subscribe(self, fetcher: Fetcher, feed_id: int, hub: str, topic: str) -> None:
        """Ask `hub` for pushes of `topic` to the feed's callback (the row is written first:
        a hub may verify before it answers)."""
        sub = await self._db(
            self.store.websub.request,
            feed_id,
            hub,
            topic,
            secrets.token_urlsafe(24),
            secrets.token_hex(32),
            self.now(),
        )
        form = subscribe_form(
            "subscribe",
            topic,
            self.callback_url(sub.token),
            sub.secret,
            self.settings.websub_lease_seconds,
        )
        log.info("websub: subscribing feed %s to %s (topic %s)", feed_id, hub, topic)
        result = await fetcher.post_form(hub, encode_form(form))
        if result.error is not None:
            log.warning("websub: the hub %s refused feed %s: %s", hub, feed_id, result.error)
            current = await self._db(self.store.websub.by_token, sub.token)
            if current is not None:
                error = f"The hub refused the subscription: {result.error}"
                await self._db(self.store.websub.set_state, sub.id, current.state, error)

    async def unsubscribe(self, fetcher: Fetcher, sub: WebSubSubscription) -> None:
        """Tell the hub we no longer want `sub` (its feed is gone); the row goes once verified,
        or at once when the hub cannot be told (its lease then runs out on its own)."""
        if sub.state == PENDING_UNSUBSCRIBE and sub.requested_at > self.now() - timedelta(
            seconds=RETRY_SECONDS
        ):
            return
        if sub.state not in (SUBSCRIBED, PENDING_SUBSCRIBE, PENDING_UNSUBSCRIBE):
            await self._db(self.store.websub.delete, sub.id)
            return
        await self._db(self.store.websub.set_state, sub.id, PENDING_UNSUBSCRIBE)
        form = subscribe_form("unsubscribe", sub.topic, self.callback_url(sub.token), None, None)
        log.info("websub: unsubscribing %s from %s", sub.topic, sub.hub)
        result = await fetcher.post_form(sub.hub, encode_form(form))
        if result.error is not None:
            log.warning("websub: unsubscribing from %s failed: %s", sub.hub, result.error)
            await self._db(self.store.websub.delete, sub.id)

    async def _db(self, function: Callable[..., T], *args: object) -> T:
        return await asyncio.get_running_loop().run_in_executor(None, function, *args)


def _needs_subscribe(
    current: WebSubSubscription | None, hub: str, topic: str, now: datetime
) -> bool:
    """Whether an announced (hub, topic) calls for a subscribe request now."""
    if current is None or current.hub != hub or current.topic != topic:
        return True
    recent = current.requested_at > now - timedelta(seconds=RETRY_SECONDS)
    if current.state == SUBSCRIBED:
        return renewal_due(current, now, RENEW_MARGIN_SECONDS)
    if current.state in (PENDING_SUBSCRIBE, DENIED):
        return not recent
    return False
