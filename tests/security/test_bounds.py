"""Size bounds: an entry's summary and content, and titles, whatever the document holds."""

from __future__ import annotations

import time

import pytest

from tidings.clean import clean_html
from tidings.parse import MAX_ENTRY_BYTES, MAX_TITLE_LENGTH, parse_feed
from tidings.parse.bounds import cut_html, cut_line


def rss_item(**fields: str) -> bytes:
    inner = "".join(f"<{name}><![CDATA[{value}]]></{name}>" for name, value in fields.items())
    return (
        "<rss version='2.0' xmlns:content='http://purl.org/rss/1.0/modules/content/'><channel>"
        f"<title>t</title><item><guid>g</guid>{inner}</item></channel></rss>"
    ).encode()


def size(text: str | None) -> int:
    return len((text or "").encode("utf-8"))


@pytest.mark.timed
def test_a_10_mb_entry_is_cut_to_the_bound_quickly_and_stays_well_formed() -> None:
    paragraph = "<p>Some <b>bold</b> text, <a href='/x'>a link</a> and &amp; more é.</p>\n"
    body = rss_item(**{"content:encoded": paragraph * (9_500_000 // len(paragraph.encode()))})
    started = time.perf_counter()
    feed = parse_feed(body, "https://example.org/feed")
    assert time.perf_counter() - started < 3
    content = feed.entries[0].content
    assert content is not None
    assert MAX_ENTRY_BYTES - 4096 < size(content) <= MAX_ENTRY_BYTES
    assert clean_html(content) == content  # well formed: cleaning changes nothing
    assert content.count("<p>") == content.count("</p>")
    assert f"1 entries were larger than {MAX_ENTRY_BYTES} bytes; cut them short" in feed.warnings


def test_summary_and_content_share_the_bound() -> None:
    big = "<p>" + "x" * 3000 + "</p>"
    feed = parse_feed(rss_item(description=big, **{"content:encoded": big}), max_entry_bytes=4000)
    entry = feed.entries[0]
    assert size(entry.summary) + size(entry.content) <= 4000
    assert size(entry.summary) >= 1900  # the summary keeps about half
    assert entry.content and entry.content.endswith("</p>")


def test_a_small_summary_leaves_the_rest_to_the_content() -> None:
    feed = parse_feed(
        rss_item(description="short", **{"content:encoded": "y" * 10_000}), max_entry_bytes=4000
    )
    entry = feed.entries[0]
    assert entry.summary == "short"
    assert size(entry.content) == 4000 - len("short")


def test_entries_within_the_bound_are_untouched() -> None:
    html = "<p>" + "é" * 1000 + "</p>"
    feed = parse_feed(rss_item(description=html))
    assert feed.entries[0].summary == html
    assert not any("cut them short" in warning for warning in feed.warnings)


def test_long_titles_authors_and_categories_are_cut() -> None:
    long = "word " * 2000
    body = rss_item(title=long, author=long, category=long)
    feed = parse_feed(body.replace(b"<title>t</title>", b"<title>" + long.encode() + b"</title>"))
    entry = feed.entries[0]
    for text in (feed.title, entry.title, entry.author or "", *entry.categories):
        assert len(text) <= MAX_TITLE_LENGTH and text.endswith("…")
    assert len(parse_feed(body, max_title_length=10).entries[0].title) == 10


@pytest.mark.parametrize(
    ("html", "limit", "expected"),
    [
        ("<p>abc</p>", 100, "<p>abc</p>"),
        ("<p>abcdef</p>", 8, "<p>a</p>"),
        ("<p>ab<a href='x'>link</a></p>", 9, "<p>ab</p>"),
        ("<p>ab &amp; cd</p>", 10, "<p>ab </p>"),
        ("ééé", 5, "éé"),
        ("<p>abc</p>", 0, None),
    ],
)
def test_cut_html(html: str, limit: int, expected: str | None) -> None:
    assert cut_html(html, limit, "reader") == expected


def test_cut_line() -> None:
    assert cut_line("short", 10) == "short"
    assert cut_line("a long title here", 10) == "a long ti…"
    assert len(cut_line("x" * 50, 10)) == 10
