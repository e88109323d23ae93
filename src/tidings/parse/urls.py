"""Relative and hostile URLs -> absolute http(s) URLs, or None."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

_LINK_SCHEMES = frozenset({"", "http", "https"})
# What urljoin changes in a path from the root: dot segments; parameters (";"); an empty query or
# fragment ("/a?", "/a?#b", "/a#"), whose delimiter it drops.
_REWRITTEN_BY_URLJOIN = re.compile(r"/\.|;|\?#|[?#]$")


def resolve(base: str | None, url: str | None) -> str | None:
    """Return `url` made absolute against `base`, or None when it is empty or not http(s).

    A relative URL with no base stays relative: better a link that may work than none. Any other
    scheme (javascript:, data:, vbscript:, file: ...) gives None, so a link is always safe to put
    in an href.
    """
    if not url:
        return None
    url = url.strip()
    if not url:
        return None
    if "&amp;" in url:
        # An HTML-escaped URL written where XML does not unescape it (in CDATA, or escaped twice):
        # "?a=1&amp;b=2" means "?a=1&b=2", as feedparser reads it (UOL's feed, in the corpus).
        url = url.replace("&amp;", "&")
    if url.startswith(("https://", "http://")) and url.isprintable() and " " not in url:
        return url  # already absolute and clean: the common case, 20x cheaper than urljoin
    if base:
        if url[:1] == "/" and url[1:2] != "/" and url.isprintable() and " " not in url:
            # A path from the site's root ("/en/publish/..."), most relative links in feeds:
            # the base's origin in front gives what urljoin does (8 us), unless urljoin would
            # rewrite the path: remove a "." or ".." segment, or drop an empty ";", "?" or "#".
            origin = _http_origin(base)
            if origin is not None and not _REWRITTEN_BY_URLJOIN.search(url):
                return origin + url
        try:
            url = urljoin(base, url)
        except ValueError:  # e.g. an invalid IPv6 host
            return None
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in _LINK_SCHEMES else None


@lru_cache(maxsize=256)
def _http_origin(base: str) -> str | None:
    """Return "scheme://host" of an http(s) `base` (the scheme lower-cased, as urljoin writes
    it), or None for any other base. Cached: a feed's links share one base."""
    try:
        parts = urlsplit(base)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def is_absolute_http(url: str) -> bool:
    """Return True when `url` is an absolute http(s) URL (a guid that can double as a link)."""
    lowered = url[:8].lower()
    return lowered.startswith(("http://", "https://"))
