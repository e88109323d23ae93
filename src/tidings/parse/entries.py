"""Entry drafts (what a format parser collects) -> ParsedEntry records with stable, unique ids."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Final, NamedTuple

from tidings import utf8
from tidings.clean import clean_many, escape_text
from tidings.model import Enclosure, ParsedEntry
from tidings.parse.bounds import scrub


class Fragment(NamedTuple):
    """HTML as the document has it, to be cleaned (relative URLs against `base`) when the
    entries are finished: all of a feed's fragments are cleaned in one batch (clean_many)."""

    html: str
    base: str | None


# At most this many categories and enclosures an entry: real items have a few (a photo gallery
# some dozens); a hostile one had 50,000 of each, which took 41 s to read when each new one was
# compared with all before it. Past the bound they are left out, with a warning.
MAX_CATEGORIES: Final = 100
MAX_ENCLOSURES: Final = 100


@dataclass(slots=True)
class EntryDraft:
    """The fields of one entry as they are found, in any order."""

    id: str = ""
    link: str | None = None
    title: str = ""
    author: str | None = None
    summary: str | Fragment | None = None  # clean HTML, or HTML still to clean
    content: str | Fragment | None = None
    published: datetime | None = None
    updated: datetime | None = None
    categories: list[str] = field(default_factory=list)
    enclosures: list[Enclosure] = field(default_factory=list)
    image: str | None = None
    plain_summary: str | None = None  # media:description, itunes:summary: used when no summary
    plain_subtitle: str | None = None  # itunes:subtitle: used when none of the above
    fallback_title: str = ""  # media:title: used when the entry has no title
    duration: int | None = None  # itunes:duration, seconds: for the item's audio and video
    left_out: int = 0  # categories and enclosures past MAX_CATEGORIES and MAX_ENCLOSURES

    def add_category(self, name: str) -> None:
        if len(self.categories) >= MAX_CATEGORIES:
            self.left_out += 1  # not compared with the others: the list stays this short
            return
        name = " ".join(name.split())
        if name and name not in self.categories:
            self.categories.append(name)

    def add_enclosure(self, enclosure: Enclosure) -> None:
        if len(self.enclosures) >= MAX_ENCLOSURES:
            self.left_out += 1
            return
        for index, known in enumerate(self.enclosures):
            if known.url == enclosure.url:
                # The same file named twice (<enclosure> and <media:content>): the first wins,
                # but a duration only the second gives is kept.
                if known.duration is None and enclosure.duration is not None:
                    self.enclosures[index] = replace(known, duration=enclosure.duration)
                return
        self.enclosures.append(enclosure)

    def timed_enclosures(self) -> tuple[Enclosure, ...]:
        """Return the enclosures, the item's duration given to those without one that can
        play (not images: a cover art's duration is meaningless)."""
        duration = self.duration
        if duration is None:
            return tuple(self.enclosures)
        return tuple(
            replace(e, duration=duration)
            if e.duration is None and not (e.type or "").startswith("image/")
            else e
            for e in self.enclosures
        )


# The longest id kept as it is, in UTF-8 bytes. The store indexes (feed, id) to tell new entries
# from known ones, and PostgreSQL refuses an index entry past about 2,700 bytes: a 12 KB guid or
# link (no real feed needs one; a hostile one may) made every check of its feed fail there.
MAX_KEY_BYTES: Final = 1024


def bounded_key(key: str) -> str:
    """Return `key` when it fits MAX_KEY_BYTES; else "sha256:" and the hex digest of its UTF-8
    bytes, which tells long ids apart as the ids themselves would and is the same every check.
    (Migration 0016 gave stored keys past the bound the same form.)"""
    if utf8.fits(key, MAX_KEY_BYTES):
        return key
    # surrogatepass: a JSON Feed's link may hold a lone surrogate until bounds.py scrubs it.
    return "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def entry_key(link: str | None, title: str, published: datetime | None, summary: str | None) -> str:
    """Return the id of an entry that has none: its link; else "sha256:" and the hex digest of
    its title and its published date (ISO 8601, or "") joined by a newline; else, when both are
    empty, the digest of its summary."""
    if link:
        return link
    date = published.isoformat() if published else ""
    basis = f"{title}\n{date}" if title or date else summary or ""
    return "sha256:" + hashlib.sha256(basis.encode("utf-8")).hexdigest()


def _cut(fragment: Fragment, max_chars: int) -> Fragment:
    """Return `fragment` cut to `max_chars` characters."""
    return Fragment(fragment.html[:max_chars], fragment.base)


def finish_entries(
    drafts: list[EntryDraft], mode: str, max_chars: int | None = None
) -> tuple[tuple[ParsedEntry, ...], list[str]]:
    """Return the drafts as entries, each with an id and its HTML cleaned with the `mode`
    allowlist; entries that share an id get distinct ones (see `_distinct`).

    HTML longer than `max_chars` is cut to that length before it is cleaned: the entry will be
    cut to its byte bound afterwards anyway (parse/bounds.py), and the sanitizer's time grows
    with what it is given.
    """
    # Every Fragment of the feed is cleaned in one batch, in the order listed here (summary,
    # then content, draft by draft); the loop below takes the results back in that order.
    fragments = [
        value if max_chars is None or len(value.html) <= max_chars else _cut(value, max_chars)
        for draft in drafts
        for value in (draft.summary, draft.content)
        if isinstance(value, Fragment)
    ]
    # A feed without HTML (titles and links only) skips the call: 2 µs, a tenth of a small feed.
    cleaned = iter(clean_many(fragments, mode) if fragments else ())
    entries: list[ParsedEntry] = []
    for draft in drafts:
        summary = draft.summary
        if isinstance(summary, Fragment):
            summary = next(cleaned)
        elif summary is None and (draft.plain_summary or draft.plain_subtitle):
            summary = escape_text(draft.plain_summary or draft.plain_subtitle or "")
        content = draft.content
        if isinstance(content, Fragment):
            content = next(cleaned)
        title = draft.title or draft.fallback_title
        # The id as bounds.py will scrub it, before it is known unique: an id of control
        # characters alone is no id, and two that differ only by them are one.
        key = bounded_key(
            (scrub(draft.id) if draft.id else "")
            or entry_key(draft.link, title, draft.published, summary)
        )
        # Positional: a frozen dataclass's __init__ costs less so (same order as the fields).
        entries.append(
            ParsedEntry(
                key,
                draft.link,
                title,
                draft.author,
                summary,
                content,
                draft.published,
                draft.updated,
                tuple(draft.categories),
                draft.timed_enclosures(),
                draft.image,
            )
        )
    warnings = []
    if crowded := sum(1 for draft in drafts if draft.left_out):
        warnings.append(
            f"{crowded} entries had more than {MAX_CATEGORIES} categories or {MAX_ENCLOSURES}"
            " enclosures; kept the first"
        )
    # The common case, every key once: one set, nothing renamed.
    if len({entry.id for entry in entries}) == len(entries):
        return tuple(entries), warnings
    kept, repeated = _distinct(entries)
    return kept, warnings + repeated


def _signature(entry: ParsedEntry) -> str:
    """Return what tells apart items that share a key: their key, link, enclosure URLs, title
    and published date (a podcast's episodes share a link, each has its own enclosure)."""
    date = entry.published.isoformat() if entry.published else ""
    urls = " ".join(enclosure.url for enclosure in entry.enclosures)
    return f"{entry.id}\n{entry.link or ''}\n{urls}\n{entry.title}\n{date}"


def _distinct(entries: list[ParsedEntry]) -> tuple[tuple[ParsedEntry, ...], list[str]]:
    """Return `entries` with a unique key each, and a warning when repeats were dropped.

    Entries that share a key but differ (see `_signature`) all get "sha256:" and the digest of
    their signature instead: every member of the group, not only the later ones, so that a key
    does not move from one item to another when the publisher adds an item at the top. Entries
    identical in all of that are one item written twice: the first is kept with its key.
    """
    groups: dict[str, set[str]] = {}
    for entry in entries:
        groups.setdefault(entry.id, set()).add(_signature(entry))
    kept: list[ParsedEntry] = []
    seen: set[str] = set()
    repeats = 0
    for entry in entries:
        key = entry.id
        if len(groups[key]) > 1:
            digest = hashlib.sha256(_signature(entry).encode("utf-8")).hexdigest()
            key = "sha256:" + digest
        if key in seen:
            repeats += 1
            continue
        seen.add(key)
        kept.append(entry if key == entry.id else replace(entry, id=key))
    warnings = []
    if repeats:
        warnings.append(f"{repeats} entries repeated an id already used; kept the first of each")
    return tuple(kept), warnings
