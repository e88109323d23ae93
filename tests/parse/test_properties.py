"""Property tests: no input makes parse_feed raise anything but FeedParseError."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from parsecases import fixture_paths

from tidings.model import ParsedFeed
from tidings.parse import FeedParseError, parse_feed

FIXTURES = [path.read_bytes() for path in fixture_paths()]
PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def parse_or_reject(data: bytes, content_type: str | None = None) -> ParsedFeed | None:
    """Return the parsed feed, or None when FeedParseError said there was none."""
    try:
        feed = parse_feed(data, "https://feeds.example.com/feed", content_type)
    except FeedParseError:
        return None
    ids = [entry.id for entry in feed.entries]
    assert len(ids) == len(set(ids))
    assert all(ids)
    return feed


@PROPERTY_SETTINGS
@given(st.binary(max_size=2000))
def test_random_bytes(data: bytes) -> None:
    parse_or_reject(data)


@PROPERTY_SETTINGS
@given(
    st.sampled_from(FIXTURES),
    st.lists(
        st.tuples(
            st.integers(min_value=0), st.integers(min_value=0, max_value=40), st.binary(max_size=8)
        ),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from([None, "text/xml; charset=utf-16", "application/json; charset=latin-1"]),
)
def test_mutated_fixtures(
    fixture: bytes, edits: list[tuple[int, int, bytes]], content_type: str | None
) -> None:
    data = bytearray(fixture)
    for position, length, replacement in edits:
        start = position % (len(data) + 1)
        data[start : start + length] = replacement
    parse_or_reject(bytes(data), content_type)


@PROPERTY_SETTINGS
@given(st.sampled_from(FIXTURES), st.integers(min_value=0, max_value=10_000))
def test_truncated_fixtures(fixture: bytes, length: int) -> None:
    parse_or_reject(fixture[:length])


_MARKUP = st.lists(
    st.sampled_from(
        [
            "<rss version='2.0'>", "<channel>", "</channel>", "<item>", "</item>", "<title>",
            "</title>", "<link>", "</link>", "<guid>", "</guid>", "<description>",
            "</description>", "<pubDate>", "</pubDate>", "<![CDATA[", "]]>", "&amp;", "&nbsp;",
            "&", "<", "x", "http://a.example/", "/rel", " ", "<feed xmlns='http://www.w3.org/2005/Atom'>",
            "<entry>", "</entry>", "<content type='xhtml'>", "<div>", "</div>", "<id>", "</id>",
            "<link href='x'/>", "<summary type='html'>", "</summary>", "<?xml version='1.0'?>",
            "<!DOCTYPE rss>", "<!--", "-->", "Fri, 19 Sep 2025 12:00:00 GMT", "2025-09-19",
            "<enclosure url='a.mp3' length='x'/>", "<media:content url='m'/>", "\x00", "\ufeff",
        ]
    ),
    max_size=40,
).map("".join)  # fmt: skip


@PROPERTY_SETTINGS
@given(_MARKUP, st.sampled_from(["utf-8", "utf-16", "cp1252"]))
def test_feed_shaped_soup(text: str, encoding: str) -> None:
    parse_or_reject(text.encode(encoding, errors="replace"))


_JSON_KEYS = st.sampled_from(
    ["version", "items", "title", "id", "url", "content_html", "authors", "author", "name",
     "tags", "attachments", "hubs", "date_published", "summary", "image", "home_page_url"]
)  # fmt: skip
_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(_JSON_KEYS, children, max_size=6)
    ),
    max_leaves=20,
)


@PROPERTY_SETTINGS
@given(_JSON_VALUES)
def test_json_shaped_soup(value: object) -> None:
    feed = {"version": "https://jsonfeed.org/version/1.1", "items": value, "title": value}
    parse_or_reject(json.dumps(feed).encode())
    parse_or_reject(json.dumps(value).encode())
