"""An HTML page -> the feeds it announces with <link rel="alternate"> (autodiscovery)."""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from tidings.parse.urls import resolve

FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/feed+json",
        "application/json",
        "application/rdf+xml",
    }
)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")
# The feeds a page announces that are read: a site announces a few (the posts', the
# comments', a category's); a page announcing 50,000 held a parse process for seconds.
MAX_FEED_LINKS = 100


def feed_links(page: str, url: str | None) -> tuple[str, ...]:
    """Return the absolute URLs of the feeds `page` links to, in page order, without repeats."""
    try:
        document = lxml.html.document_fromstring(_XML_DECLARATION.sub("", page, count=1))
    except (etree.ParserError, ValueError):
        return ()
    base = url
    for element in document.iter("base"):
        base = resolve(url, element.get("href")) or url
        break
    found: dict[str, None] = {}  # a list's `in` made 40,000 links take 6.5 s
    for element in document.iter("link"):
        rel = (element.get("rel") or "").lower().split()
        kind = (element.get("type") or "").split(";")[0].strip().lower()
        if "alternate" in rel and kind in FEED_TYPES:
            href = resolve(base, element.get("href"))
            if href:
                found[href] = None
                if len(found) == MAX_FEED_LINKS:
                    break
    return tuple(found)
