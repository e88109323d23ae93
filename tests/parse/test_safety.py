"""Hostile documents: entity bombs, external entities, huge or deep input, script in every field."""

from __future__ import annotations

import json
import time

import pytest
from parsecases import HOSTILE, assert_inert

from tidings.model import ParsedFeed
from tidings.parse import FeedParseError, parse_feed

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>&lol9;</title><description>&lol9;</description></item></channel></rss>"""

QUADRATIC = (
    b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "' + b"x" * 50_000 + b'">]>'
    b"<rss version='2.0'><channel><title>" + b"&a;" * 20_000 + b"</title></channel></rss>"
)

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">
<!ENTITY remote SYSTEM "http://127.0.0.1:9/evil">]>
<rss version="2.0"><channel><title>&xxe;</title>
<item><title>&remote;</title><description>&xxe;</description></item></channel></rss>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE rss SYSTEM "file:///etc/passwd">
<rss version="2.0"><channel><title>t</title></channel></rss>"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>
<rss version="2.0"><channel><title>t</title></channel></rss>"""


def harmless(feed: ParsedFeed, data: bytes) -> bool:
    """Return True when nothing in the feed grew beyond the input or came from the file system."""
    text = json.dumps([feed.title, [(e.title, e.summary) for e in feed.entries]])
    return len(text) < 2 * len(data) and "root:" not in text


@pytest.mark.timed
@pytest.mark.parametrize(
    "data",
    [BILLION_LAUGHS, QUADRATIC, EXTERNAL_ENTITY, EXTERNAL_DTD, PARAMETER_ENTITY],
    ids=["billion-laughs", "quadratic-blowup", "external-entity", "external-dtd", "parameter"],
)
def test_entity_attacks_are_quick_and_harmless(data: bytes) -> None:
    start = time.perf_counter()
    try:
        feed = parse_feed(data)
    except FeedParseError:
        pass
    else:
        assert harmless(feed, data)
    assert time.perf_counter() - start < 2.0


def test_deep_nesting_does_not_crash() -> None:
    data = b"<rss version='2.0'><channel><item><description>" + b"<b>" * 100_000 + b"x"
    try:
        feed = parse_feed(data)
    except FeedParseError:
        return
    assert len(feed.entries) <= 1


def test_max_entries_keeps_the_first_and_warns() -> None:
    items = "".join(f"<item><guid>{i}</guid></item>" for i in range(30))
    data = f"<rss version='2.0'><channel><title>t</title>{items}</channel></rss>".encode()
    feed = parse_feed(data, max_entries=10)
    assert [e.id for e in feed.entries] == [str(i) for i in range(10)]
    assert any("kept the first 10" in w for w in feed.warnings)


def test_max_bytes_truncates_and_keeps_complete_items() -> None:
    items = "".join(f"<item><guid>{i}</guid><title>Item {i}</title></item>" for i in range(100))
    data = f"<rss version='2.0'><channel><title>t</title>{items}</channel></rss>".encode()
    feed = parse_feed(data, max_bytes=1000)
    assert 0 < len(feed.entries) < 100
    assert all(e.title == f"Item {e.id}" for e in feed.entries)
    assert any("larger than 1000 bytes" in w for w in feed.warnings)


def _rss_with(value: str) -> bytes:
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    return (
        "<rss version='2.0'><channel><title>" + escaped + "</title><link>" + escaped + "</link>"
        "<item><title>" + escaped + "</title><link>" + escaped + "</link>"
        '<enclosure url="' + escaped + '" type="audio/mpeg"/>'
        "<description>" + escaped + "</description></item></channel></rss>"
    ).encode()


def _atom_with(value: str) -> bytes:
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    return (
        "<feed xmlns='http://www.w3.org/2005/Atom'><title type='html'>" + escaped + "</title>"
        '<entry><title type="html">' + escaped + '</title><link href="' + escaped + '"/>'
        '<content type="html">' + escaped + "</content></entry></feed>"
    ).encode()


def _json_with(value: str) -> bytes:
    item = {"id": "1", "title": value, "url": value, "content_html": value, "summary": value}
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": [item]}).encode()


HOSTILE_LINKS = [
    "javascript:alert(1)",
    " JAVASCRIPT:alert(1)",
    "java\tscript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "file:///etc/passwd",
]


@pytest.mark.parametrize("make", [_rss_with, _atom_with, _json_with])
@pytest.mark.parametrize("value", HOSTILE + HOSTILE_LINKS)
def test_hostile_values_are_inert_everywhere(make: object, value: str) -> None:
    assert callable(make)
    feed = parse_feed(make(value), "https://feeds.example.com/feed")
    for entry in feed.entries:
        assert_inert(entry.summary)
        assert_inert(entry.content)
        # Links are absolute http(s) or nothing; titles are plain text (the page escapes them).
        for url in [entry.link, feed.link, *(e.url for e in entry.enclosures)]:
            assert url is None or url.startswith("https://feeds.example.com/"), url
