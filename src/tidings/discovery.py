"""Finding feeds: what a URL a user typed really is — a feed, or a page announcing feeds.

`discover_feeds` gives every feed a URL leads to (the admin's "add source" offers a choice);
`find_feed` the one feed a subscription takes. For a page that announces none, the usual
places are tried (`/feed`, `/rss`, `/atom.xml`, `/index.xml`, `/feed.xml`), and a YouTube
channel or playlist address becomes its feed's.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit, urlunsplit

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


# Where sites put their feed when their pages do not say (tried in this order, from the root).
USUAL_PATHS = ("/feed", "/rss", "/atom.xml", "/index.xml", "/feed.xml")
_YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com"}


def youtube_feed(url: str) -> str | None:
    """The feed of a YouTube channel (/channel/ID) or playlist (?list=ID) address, else None.

    Pure: YouTube's feeds have fixed addresses; its pages are heavy and their links move."""
    parts = urlsplit(url)
    if parts.hostname not in _YOUTUBE_HOSTS:
        return None
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) >= 2 and segments[0] == "channel" and segments[1].startswith("UC"):
        query = f"channel_id={segments[1]}"
    elif segments[:1] in (["playlist"], ["watch"]) and parse_qs(parts.query).get("list"):
        query = f"playlist_id={parse_qs(parts.query)['list'][0]}"
    else:
        return None
    return urlunsplit(("https", "www.youtube.com", "/feeds/videos.xml", query, ""))


async def _classify(settings: Settings, url: str) -> tuple[str, tuple[str, ...] | str]:
    """(final URL, what find_feeds says of its document): () a feed, links, or why neither."""
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
    return result.final_url, found


async def discover_feeds(settings: Settings, url: str) -> list[str]:
    """The feed URLs at `url`: [the final URL] when it is a feed, else the feeds the page
    announces, else the first of the usual places that holds a feed.

    Raises DiscoveryError when the URL cannot be fetched or leads to no feed.
    """
    url = youtube_feed(url) or url
    final_url, found = await _classify(settings, url)
    if not isinstance(found, str):
        return list(found) or [final_url]
    parts = urlsplit(final_url)
    for path in USUAL_PATHS:
        candidate = urlunsplit((parts.scheme, parts.netloc, path, "", ""))
        if candidate == final_url:
            continue
        try:
            where, what = await _classify(settings, candidate)
        except DiscoveryError:
            continue
        if what == ():
            return [where]
    raise DiscoveryError(f"{url} is neither a feed nor a page that announces one.")


async def find_feed(settings: Settings, url: str) -> str:
    """The one feed a subscription to `url` takes: the first `discover_feeds` gives."""
    return (await discover_feeds(settings, url))[0]
