"""One delivery attempt, and the pure decision of when (and whether) to try again."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from tidings.fetch import Fetcher
from tidings.integrations.base import Delivery, EntryToSend
from tidings.integrations.registry import integration_for

MAX_ATTEMPTS: Final = 5
FIRST_DELAY: Final = 30.0  # seconds; doubled at each further attempt
MAX_DELAY: Final = 3600.0


@dataclass(frozen=True, slots=True)
class Attempt:
    """When the next attempt is due (seconds from now), or None when delivery is over."""

    delay: float | None


def next_attempt(delivery: Delivery, attempts_made: int) -> Attempt:
    """Return when to try again after `attempts_made` attempts ending with `delivery`."""
    if delivery.ok or not delivery.retryable or attempts_made >= MAX_ATTEMPTS:
        return Attempt(None)
    return Attempt(min(FIRST_DELAY * 2 ** (attempts_made - 1), MAX_DELAY))


async def deliver(
    fetcher: Fetcher, kind: str, config: Mapping[str, str], entry: EntryToSend
) -> Delivery:
    """Return the outcome of one attempt to send `entry` with an integration of `kind`."""
    integration = integration_for(kind)
    missing = [f.label for f in integration.fields if f.required and not config.get(f.name)]
    if missing:
        return Delivery(False, f"Missing setting: {', '.join(missing)}.")
    return await integration.send(fetcher, config, entry)
