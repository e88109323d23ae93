"""The background delivery worker that runs in the server process beside the refresher."""

from __future__ import annotations

import asyncio
import logging
from typing import Final

from tidings.config import Settings
from tidings.fetch import Fetcher
from tidings.integrations.service import run_due
from tidings.store import Store

log = logging.getLogger(__name__)

POLL_SECONDS: Final = 5.0


def _step(store: Store, settings: Settings) -> int:
    """Return how many deliveries one pass attempted (on this thread's own event loop)."""

    async def once() -> int:
        async with Fetcher.from_settings(settings) as fetcher:
            return await run_due(store, settings.secret_key, fetcher)

    return asyncio.run(once())


async def run_deliveries(store: Store, settings: Settings, poll: float = POLL_SECONDS) -> None:
    """Attempt due deliveries every `poll` seconds (at once again after a busy pass), until
    cancelled. Store calls and sends run in a worker thread: the server's loop never waits."""
    while True:
        try:
            attempted = await asyncio.to_thread(_step, store, settings)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("integration deliveries: a pass failed")
            attempted = 0
        if not attempted:
            await asyncio.sleep(poll)
