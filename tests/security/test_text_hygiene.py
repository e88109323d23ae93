"""Control characters never get past the parser, in any field of any format.

A JSON Feed title with U+001B broke the output feeds; one U+0000 in a field made PostgreSQL
refuse the feed's INSERT on every check, so the feed was blocked for good.
"""

from __future__ import annotations

import dataclasses
import json

import pytest

from tidings.model import ParsedFeed
from tidings.parse import parse_feed
from tidings.parse.bounds import scrub

UNWANTED = [
    chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]
]
UNWANTED += ["\ud800", "\udfff", "\ufffe", "\uffff"]

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"
     xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>feed X title</title><link>https://example.org/X</link>
<description>feed X description</description><language>enX</language>
<image><url>https://example.org/X.png</url></image>
<atom:link rel="hub" href="https://hub.example/X"/><atom:link rel="self" href="https://example.org/X.xml"/>
<item><guid>id X</guid><title>entry X title</title><link>https://example.org/X/1</link>
<dc:creator>author X</dc:creator><category>category X</category>
<description>summary X</description><content:encoded>content X</content:encoded>
<enclosure url="https://example.org/X.mp3" type="audio/X" length="1"/></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>feed X title</title>
<subtitle>feed X description</subtitle><link href="https://example.org/X"/>
<link rel="hub" href="https://hub.example/X"/><link rel="self" href="https://example.org/X.xml"/>
<logo>https://example.org/X.png</logo>
<entry><id>id X</id><title>entry X title</title><link href="https://example.org/X/1"/>
<author><name>author X</name></author><category term="category X"/>
<summary type="html">summary X</summary><content type="html">content X</content>
<link rel="enclosure" href="https://example.org/X.mp3" type="audio/X"/></entry></feed>"""

RDF = """<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
  xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://example.org/X"><title>feed X title</title>
<link>https://example.org/X</link><description>feed X description</description>
<dc:language>enX</dc:language></channel>
<item rdf:about="id X"><title>entry X title</title><link>https://example.org/X/1</link>
<dc:creator>author X</dc:creator><dc:subject>category X</dc:subject>
<description>summary X</description></item></rdf:RDF>"""

JSON_FEED = {
    "version": "https://jsonfeed.org/version/1.1",
    "title": "feed X title",
    "home_page_url": "https://example.org/X",
    "feed_url": "https://example.org/X.json",
    "description": "feed X description",
    "icon": "https://example.org/X.png",
    "language": "enX",
    "hubs": [{"type": "WebSub", "url": "https://hub.example/X"}],
    "items": [
        {
            "id": "id X",
            "url": "https://example.org/X/1",
            "title": "entry X title",
            "summary": "summary X",
            "content_html": "content X",
            "image": "https://example.org/X.jpg",
            "authors": [{"name": "author X"}],
            "tags": ["category X"],
            "attachments": [{"url": "https://example.org/X.mp3", "mime_type": "audio/X"}],
        }
    ],
}

# How each format can carry a character: written raw into the document, as an XML character
# reference (only those XML allows), and as an HTML character reference in escaped HTML, which
# the HTML fields and the titles read as HTML decode.
XML_FORMS = {
    "raw": lambda c: c,
    "xml-reference": lambda c: f"&#{ord(c)};",
    "html-reference": lambda c: f"&amp;#{ord(c)};",
}


def strings(value: object) -> list[str]:
    """Return every string inside a record (dataclasses, tuples), depth first."""
    if isinstance(value, str):
        return [value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        found: list[str] = []
        for field in dataclasses.fields(value):
            found += strings(getattr(value, field.name))
        return found
    if isinstance(value, tuple | list):
        return [text for item in value for text in strings(item)]
    return []


def assert_clean(feed: ParsedFeed) -> None:
    texts = strings(feed)
    assert texts, "nothing parsed"
    for text in texts:
        assert not any(c in text for c in UNWANTED), repr(text)


def json_with(character: str) -> bytes:
    text = json.dumps(JSON_FEED).replace("X", json.dumps(character)[1:-1])
    return text.encode("utf-8")


@pytest.mark.parametrize("character", ["\x00", "\x1b", "\x7f", "\x85", "\ud800", "\x0b"])
def test_json_feed_fields_lose_control_characters(character: str) -> None:
    feed = parse_feed(json_with(character))
    assert_clean(feed)
    entry = feed.entries[0]
    assert feed.title.startswith("feed") and feed.title.endswith("title")
    assert entry.title.startswith("entry") and entry.id.startswith("id")
    assert entry.categories and entry.author and entry.enclosures and entry.summary


@pytest.mark.parametrize("character", ["\x00", "\x1b", "\x7f", "\x85", "\x9f", "\x0c"])
@pytest.mark.parametrize("form", XML_FORMS)
@pytest.mark.parametrize("template", [RSS, ATOM, RDF], ids=["rss", "atom", "rdf"])
def test_xml_fields_lose_control_characters(template: str, form: str, character: str) -> None:
    document = template.replace("X", XML_FORMS[form](character))
    feed = parse_feed(document.encode("utf-8"))
    assert_clean(feed)
    assert feed.entries and feed.entries[0].id.startswith("id")


def test_every_field_of_a_json_entry_is_scrubbed() -> None:
    feed = parse_feed(json_with("\x00\x1b"))
    entry = feed.entries[0]
    assert (feed.title, feed.description, feed.language) == (
        "feed  title",
        "feed  description",
        "en",
    )
    assert (entry.id, entry.title, entry.author) == ("id ", "entry  title", "author ")
    assert entry.link == "https://example.org//1" and entry.image == "https://example.org/.jpg"
    assert entry.categories == ("category ",)
    assert entry.enclosures[0].url == "https://example.org/.mp3"
    assert entry.enclosures[0].type == "audio/"
    assert feed.hub == "https://hub.example/" and feed.self_url == "https://example.org/.json"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", "plain"),
        ("tab\tnew\nline\r", "tab\tnew\nline\r"),
        ("a\x00b\x1bc\x7fd\x81e\x9df", "abcdef"),  # C1 undefined in windows-1252: removed
        # The other C1 controls are the windows-1252 characters they stand for (issue 18).
        ("it\x92s \x93quoted\x94 \x96 \x97 \x85 \x80 \x9f", "it’s “quoted” – — … € Ÿ"),
        ("vertical\x0btab\x0cfeed", "vertical tab feed"),
        ("lone\ud800surrogate\udc00", "lonesurrogate"),
        ("non\ufffecharacters\uffff", "noncharacters"),
        ("é ü € ‰ 😀", "é ü € ‰ 😀"),
        ("no\xa0break ¿ « » \ufffd \uff01 \ufeff", "no\xa0break ¿ « » \ufffd \uff01 \ufeff"),
        ("c1 after a wanted one: ¿\x85", "c1 after a wanted one: ¿…"),
        ("undefined c1 after a wanted one: ¿\x90", "undefined c1 after a wanted one: ¿"),
    ],
)
def test_scrub(text: str, expected: str) -> None:
    assert scrub(text) == expected


@pytest.mark.parametrize(
    ("ids", "distinct"),
    [
        (["\b", "\x1b"], 2),  # ids of control characters alone: derived ids, one an item
        (["a\x00", "a"], 2),  # the same id once scrubbed: the two items stay two
        (["\x85x", "…x"], 2),  # a C1 control read as windows-1252 (U+0085 is "…")
    ],
)
def test_ids_are_scrubbed_before_they_are_made_unique(ids: list[str], distinct: int) -> None:
    items = [
        {"id": key, "title": f"item {n}", "content_text": f"text {n}"} for n, key in enumerate(ids)
    ]
    feed = parse_feed(
        json.dumps(
            {"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": items}
        ).encode(),
        "https://example.org/feed.json",
    )
    keys = [entry.id for entry in feed.entries]
    assert len(keys) == distinct
    assert all(keys) and len(set(keys)) == len(keys)
    assert all(key == scrub(key) for key in keys)
