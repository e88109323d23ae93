"""parse_feed's contract: versions, errors, autodiscovery, options, describe()."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from parsecases import FEEDS, fixture_paths

from tidings.model import ParsedFeed
from tidings.parse import FeedParseError, parse_feed
from tidings.parse.describe import describe, format_text

ATOM = "http://www.w3.org/2005/Atom"


@pytest.mark.parametrize(
    ("data", "version"),
    [
        (b"<rss version='0.91'><channel/></rss>", "rss091"),
        (b"<rss version='0.92'><channel/></rss>", "rss092"),
        (b"<rss version='0.93'><channel/></rss>", "rss093"),
        (b"<rss version='0.94'><channel/></rss>", "rss094"),
        (b"<rss version='2.0'><channel/></rss>", "rss20"),
        (b"<rss><channel/></rss>", "rss20"),
        (b"<channel><title>t</title></channel>", "rss20"),
        (b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#' "
         b"xmlns='http://purl.org/rss/1.0/'><channel/></rdf:RDF>", "rss10"),
        (b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#' "
         b"xmlns='http://my.netscape.com/rdf/simple/0.9/'><channel/></rdf:RDF>", "rss090"),
        (f"<feed xmlns='{ATOM}'/>".encode(), "atom10"),
        (b"<feed version='0.3' xmlns='http://purl.org/atom/ns#'/>", "atom03"),
        (b"<feed version='0.3'/>", "atom03"),
        (b'{"version": "https://jsonfeed.org/version/1", "items": []}', "json10"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": []}', "json11"),
        (b'{"items": []}', "json11"),
    ],
)  # fmt: skip
def test_version(data: bytes, version: str) -> None:
    assert parse_feed(data).version == version


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   \n ",
        b"hello world",
        b"\x00\x01\x02",
        b"<note><to>x</to></note>",
        b"{not json",
        b"[1, 2, 3]",
        b'{"title": "no items"}',
        b"<!DOCTYPE html><html><body>hi</body></html>",
        b"<html><head></head></html>",
        b"<html xmlns='http://www.w3.org/1999/xhtml'><head/></html>",
        b"[" * 100_000,
    ],
)
def test_nothing_feed_like_raises_feed_parse_error(data: bytes) -> None:
    with pytest.raises(FeedParseError) as caught:
        parse_feed(data)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("page", "url", "links"),
    [
        ((FEEDS / "html_page.html").read_text(), "https://site.example/a/",
         ("https://site.example/feed.rss", "https://other.example.com/atom.xml",
          "https://site.example/a/feed.json")),
        ('<html><head><base href="https://cdn.example/x/">'
         '<link rel="alternate" type="application/atom+xml" href="atom"></head></html>', None,
         ("https://cdn.example/x/atom",)),
        ('<!doctype html><link rel="alternate home" type="application/json" href="/j">',
         "https://s.example/", ("https://s.example/j",)),
        ("<!doctype html><p>no links</p>", "https://s.example/", ()),
        ('<!doctype html><link rel=alternate type=application/rss+xml href="javascript:x">',
         "https://s.example/", ()),
    ],
)  # fmt: skip
def test_html_pages_raise_with_their_feed_links(
    page: str, url: str | None, links: tuple[str, ...]
) -> None:
    with pytest.raises(FeedParseError) as caught:
        parse_feed(page.encode(), url)
    assert caught.value.feed_links == links


def test_strict_mode_allows_less_html() -> None:
    data = (
        b"<rss version='2.0'><channel><item><description>&lt;h1&gt;Big&lt;/h1&gt;"
        b"&lt;img src='https://x.example/i.png'&gt;&lt;p&gt;p&lt;/p&gt;</description></item>"
        b"</channel></rss>"
    )
    assert parse_feed(data).entries[0].summary == (
        '<h1>Big</h1><img src="https://x.example/i.png" loading="lazy"><p>p</p>'
    )
    assert parse_feed(data, allowed_html="strict").entries[0].summary == "Big<p>p</p>"


def test_entries_are_tuples_and_dates_aware() -> None:
    feed = parse_feed((FEEDS / "rss20_full.xml").read_bytes())
    assert isinstance(feed.entries, tuple)
    assert isinstance(feed.warnings, tuple)
    entry = feed.entries[0]
    assert isinstance(entry.categories, tuple)
    assert isinstance(entry.enclosures, tuple)
    assert entry.published is not None
    assert entry.published.utcoffset() is not None


def test_describe_is_json_ready_and_text_summary_names_entries() -> None:
    feed = parse_feed((FEEDS / "rss20_full.xml").read_bytes(), "https://www.example.com/feed")
    described = describe(feed)
    assert json.loads(json.dumps(described)) == described
    assert described["entries"][0]["published"] == "2025-09-19T12:00:00+00:00"
    text = format_text(feed)
    assert text.splitlines()[0] == "Example News & Views  [rss20]"
    assert "2025-09-19 12:00  First post" in text


def test_bytes_like_input_is_accepted() -> None:
    data = b"<rss version='2.0'><channel><title>t</title></channel></rss>"
    assert parse_feed(bytearray(data)).title == "t"  # type: ignore[arg-type]
    assert parse_feed(memoryview(data)).title == "t"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "url", ["http://[bad", "not a url", "", "javascript:alert(1)", "//x", "file:///etc/passwd"]
)
def test_odd_document_urls_are_tolerated(url: str) -> None:
    for path in fixture_paths():
        try:
            feed = parse_feed(path.read_bytes(), url)
        except FeedParseError:
            continue
        for entry in feed.entries:
            assert entry.link is None or not entry.link.lower().startswith(("javascript", "file"))


def test_parsing_in_threads_gives_the_same_results() -> None:
    documents = [path.read_bytes() for path in fixture_paths() if path.suffix == ".xml"]

    def parse_all(_: int) -> list[ParsedFeed]:
        return [parse_feed(data, "https://feeds.example.com/f") for data in documents]

    expected = parse_all(0)
    with ThreadPoolExecutor(max_workers=4) as pool:
        for result in pool.map(parse_all, range(8)):
            assert result == expected


def test_an_unknown_html_mode_is_a_caller_error() -> None:
    with pytest.raises(ValueError, match="allowed_html"):
        parse_feed(b"<rss><channel/></rss>", allowed_html="everything")
