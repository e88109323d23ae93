"""The parse step of a check, as it runs in a parse process: bytes -> ParsedDocument.

This module imports the parser and nothing of fetching or storage, so a spawned parse process
starts in a fraction of the time and memory `tidings.refresh.run` would cost it. The content
hashes of the entries and the visible text of their HTML (which SQLite's search index reads) are
computed here too, next to the parse and off the main process, whose single database writer sets
the pace of a large refresh.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from tidings.model import Enclosure, ParsedEntry, ParsedFeed
from tidings.parse import MAX_ENTRY_BYTES, MAX_TITLE_LENGTH, FeedParseError, parse_feed
from tidings.plaintext import html_text

__all__ = ["ParsedDocument", "body_hash", "content_hash", "find_feeds", "parse_document"]


def body_hash(body: bytes) -> str:
    """Give the hex sha256 of a response body, to recognise a document that did not change."""
    return hashlib.sha256(body).hexdigest()


def content_hash(entry: ParsedEntry) -> str:
    """Give a stable hash of what a reader sees of an entry; a different hash means "changed".

    `updated` is left out on purpose: some generators stamp every item with the time of the
    request, and a new date alone is not a change worth rewriting (and re-showing) an entry for.
    """
    payload = [
        entry.title,
        entry.link,
        entry.author,
        entry.summary,
        entry.content,
        entry.published.isoformat() if entry.published else None,
        list(entry.categories),
        [_enclosure_terms(enclosure) for enclosure in entry.enclosures],
        entry.image,
    ]
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _enclosure_terms(enclosure: Enclosure) -> list[str | int | None]:
    """The enclosure's part of the content hash. The duration counts only when there is one, so
    the hash of an entry without one is what it was before durations were read (an upgrade does
    not rewrite every stored entry; those with a duration are rewritten once, and get it)."""
    terms: list[str | int | None] = [enclosure.url, enclosure.type, enclosure.length]
    return terms if enclosure.duration is None else [*terms, enclosure.duration]


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    """A parsed feed, and the content hash and the (summary, content) text of each of its entries,
    in document order."""

    feed: ParsedFeed
    hashes: tuple[str, ...]
    texts: tuple[tuple[str | None, str | None], ...] | None = None  # None: not asked for


def parse_document(
    body: bytes,
    url: str,
    content_type: str | None,
    allowed_html: str,
    max_entries: int,
    search_text: bool = False,
    max_entry_bytes: int = MAX_ENTRY_BYTES,
    max_title_length: int = MAX_TITLE_LENGTH,
) -> ParsedDocument | str:
    """The parsed document, or the parse error as a sentence (runs in a parse process). With
    `search_text` (the search index and the rules read it) it holds each entry's visible text
    too."""
    try:
        parsed = parse_feed(
            body,
            url,
            content_type,
            allowed_html=allowed_html,
            max_entries=max_entries,
            max_entry_bytes=max_entry_bytes,
            max_title_length=max_title_length,
        )
    except FeedParseError as exc:
        if exc.feed_links:
            return f"This is a web page, not a feed. It announces: {', '.join(exc.feed_links)}"
        return f"This is not a feed: {exc}"
    texts = None
    if search_text:
        entries = parsed.entries
        texts = tuple((html_text(entry.summary), html_text(entry.content)) for entry in entries)
    return ParsedDocument(parsed, tuple(content_hash(entry) for entry in parsed.entries), texts)


def find_feeds(body: bytes, url: str, content_type: str | None) -> tuple[str, ...] | str:
    """Return what feed discovery needs of a document (runs in a parse process): () when it is a
    feed, the feeds it announces when it is a web page, else why it is neither, as a sentence."""
    try:
        parse_feed(body, url, content_type)
    except FeedParseError as exc:
        return exc.feed_links or f"not a feed: {exc}"
    return ()
