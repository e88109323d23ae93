"""Differential tests: tidings and feedparser (the field's reference parser) read the corpus alike.

For every XML fixture and a few generated feeds, the feed's title and link, and each entry's
title, link, id, published date, author and summary text must agree, unless the difference
matches one of the DELIBERATE rules below (each one explained in docs/parsing.md). feedparser
6.0 does not read JSON Feed, so the JSON fixtures are covered by the golden tests only.
"""

from __future__ import annotations

import calendar
import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from html import escape
from typing import Any
from urllib.parse import urljoin

import pytest
from parsecases import CONTENT_TYPES, FEEDS, fixture_paths

from tidings.clean import html_to_text
from tidings.model import ParsedFeed
from tidings.parse import parse_feed

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import feedparser

Key = tuple[str, int | None]  # (field, entry index or None for the feed itself)


class Difference:
    """One disagreement, with what each parser said."""

    def __init__(self, name: str, url: str, key: Key, ours: Any, theirs: Any) -> None:
        self.name, self.url, self.ours, self.theirs = name, url, ours, theirs
        self.field, self.index = key

    def __repr__(self) -> str:
        return (
            f"{self.name} {self.field}[{self.index}]: ours={self.ours!r} feedparser={self.theirs!r}"
        )


# Each rule: (the reason, as docs/parsing.md gives it; which differences it covers).
DELIBERATE: list[tuple[str, Callable[[Difference], bool]]] = [
    ("An entry without a guid gets a derived id (its link, else a hash); feedparser gives none.",
     lambda d: d.field == "id" and d.theirs is None),
    ("A guid is an opaque identifier: the id is never resolved as a relative URL, and a guid "
     "is the entry's link only when it is an absolute http(s) URL, an absolute path, or "
     "isPermaLink=\"true\" says so.",
     lambda d: (d.field == "id" and d.theirs == urljoin(d.url, d.ours))
     or (d.field == "link" and d.ours is None and d.theirs is not None)),
    ("An RSS <author> in RSS 2.0's \"email (Name)\" form gives the name; feedparser gives the "
     "whole string (the name only in its author_detail).",
     lambda d: d.field == "author" and isinstance(d.theirs, str) and "@" in d.theirs
     and isinstance(d.ours, str) and d.theirs.endswith(f"({d.ours})")),
    ("An Atom entry without an author has the feed's author (RFC 4287 section 4.2.1).",
     lambda d: d.field == "author" and d.theirs is None and d.ours is not None),
    ("No summary stays None: feedparser copies the content into the summary.",
     lambda d: d.field == "summary" and d.ours is None),
    ("dc:date (and dcterms:issued/created) is the publication date when there is no pubDate, and "
     "we read more date forms (no zone, named European zones); feedparser gives no published "
     "date for these, or ignores zones it does not know.",
     lambda d: d.field == "published" and d.ours is not None),
    ("feedparser decodes '&lang=' in a URL with a bare '&' as the entity for an angle bracket.",
     lambda d: d.field == "link" and "&lang=" in str(d.ours)),
    ("Control characters XML forbids (NUL, BEL ...) are removed; feedparser keeps them.",
     lambda d: any(ord(c) < 32 for c in str(d.theirs))),
    ("A UTF-8 document with a few stray non-UTF-8 bytes is read as UTF-8, only the stray bytes as "
     "windows-1252; feedparser reads the whole document in another encoding (mojibake).",
     lambda d: d.name == "utf8_stray_latin1.xml"),
    ("A trailing '&#133;' is the windows-1252 ellipsis; feedparser strips it as whitespace (NEL).",
     lambda d: d.field == "title" and str(d.ours).endswith("…") and d.ours == f"{d.theirs}…"),
    ("itunes:subtitle is the summary when nothing else gives one; feedparser gives none.",
     lambda d: d.field == "summary" and d.theirs is None and d.ours is not None),
    ("RSS description wins over dc:description; feedparser takes whichever comes last.",
     lambda d: d.field == "summary" and d.name == "fallbacks.xml" and d.theirs == "Not this one"),
    ("Entities the document's internal DTD declares are expanded (bounded); feedparser leaves "
     "them unexpanded.", lambda d: d.name == "internal_dtd.xml"),
    ("A truncated document keeps only its complete entries; feedparser keeps the last, partial "
     "one.", lambda d: d.name == "truncated.xml" and d.ours is None),
    ("Entries that share an id but differ get distinct derived ids (\"sha256:\" and a digest); "
     "feedparser repeats the id.",
     lambda d: d.field == "id" and str(d.ours).startswith("sha256:") and d.theirs is not None),
    ("An Atom link whose URL is written as its text (no href) counts with its rel: an enclosure "
     "written so is an enclosure; feedparser makes it the entry's link.",
     lambda d: d.name == "atom_link_text_url.xml" and d.field == "link"),
    ("An item written twice (same id, link, enclosures, title and date) is kept once, so later "
     "entries shift position.",
     lambda d: d.name == "shared_link_podcast.xml" and d.index is not None and d.index >= 3),
]  # fmt: skip


def generated() -> Iterator[tuple[str, bytes]]:
    """Yield a few feeds built here rather than stored, in the shapes the benchmark uses."""
    items = "".join(
        f"<item><title>Item {i} &amp; more</title><link>https://gen.example/{i}</link>"
        f"<guid>https://gen.example/{i}</guid>"
        f"<pubDate>Fri, {i + 1:02d} Aug 2025 10:00:00 +0200</pubDate>"
        f"<author>a{i}@gen.example (Writer {i})</author>"
        f"<description>{escape(f'<p>Body <b>{i}</b> <a href=/x>x</a></p>')}</description></item>"
        for i in range(5)
    )
    yield (
        "generated-rss",
        (
            f"<rss version='2.0'><channel><title>Gen</title><link>https://gen.example/</link>"
            f"{items}</channel></rss>"
        ).encode(),
    )
    entries = "".join(
        f"<entry><title type='html'>{escape(f'Entry <i>{i}</i>')}</title>"
        f"<link href='https://gen.example/e/{i}'/><id>urn:gen:{i}</id>"
        f"<published>2025-08-{i + 1:02d}T10:00:00+02:00</published>"
        f"<author><name>Writer {i}</name></author>"
        f"<summary type='html'>{escape(f'<p>Summary {i}</p>')}</summary></entry>"
        for i in range(5)
    )
    yield (
        "generated-atom",
        (
            f"<feed xmlns='http://www.w3.org/2005/Atom'><title>Gen Atom</title>"
            f"<link href='https://gen.example/'/>{entries}</feed>"
        ).encode(),
    )


def corpus() -> Iterator[tuple[str, bytes, str | None]]:
    for path in fixture_paths():
        if path.suffix == ".xml":
            yield path.name, path.read_bytes(), CONTENT_TYPES.get(path.name)
    for name, data in generated():
        yield name, data, None


def _text(detail: Any) -> str | None:
    """Return a feedparser text construct as plain text."""
    if not detail or not detail.get("value"):
        return None
    value: str = detail["value"]
    if "html" in detail.get("type", ""):
        value = html_to_text(value)
    return " ".join(value.split()) or None


def _time(value: Any) -> datetime | None:
    return datetime.fromtimestamp(calendar.timegm(value), UTC) if value else None


def theirs(data: bytes, url: str, content_type: str | None) -> dict[Key, Any]:
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = feedparser.parse(data, response_headers=headers)
    found: dict[Key, Any] = {
        ("title", None): _text(parsed.feed.get("title_detail")),
        ("link", None): parsed.feed.get("link"),
    }
    for index, entry in enumerate(parsed.entries):
        found[("title", index)] = _text(entry.get("title_detail"))
        found[("link", index)] = entry.get("link")
        found[("id", index)] = entry.get("id")
        found[("published", index)] = _time(entry.get("published_parsed"))
        found[("author", index)] = entry.get("author")
        # feedparser fills `summary` from the content without a `summary_detail`.
        detail = entry.get("summary_detail") or (entry.get("content") or [None])[0]
        if entry.get("summary") and detail:
            detail = {"type": detail.get("type", "text/html"), "value": entry["summary"]}
        found[("summary", index)] = _text(detail)
    return found


def ours(feed: ParsedFeed) -> dict[Key, Any]:
    found: dict[Key, Any] = {("title", None): feed.title or None, ("link", None): feed.link}
    for index, entry in enumerate(feed.entries):
        found[("title", index)] = entry.title or None
        found[("link", index)] = entry.link
        found[("id", index)] = entry.id
        found[("published", index)] = entry.published
        found[("author", index)] = entry.author
        found[("summary", index)] = html_to_text(entry.summary) or None if entry.summary else None
    return found


def differences(name: str, data: bytes, content_type: str | None) -> list[Difference]:
    """Return the disagreements no DELIBERATE rule explains."""
    url = f"https://feeds.example.com/{name}"
    mine = ours(parse_feed(data, url, content_type))
    reference = theirs(data, url, content_type)
    found = []
    for key in sorted(set(mine) | set(reference), key=repr):
        if mine.get(key) != reference.get(key):
            difference = Difference(name, url, key, mine.get(key), reference.get(key))
            if not any(applies(difference) for _, applies in DELIBERATE):
                found.append(difference)
    return found


CORPUS = list(corpus())


@pytest.mark.parametrize(("name", "data", "content_type"), CORPUS, ids=[c[0] for c in CORPUS])
def test_agrees_with_feedparser(name: str, data: bytes, content_type: str | None) -> None:
    assert differences(name, data, content_type) == []


def test_every_deliberate_rule_is_needed_and_documented() -> None:
    docs = (FEEDS.parent.parent.parent / "docs" / "parsing.md").read_text(encoding="utf-8")
    used = set()
    for name, data, content_type in CORPUS:
        url = f"https://feeds.example.com/{name}"
        mine = ours(parse_feed(data, url, content_type))
        reference = theirs(data, url, content_type)
        for key in set(mine) | set(reference):
            if mine.get(key) != reference.get(key):
                difference = Difference(name, url, key, mine.get(key), reference.get(key))
                used.update(reason for reason, applies in DELIBERATE if applies(difference))
    for reason, _ in DELIBERATE:
        assert reason in used, f"no longer needed: {reason}"
        assert " ".join(reason.split()) in " ".join(docs.split()), f"not in docs: {reason}"
