"""Subscribing a reader, the one way every front end does it.

The web form, Miniflux `POST /v1/feeds` and Google Reader's quickadd and subscription/edit all
call `subscribe`: the typed address is checked (limits, the network guard), the feed is found
(fetched and read: a web page leads to the feed it announces, or to one at the usual places),
the subscription is stored (with the per-reader limit), the feed's first check runs, and only
then is the answer given, all within `settings.subscribe_timeout`. So a client that subscribes
and lists at once sees the entries, and an address that is no feed is refused with a sentence
("… is neither a feed nor a page that announces one", "404", "did not answer within 20 s")
before anything is stored. Before, every front end said "subscribed" at once, for anything.

The network half is a `FeedFinder` given by the server (server.build_app); without one (an app
built for tests, or `--no-check`) the address is stored as typed and fetched by the next refresh.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool

from tidings.config import Settings
from tidings.reading.limits import feed_url_text
from tidings.reading_model import Subscription
from tidings.store import Conflict, Store
from tidings.subscriptions import SubscriptionError, check_feed_url, subscribe_reader


class AlreadySubscribed(Conflict):
    """The reader subscribes to the feed found already; `url` is that feed's address (a web
    page typed leads to it, so the caller cannot know it from what was typed)."""

    def __init__(self, message: str, url: str) -> None:
        super().__init__(message)
        self.url = url


@dataclass(frozen=True, slots=True)
class FeedFinder:
    """The network half of subscribing: `find(url)` gives the feed URL an address leads to
    (DiscoveryError otherwise); `fetch_now(feed_id)` returns once the feed's check is stored."""

    find: Callable[[str], Awaitable[str]]
    fetch_now: Callable[[int], Awaitable[None]]


async def subscribe(
    store: Store,
    settings: Settings,
    finder: FeedFinder | None,
    user_id: int,
    url: str,
    *,
    title: str | None = None,
    categories: Sequence[str] = (),
    crawler: bool = False,
    scraper_rules: str | None = None,
    admin: bool = False,
) -> Subscription:
    """The reader's new subscription, its feed found and fetched (see the module); `crawler`,
    `scraper_rules` and `admin` as subscriptions.subscribe_reader takes them.

    UserErrors, each a sentence: InvalidInput (the address's length), SubscriptionError (not a
    usable address, or too slow), DiscoveryError (no feed there), AlreadySubscribed (a Conflict,
    naming the feed found, which may not be the address typed),
    LimitReached. A feed found but not fetched within the deadline is subscribed all the same.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + settings.subscribe_timeout
    checked = check_feed_url(
        feed_url_text(url), allow_private_networks=settings.allow_private_networks
    )
    if finder is not None:
        try:
            checked = await asyncio.wait_for(finder.find(checked), settings.subscribe_timeout)
        except TimeoutError:
            raise SubscriptionError(
                f"{checked} did not answer within {settings.subscribe_timeout:g} s."
            ) from None
    try:
        added = await run_in_threadpool(
            lambda: subscribe_reader(
                store,
                settings,
                user_id,
                checked,
                title=title,
                categories=categories,
                crawler=crawler,
                scraper_rules=scraper_rules,
                admin=admin,
            )
        )
    except Conflict as exc:
        raise AlreadySubscribed(str(exc), checked) from None
    if finder is not None:
        await fetch_within(finder, added.feed_id, deadline - loop.time())
    return await run_in_threadpool(store.reading.subscription, user_id, added.feed_id)


async def fetch_within(finder: FeedFinder, feed_id: int, seconds: float) -> bool:
    """Check the feed now, waiting at most `seconds`; True when its check is stored."""
    if seconds <= 0:
        return False
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(finder.fetch_now(feed_id), seconds)
        return True
    return False
