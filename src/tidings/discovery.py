"""Finding feeds: what a URL a user typed really is — a feed, or a page announcing feeds."""

from __future__ import annotations

from tidings.config import Settings
from tidings.errors import UserError
from tidings.fetch import Fetcher
from tidings.model import FeedToFetch, FetchResult
from tidings.refresh.parsing import find_feeds
from tidings.refresh.pool import ProcessDied, TimedOut, parse_pool


class DiscoveryError(UserError, ValueError):
    """Nothing usable at the URL; the message says why, for the user."""


async def fetch_url(settings: Settings, url: str) -> FetchResult:
    """One fetch of `url` with the site's limits and network guard."""
    async with Fetcher.from_settings(settings) as fetcher:
        return await fetcher.fetch(FeedToFetch(0, url))


async def discover_feeds(settings: Settings, url: str) -> list[str]:
    """The feed URLs at `url`: [the final URL] when it is a feed, else the feeds the page announces.

    Raises DiscoveryError when the URL cannot be fetched or holds neither.
    """
    result = await fetch_url(settings, url)
    if result.error or result.body is None:
        raise DiscoveryError(result.error or f"The server answered {result.status} with no body.")
    try:
        # In a parse process with the time limit: never on the event loop, which serves pages.
        found = await parse_pool(settings).run(
            find_feeds, result.body, result.final_url, result.headers.get("content-type")
        )
    except TimedOut:
        raise DiscoveryError(
            f"{url} took too long to read (over {settings.parse_timeout:g} s)."
        ) from None
    except ProcessDied:
        raise DiscoveryError(f"{url} could not be read.") from None
    if isinstance(found, str):
        raise DiscoveryError(f"{url} is neither a feed nor a page that announces one.")
    return list(found) or [result.final_url]
