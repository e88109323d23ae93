"""Where a site keeps its icon: the page's `<link rel="icon">`, then its apple-touch-icon, then
`/favicon.ico` at the root (what browsers and Miniflux try, in that order)."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.etree
import lxml.html

# Only the head matters; a huge page is not parsed past this many bytes.
MAX_PAGE_BYTES = 512 * 1024
MAX_CANDIDATES = 4


def icon_candidates(page: bytes | None, page_url: str) -> list[str]:
    """The absolute http(s) URLs to try for the icon of the site at `page_url`, best first:
    `rel="icon"` links (and "shortcut icon"), then apple-touch-icon, then /favicon.ico; no
    duplicates, at most MAX_CANDIDATES."""
    icons: list[str] = []
    touch: list[str] = []
    for rel, href in _links(page):
        words = set(rel.lower().split())
        url = _absolute(href, page_url)
        if url is None:
            continue
        if "icon" in words:
            icons.append(url)
        elif words & {"apple-touch-icon", "apple-touch-icon-precomposed"}:
            touch.append(url)
    root = _absolute("/favicon.ico", page_url)
    found: list[str] = []
    for url in [*icons, *touch, *([root] if root else [])]:
        if url not in found:
            found.append(url)
    return found[:MAX_CANDIDATES]


def _links(page: bytes | None) -> list[tuple[str, str]]:
    if not page or not page.strip():
        return []
    try:
        tree = lxml.html.document_fromstring(page[:MAX_PAGE_BYTES])
    except (lxml.etree.ParserError, ValueError):
        return []
    return [
        (str(link.get("rel") or ""), str(link.get("href") or "").strip())
        for link in tree.iter("link")
        if link.get("href")
    ]


def _absolute(href: str, base: str) -> str | None:
    try:
        url = urljoin(base, href)
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return urlunsplit(parts._replace(fragment=""))
