"""What a GET sends for a URL (fetch/urls.py): origin, Host header and request target."""

from __future__ import annotations

import pytest

from tidings.fetch.errors import InvalidURL
from tidings.fetch.urls import join, target_of

TARGETS = [
    ("http://example.org/feed.xml", ("http", "example.org", 80), b"example.org", b"/feed.xml"),
    ("https://Example.ORG", ("https", "example.org", 443), b"example.org", b"/"),
    ("https://example.org:443/a?b=c", ("https", "example.org", 443), b"example.org", b"/a?b=c"),
    ("http://example.org:8080/x", ("http", "example.org", 8080), b"example.org:8080", b"/x"),
    ("http://127.0.0.1:8765/f", ("http", "127.0.0.1", 8765), b"127.0.0.1:8765", b"/f"),
    ("http://[::1]:81/f", ("http", "::1", 81), b"[::1]:81", b"/f"),
    ("http://[::1]/f", ("http", "::1", 80), b"[::1]", b"/f"),
    (
        "https://bücher.example/ö",
        ("https", "xn--bcher-kva.example", 443),
        b"xn--bcher-kva.example",
        b"/%C3%B6",
    ),
    ("http://e.org/a b?q=x y", ("http", "e.org", 80), b"e.org", b"/a%20b?q=x%20y"),
    ("http://e.org/%7Euser/?a=%2F", ("http", "e.org", 80), b"e.org", b"/%7Euser/?a=%2F"),
    ("http://user:pw@e.org/f", ("http", "e.org", 80), b"e.org", b"/f"),  # userinfo never sent
    ("http://e.org/f#part", ("http", "e.org", 80), b"e.org", b"/f"),  # nor the fragment
    ("http://e.org./f", ("http", "e.org.", 80), b"e.org.", b"/f"),  # a fully qualified name
    ("http://my_host.e.org/", ("http", "my_host.e.org", 80), b"my_host.e.org", b"/"),
]


@pytest.mark.parametrize(("url", "origin", "host", "path"), TARGETS)
def test_targets(url: str, origin: tuple[str, str, int], host: bytes, path: bytes) -> None:
    target = target_of(url)
    assert (target.origin, target.host_header, target.path) == (origin, host, path)


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://e.org/f", "Only http:// and https://"),
        ("http:///f", "has no host name"),
        ("http://e.org:port/f", "is not a valid address"),
        ("http://[::1/f", "is not a valid address"),
        ("mailto:a@e.org", "Only http:// and https://"),
        # IDNA maps U+2024 (one dot leader) to ".": "..com" has an empty label, which the
        # resolver refused with a UnicodeError the server did not catch (a 500).
        ("http://\u2024.com/", "cannot be looked up"),
        ("http://a\u3002\u3002b/", "cannot be looked up"),  # ideographic full stops
        ("http://a..b/", "cannot be looked up"),
        ("http://a!b.org/", "cannot be looked up"),
        ("http://" + "a" * 64 + ".org/", "cannot be looked up"),  # a label is 63 at most
        ("http://" + "a." * 127 + "org/", "cannot be looked up"),  # a name is 253 at most
    ],
)
def test_what_cannot_be_requested(url: str, says: str) -> None:
    with pytest.raises(InvalidURL, match=says):
        target_of(url)


@pytest.mark.parametrize(
    ("base", "location", "joined"),
    [
        ("http://e.org/a/b", "/c", "http://e.org/c"),
        ("http://e.org/a/b", "c", "http://e.org/a/c"),
        ("http://e.org/a/b", "//f.org/x", "http://f.org/x"),
        ("https://e.org/a", " https://g.org/y ", "https://g.org/y"),
        ("http://e.org/a", "ftp://h.org/z", "ftp://h.org/z"),  # refused by the next request
    ],
)
def test_redirects_join(base: str, location: str, joined: str) -> None:
    assert join(base, location) == joined


@pytest.mark.parametrize(
    "location", ["http://e.org:99999999/", "http://[" + "x" * 20_000, "//[::1"]
)
def test_a_redirect_to_no_url_at_all(location: str) -> None:
    with pytest.raises(InvalidURL) as refused:
        join("http://e.org/", location)
    assert len(str(refused.value)) < 400  # the address quoted, cut
