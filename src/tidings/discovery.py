"""Finding feeds: what a URL a user typed really is — a feed, or a page announcing feeds."""

from __future__ import annotations

from tidings.config import Settings
from tidings.errors import UserError
from tidings.fetch import Fetcher
from tidings.model import FeedToFetch, FetchResult
from tidings.parse import FeedParseError, parse_feed


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
        parse_feed(result.body, result.final_url, result.headers.get("content-type"))
    except FeedParseError as exc:
        if exc.feed_links:
            return list(exc.feed_links)
        raise DiscoveryError(f"{url} is neither a feed nor a page that announces one.") from None
    return [result.final_url]
