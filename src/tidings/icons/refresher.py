"""Looking for icons in the background, beside the refresher and never in its way: a feed's
check never waits for an icon, and a site without one only gets a NULL row (asked again in a
month). Each round takes the feeds due (`store.icons.due`), fetches a few at a time through
`tidings.fetch`, and writes what was found off the event loop."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from tidings.config import Settings
from tidings.fetch import Fetcher
from tidings.icons.fetching import find_icon
from tidings.store import Store
from tidings.store.icons import IconDue

log = logging.getLogger("tidings.icons")

# Icons change rarely; a site link that changes is looked at again at once (see `due`).
MAX_AGE = timedelta(days=30)
ROUND_SIZE = 50
AT_ONCE = 4
PAUSE = 300.0  # seconds between rounds that found nothing to do


async def refresh_icons(
    store: Store, fetcher: Fetcher, *, now: datetime, limit: int = ROUND_SIZE
) -> int:
    """Look for the icons of the feeds due at `now` (at most `limit`); gives how many looked."""
    due = await asyncio.to_thread(store.icons.due, now, MAX_AGE, limit)
    slots = asyncio.Semaphore(AT_ONCE)

    async def look(item: IconDue) -> None:
        async with slots:
            try:
                icon = await find_icon(fetcher, item.site_url)
            except Exception:  # one site's surprise never stops the others
                log.exception("looking for the icon of %s failed", item.site_url)
                icon = None
        found = (icon.mime_type, icon.data) if icon is not None else None
        await asyncio.to_thread(store.icons.save, item.feed_id, item.site_url, found, now)

    await asyncio.gather(*(look(item) for item in due))
    return len(due)


async def run_icons(store: Store, settings: Settings) -> None:
    """Look for icons round after round, for as long as the server runs."""
    async with Fetcher.from_settings(settings) as fetcher:
        while True:
            try:
                looked = await refresh_icons(store, fetcher, now=datetime.now(UTC))
            except asyncio.CancelledError:
                raise
            except Exception:
                # A database that does not answer (its pool exhausted, an outage) must not end
                # this loop: it runs in the server's background task group beside the refresher,
                # and an error here ended the group, so no feed was checked again until a restart.
                log.exception("looking for icons failed; trying again in %.0f s", PAUSE)
                looked = 0
            if looked < ROUND_SIZE:
                await asyncio.sleep(PAUSE)  # a schedule between rounds, not a wait for work
