"""Documents built to make the parser or the cleaner slow: each must finish well under a second.

Every case here took seconds to hours before its guard: the repair's lazy `.*?` rescanned to the
end for each unclosed CDATA section or comment (quadratic), html5ever's cost grew with nesting
depth times tags, and a date pattern backtracked over long runs of spaces.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest

from tidings.clean import MAX_DEPTH, clean_html, html_to_text
from tidings.parse import FeedParseError, parse_feed
from tidings.parse.dates import parse_date
from tidings.parse.discover import MAX_FEED_LINKS
from tidings.parse.entries import MAX_CATEGORIES, MAX_ENCLOSURES
from tidings.parse.xmltree import repair

LIMIT = 1.0  # seconds; the quadratic versions took minutes on these inputs

HEAD = "<rss version='2.0'><channel><title>t</title><item><title>a &amp; b</title><description>"
TAIL = "</description></item></channel></rss>"


def timed(work: Callable[[], object]) -> float:
    """Return the seconds `work()` took."""
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


@pytest.mark.timed
@pytest.mark.parametrize(
    "body",
    [
        HEAD + "<![CDATA[x" * 20_000 + TAIL,
        HEAD + "<!--x" * 20_000 + TAIL,
        HEAD + "<![CDATA[x]]><!--y" * 20_000 + TAIL,
        HEAD + "& <br " * 20_000 + TAIL,
        HEAD + "<br" + " x" * 200_000 + TAIL,
        "<rss version='2.0'><channel>" + "<item><title>x</title>" * 20_000,
        "<rss version='2.0'><channel>" + "<x>" * 100_000,
    ],
    ids=[
        "unclosed-cdata",
        "unclosed-comment",
        "cdata-then-comment",
        "bare-amp-and-br",
        "long-void-tag",
        "unclosed-items",
        "deep-xml",
    ],
)
def test_hostile_xml_parses_quickly(body: str) -> None:
    assert timed(lambda: parse_feed(body.encode())) < LIMIT


def test_unclosed_cdata_keeps_the_text_before_it() -> None:
    text, _ = repair("<a>&nbsp;<![CDATA[one]]>&x<![CDATA[two & <b>" + "<![CDATA[" * 1000)
    assert text.startswith("<a>&#160;<![CDATA[one]]>&amp;x<![CDATA[two & <b>")
    assert text.endswith("<![CDATA[" * 1000)  # the unclosed rest is left as it is


def test_repair_still_fixes_what_follows_a_closed_comment() -> None:
    text, warnings = repair("<a><!-- & --> & <br></a>")
    assert text == "<a><!-- & --> &amp; <br/></a>"
    assert warnings == ["escaped 1 bare '&' characters", "closed 1 HTML <br>, <hr> or <img> tags"]


NESTED = {
    "li-blockquote": "<li><blockquote>" * 16_000,
    "div": "<div>" * 100_000,
    "formatting": "<b><i><u><s><font>" * 20_000,
    "paragraph-in-bold": "<b><p>x" * 20_000,
    "table": "<table><tr><td>" * 20_000,
    "list": "<ul><li>" * 40_000,
    "stray-end-tags": "<div></b>" * 50_000,
}


@pytest.mark.timed
@pytest.mark.parametrize("fragment", NESTED.values(), ids=NESTED.keys())
def test_deep_nesting_cleans_quickly(fragment: str) -> None:
    assert timed(lambda: clean_html(fragment)) < LIMIT
    assert timed(lambda: html_to_text(fragment)) < LIMIT


def test_deep_nesting_is_flattened_and_still_sanitized() -> None:
    evil = "<div>" * 1000 + "<script>alert(1)</script><img src=x onerror=alert(1)>deep"
    cleaned = clean_html(evil)
    assert cleaned.count("<div>") <= MAX_DEPTH
    assert "script" not in cleaned and "onerror" not in cleaned
    assert "deep" in cleaned


def test_shallow_html_is_untouched_by_the_depth_limit() -> None:
    # Unclosed <p> and <li> are siblings, not levels: 2,000 of them stay.
    paragraphs = "<p>x" * 2000
    items = "<ul>" + "<li>x" * 2000 + "</ul>"
    assert clean_html(paragraphs).count("<p>") == 2000
    assert clean_html(items).count("<li>") == 2000


@pytest.mark.timed
def test_a_deep_fragment_in_a_feed_parses_quickly() -> None:
    body = HEAD + "<![CDATA[" + "<li><blockquote>" * 16_000 + "]]>" + TAIL
    assert timed(lambda: parse_feed(body.encode())) < LIMIT


@pytest.mark.timed
def test_a_deep_title_parses_quickly() -> None:
    body = "<rss version='2.0'><channel><title><![CDATA[" + "<div>" * 100_000 + "]]></title>"
    assert timed(lambda: parse_feed((body + "</channel></rss>").encode())) < LIMIT


@pytest.mark.timed
@pytest.mark.parametrize(
    "text", ["2025-09-19" + " " * 50_000 + "x", "19 " + "-" * 50_000, "Sep " + "1" * 50_000]
)
def test_long_date_text_names_no_date_quickly(text: str) -> None:
    assert timed(lambda: parse_date(text)) < 0.05
    assert parse_date(text) is None


def test_a_padded_date_still_reads() -> None:
    assert parse_date("\n" + " " * 200 + "Fri, 19 Sep 2025 12:00:00 GMT\n  ") is not None


@pytest.mark.timed
@pytest.mark.parametrize(
    "text",
    [
        "2020/1/1 1:00" + " am" * 38 + "x",  # the 12-hour clock's " ?am" before the zone
        "2020/1/1" + "/1" * 59,
        "19 Sep 2025 1:00" + " p.m." * 22,
        "2020/1/1" + " " * 119 + "x",
        "1" * 128,
    ],
)
def test_worst_dates_within_the_length_bound_read_quickly(text: str) -> None:
    # 1000 parses: each of the year-first and am/pm forms must stay linear on the longest text
    # the length bound lets through.
    assert timed(lambda: [parse_date(text) for _ in range(1000)]) < 0.5


@pytest.mark.timed
def test_an_html_page_full_of_feed_starts_is_refused_quickly() -> None:
    # The feed inside an HTML page is found with one search and one rfind (issue 18).
    page = "<!DOCTYPE html><html><body>" + "<rss <feed <rdf:RDF " * 50_000 + "</body></html>"
    started = time.perf_counter()
    with pytest.raises(FeedParseError):
        parse_feed(page.encode())
    assert time.perf_counter() - started < LIMIT


@pytest.mark.timed
@pytest.mark.parametrize(
    "subset",
    [
        "".join(f'<!ENTITY e{i} "&e{i + 1};">' for i in range(20_000)),  # a long chain
        '<!ENTITY a "' + "&a;" * 100_000 + '">',  # a cycle, many times over
        "<!ENTITY " * 50_000,  # declarations never finished
    ],
    ids=["chain", "cycle", "unfinished"],
)
def test_internal_entities_expand_quickly(subset: str) -> None:
    body = "<rss version='2.0'><channel><title>" + "&e0;&a;" * 10_000 + "</title></channel></rss>"
    document = f"<?xml version='1.0'?><!DOCTYPE rss [{subset}]>{body}"
    assert timed(lambda: parse_feed(document.encode())) < LIMIT


# 50,000 categories and enclosures in one item, in each format: each new one was compared with
# every one before it (41 s for RSS). Now at most MAX_CATEGORIES and MAX_ENCLOSURES are kept.
CROWD = 50_000
CROWDED = {
    "rss": (
        "<rss version='2.0' xmlns:media='http://search.yahoo.com/mrss/'><channel><title>t</title>"
        "<item><guid>g</guid>"
        + "".join(
            f"<enclosure url='http://e.example/{i}.mp3' type='audio/mpeg'/>"
            f"<category>c{i}</category><media:content url='http://e.example/{i}.jpg'/>"
            for i in range(CROWD)
        )
        + "</item></channel></rss>"
    ),
    "atom": (
        "<feed xmlns='http://www.w3.org/2005/Atom'><title>t</title><entry><id>1</id><title>a</title>"
        + "".join(
            f"<link rel='enclosure' href='http://e.example/{i}.mp3'/><category term='c{i}'/>"
            for i in range(CROWD)
        )
        + "</entry></feed>"
    ),
    "json": json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "t",
            "items": [
                {
                    "id": "1",
                    "tags": [f"c{i}" for i in range(CROWD)],
                    "attachments": [
                        {"url": f"http://e.example/{i}.mp3", "mime_type": "audio/mpeg"}
                        for i in range(CROWD)
                    ],
                }
            ],
        }
    ),
}


@pytest.mark.timed
@pytest.mark.parametrize("kind", sorted(CROWDED))
def test_an_item_with_50_000_categories_and_enclosures_keeps_the_first_quickly(kind: str) -> None:
    document = CROWDED[kind].encode()
    started = time.perf_counter()
    feed = parse_feed(document, "http://e.example/feed")
    assert time.perf_counter() - started < LIMIT
    (entry,) = feed.entries
    assert list(entry.categories) == [f"c{i}" for i in range(MAX_CATEGORIES)]
    assert len(entry.enclosures) == MAX_ENCLOSURES  # RSS's media:content among them
    assert entry.enclosures[0].url == "http://e.example/0.mp3"
    assert any(f"more than {MAX_CATEGORIES} categories" in w for w in feed.warnings)


def test_repeats_below_the_bound_are_still_one() -> None:
    inner = "<category>a</category><category> a </category><category>b</category>" * 3
    inner += "<enclosure url='http://e.example/1.mp3'/>" * 3
    document = f"<rss version='2.0'><channel><title>t</title><item><guid>g</guid>{inner}</item>"
    feed = parse_feed((document + "</channel></rss>").encode())
    (entry,) = feed.entries
    assert (entry.categories, len(entry.enclosures), feed.warnings) == (("a", "b"), 1, ())


@pytest.mark.timed
def test_a_page_announcing_50_000_feeds_is_read_quickly_and_gives_the_first() -> None:
    """Each link was compared with every one before it (6.5 s for 40,000), in a parse process
    a subscribing reader waits for."""
    links = "".join(
        f"<link rel='alternate' type='application/rss+xml' href='/f{i}.xml'>" for i in range(50_000)
    )
    page = f"<!doctype html><html><head>{links}</head><body>A page</body></html>"
    started = time.perf_counter()
    with pytest.raises(FeedParseError) as refused:
        parse_feed(page.encode(), "http://e.example/")
    assert time.perf_counter() - started < LIMIT
    found = refused.value.feed_links
    assert found == tuple(f"http://e.example/f{i}.xml" for i in range(MAX_FEED_LINKS))
