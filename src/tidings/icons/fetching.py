"""Fetching a site's icon: the site page, then each candidate, until one is a real image of a
sane size. Never raises for what a site serves: no usable icon is None."""

from __future__ import annotations

from dataclasses import dataclass

from tidings.fetch import Fetcher
from tidings.icons.discover import icon_candidates
from tidings.media.sniff import sniff_image
from tidings.model import FeedToFetch

# Icons are small; a larger "icon" is a mistake or an attack on the database.
MAX_ICON_BYTES = 128 * 1024


@dataclass(frozen=True, slots=True)
class Icon:
    """A checked icon: where it came from, its sniffed type and its bytes."""

    url: str
    mime_type: str
    data: bytes


async def find_icon(fetcher: Fetcher, site_url: str) -> Icon | None:
    """The first candidate icon of the site at `site_url` (see `icon_candidates`) that answers
    200 with at most MAX_ICON_BYTES of a known image type (by its bytes); None when none does."""
    page = await fetcher.fetch(FeedToFetch(0, site_url))
    base = page.final_url if page.status == 200 else site_url
    body = page.body if page.status == 200 else None
    for url in icon_candidates(body, base):
        result = await fetcher.fetch(FeedToFetch(0, url))
        data = result.body
        if result.status != 200 or not data or len(data) > MAX_ICON_BYTES:
            continue
        mime = sniff_image(data)
        if mime is not None:
            return Icon(url=result.final_url, mime_type=mime, data=data)
    return None
