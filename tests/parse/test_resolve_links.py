"""parse.urls.resolve: absolute http(s) URLs or None; a path from the root takes a shortcut that
must give what urljoin gives."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tidings.parse.urls import resolve

BASE = "https://Example.org/blog/feed.xml"


@pytest.mark.parametrize(
    ("base", "url", "expected"),
    [
        (BASE, "/en/post-1", "https://Example.org/en/post-1"),
        (BASE, "/a/./b/../c", "https://Example.org/a/c"),  # dot segments removed
        (BASE, "/a?x=1&amp;y=2#top", "https://Example.org/a?x=1&y=2#top"),
        (BASE, "/a?", "https://Example.org/a"),  # an empty query's "?" dropped, as urljoin does
        (BASE, "/a?#f", "https://Example.org/a#f"),
        (BASE, "/a#", "https://Example.org/a"),
        (BASE, "/a;", "https://Example.org/a"),
        (BASE, "/a;p?q", "https://Example.org/a;p?q"),
        (BASE, "//cdn.example.org/x.png", "https://cdn.example.org/x.png"),
        (BASE, "post-2.html", "https://Example.org/blog/post-2.html"),
        ("HTTP://Example.org/", "/x", "http://Example.org/x"),  # the scheme lower-cased
        ("ftp://example.org/", "/x", None),  # joined, then refused: not http(s)
        ("/relative/base", "/x", "/x"),  # a base without a host: the path stays relative
        ("https://[::1/", "/x", None),  # a base urljoin refuses
        (None, "/x", "/x"),
        (BASE, "javascript:alert(1)", None),
        (BASE, "   ", None),
        (BASE, "/tab\there", "https://Example.org/tabhere"),  # urlsplit drops tabs
    ],
)
def test_resolve(base: str | None, url: str, expected: str | None) -> None:
    assert resolve(base, url) == expected


def _reference(base: str, url: str) -> str | None:
    """What resolve gave before the shortcut: urljoin, then the scheme checked."""
    url = url.strip()
    if not url:
        return None
    url = url.replace("&amp;", "&")
    if url.startswith(("https://", "http://")) and url.isprintable() and " " not in url:
        return url
    try:
        joined = urljoin(base, url)
        scheme = urlsplit(joined).scheme.lower()
    except ValueError:
        return None
    return joined if scheme in ("", "http", "https") else None


@settings(max_examples=3000, deadline=None)
@given(
    base=st.sampled_from(
        [BASE, "http://h.example", "https://u@h.example:8080/a/b/", "HTTPS://H/x;p?q#f", "/b"]
    ),
    url=st.text(alphabet="/.;?#a%é:@ \t[]&amp", max_size=14).map(lambda s: "/" + s),
)
def test_a_path_from_the_root_resolves_as_urljoin_does(base: str, url: str) -> None:
    assert resolve(base, url) == _reference(base, url)
