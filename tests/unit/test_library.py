"""`from tidings import parse_feed`: the parser as a library, without slowing `import tidings`."""

from __future__ import annotations

import subprocess
import sys

import pytest

import tidings

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Example</title>
<link>https://example.org/</link>
<item><title>Hello</title><link>https://example.org/1</link><guid>1</guid></item>
</channel></rss>"""


def test_import_tidings_alone_loads_no_parser() -> None:
    script = (
        "import sys, tidings\n"
        "print(sorted(m for m in ('lxml', 'nh3', 'tidings.parse', 'sqlalchemy') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"


def test_parse_feed_from_the_package() -> None:
    from tidings import FeedParseError, ParsedEntry, ParsedFeed, parse_feed

    feed = tidings.parse_feed(RSS, "https://example.org/feed.xml")
    assert parse_feed is tidings.parse_feed
    assert isinstance(feed, ParsedFeed)
    assert feed.title == "Example"
    assert [(e.title, e.link) for e in feed.entries] == [("Hello", "https://example.org/1")]
    assert all(isinstance(e, ParsedEntry) for e in feed.entries)
    with pytest.raises(FeedParseError):
        parse_feed(b"<html><body>not a feed</body></html>")


def test_the_lazy_names_are_listed() -> None:
    for name in ("parse_feed", "FeedParseError", "ParsedFeed", "ParsedEntry"):
        assert name in tidings.__all__
        assert name in dir(tidings)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        tidings.nope  # noqa: B018
