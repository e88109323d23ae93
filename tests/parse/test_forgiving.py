"""What real feeds get wrong, each read without losing text; `warnings` says what was repaired.

Each case has a fixture in tests/data/feeds (whose whole result the golden test pins down); these
tests state the one property that fixture is about.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from parsecases import CONTENT_TYPES, FEEDS

from tidings.model import ParsedFeed
from tidings.parse import parse_feed


def load(name: str, url: str | None = "https://feeds.example.com/feed") -> ParsedFeed:
    return parse_feed((FEEDS / name).read_bytes(), url, CONTENT_TYPES.get(name))


def titles(feed: ParsedFeed) -> list[str]:
    return [entry.title for entry in feed.entries]


CASES: list[tuple[str, Callable[[ParsedFeed], bool], str]] = [
    ("bare_ampersand.xml", lambda f: titles(f) == ["Salt & Pepper < Gold"], "bare '&'"),
    ("bare_ampersand.xml", lambda f: f.description == "Cats & mice, and 1 < 2", "bare '<'"),
    ("html_entities.xml", lambda f: f.title == "Entités HTML", "HTML entities"),
    ("html_entities.xml", lambda f: titles(f)[0].startswith("It’s a café — … €5 & \"more\""),
     "HTML entities"),
    ("rss091.xml", lambda f: f.entries[0].summary == "The café is open.", ""),
    ("wrong_encoding.xml", lambda f: f.title == "Café “quotes”", "not UTF-8"),
    ("utf8_declared_latin1.xml", lambda f: f.description == "日本語", "bytes are UTF-8"),
    ("http_charset.xml", lambda f: titles(f) == ["‘single’"], ""),
    ("bom_utf8.xml", lambda f: f.title == "BOM é", ""),
    ("utf16.xml", lambda f: titles(f) == ["中文"], ""),
    ("truncated.xml", lambda f: titles(f) == ["Complete one", "Complete two"], "cut short"),
    ("junk_before.xml", lambda f: titles(f) == ["Item"], "junk"),
    ("unescaped_html.xml", lambda f: "<b>world</b>" in (f.entries[0].summary or ""), ""),
    ("unescaped_html.xml", lambda f: "Line one<br>Line two" in (f.entries[1].summary or ""),
     "closed"),
    ("cdata.xml", lambda f: titles(f) == ["Title with markup & an entity"], ""),
    ("missing_guids.xml", lambda f: len({e.id for e in f.entries}) == 4, ""),
    ("duplicate_guids.xml", lambda f: len({e.id for e in f.entries}) == 5, ""),
    ("shared_link_podcast.xml", lambda f: len({e.id for e in f.entries}) == 4, "repeated an id"),
    ("control_chars.xml", lambda f: titles(f) == ["Null byte"], "control characters"),
    ("dates.xml", lambda f: sum(e.published is not None for e in f.entries) == 13, ""),
]  # fmt: skip


@pytest.mark.parametrize(("name", "check", "warning"), CASES, ids=[c[0] for c in CASES])
def test_forgiven(name: str, check: Callable[[ParsedFeed], bool], warning: str) -> None:
    feed = load(name)
    assert check(feed)
    if warning:
        assert any(warning in text for text in feed.warnings), feed.warnings
    else:
        assert not any("not well formed" in text for text in feed.warnings), feed.warnings


@pytest.mark.parametrize(
    ("url", "link", "image"),
    [
        # xml:base wins, then the document's URL, then the site link.
        ("https://feeds.example.com/x/feed", "https://feeds.example.com/x/posts/1.html",
         "https://feeds.example.com/about"),
        (None, "/site/posts/1.html", "/about"),
    ],
)  # fmt: skip
def test_relative_urls(url: str | None, link: str, image: str) -> None:
    feed = load("relative_urls.xml", url)
    first, second = feed.entries
    assert first.link == link
    assert f'href="{image}"' in (first.summary or "")
    assert second.link == "http://base.example.org/other/posts/2.html"


def test_site_link_is_the_last_resort_base() -> None:
    data = (
        b"<rss version='2.0'><channel><link>https://site.example/blog/</link>"
        b"<item><link>p/1</link><description>&lt;img src='i.png'&gt;</description></item>"
        b"</channel></rss>"
    )
    entry = parse_feed(data).entries[0]
    assert entry.link == "https://site.example/blog/p/1"
    assert 'src="https://site.example/blog/i.png"' in (entry.summary or "")


def test_missing_ids_are_stable_across_runs() -> None:
    first = [e.id for e in load("missing_guids.xml").entries]
    second = [e.id for e in load("missing_guids.xml").entries]
    assert first == second
    assert first[0] == "http://noguid.example.com/1"
    assert all(key.startswith("sha256:") for key in first[1:])
