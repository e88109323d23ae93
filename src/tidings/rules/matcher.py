"""A parsed query evaluated on one entry in memory: what the refresher uses for new entries.

`store.search.match_conditions` compiles the same SearchQuery to SQL for stored entries; the two
must agree (tests/rules/test_matcher_agrees.py generates entries and queries and compares them on
both databases). How each condition reads:

- words and phrases: the full-text index's way — the text split into tokens (runs of letters
  and digits), lower-cased, Latin diacritics removed (SQLite FTS5's unicode61 tokenizer); a
  word is a token, a phrase consecutive tokens, within one of the title, the summary's text or
  the content's text. PostgreSQL's 'simple' configuration keeps diacritics ("café" is not
  "cafe" there) and reads hyphenated words and addresses as more tokens: on such text the
  database's index, not this function, is what a search answers with.
- title:, content:, author:, url: with a word or phrase: the field contains it, ignoring case;
  with a regex: the pattern occurs in the field (content: the summary's or the content's text).
- feed:, category:, label:, is:, before:, after: as the store reads them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from functools import cache, lru_cache
from typing import Final

from tidings.model import direct_init
from tidings.rules.regex import compiled
from tidings.search_query import SearchQuery, TextTerm

_TOKEN = re.compile(r"[^\W_]+")


@direct_init
@dataclass(frozen=True, slots=True)
class EntryFacts:
    """What a query can ask of one entry, as one user sees it.

    `feed_titles`: the names `feed:` matches (the user's title for the feed, the feed's title);
    `categories`: the user's category names of the feed; `labels`: the user's labels on it;
    the texts are the visible text (`tidings.plaintext.html_text`) as the store keeps it.
    """

    entry_id: int
    feed_id: int
    feed_titles: tuple[str, ...] = ()
    categories: frozenset[str] = frozenset()
    labels: frozenset[str] = frozenset()
    title: str = ""
    summary_text: str = ""
    content_text: str = ""
    author: str = ""
    url: str = ""
    sort_at: datetime | None = None
    read: bool = False
    starred: bool = False


Matcher = Callable[[EntryFacts], bool]


@lru_cache(maxsize=1024)
def tokens(text: str) -> tuple[str, ...]:
    """The full-text index's tokens of `text`: lower-cased, Latin diacritics removed. Cached:
    every rule of every subscriber asks for the same entry's tokens."""
    if text.isascii():  # the usual case: lower-casing is all the folding, and one call
        return tuple(_TOKEN.findall(text.lower()))
    # The tokens are found in the text as written (lowered, "İ" would be "i" and a combining
    # dot, which ends a token), then folded together: joined by a NUL, which no token holds
    # and no step of folding makes, moves or merges with its neighbours (a final sigma stays
    # final). One fold for the text instead of one a token: 65 -> 23 µs an entry of the corpus.
    found = _TOKEN.findall(text)
    return tuple(_fold("\x00".join(found)).split("\x00")) if found else ()


def _fold(text: str) -> str:
    """`text` lower-cased, in compatibility decomposition (NFKD), its combining marks removed."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    if decomposed.isascii():  # "’" and "…" are not marks, and most non-ASCII text has no more
        return decomposed
    stripped = _combining_marks().sub("", decomposed)
    # A few more marks are past U+FFFF (Brahmi's, music's), where the pattern has none: a
    # pattern holding them cost 15 times as much on every text. Text without such characters
    # (each two UTF-16 code units) is done.
    if len(stripped.encode("utf-16-le", "surrogatepass")) == 2 * len(stripped):
        return stripped
    return "".join(c for c in stripped if not unicodedata.combining(c))


@cache
def _combining_marks() -> re.Pattern[str]:
    """A pattern matching every character up to U+FFFF with a combining class
    (`unicodedata.combining`): removing them with it costs a fifth of testing each character
    in Python (25 µs an entry of the real-world corpus went to that)."""
    codes = [code for code in range(0x10000) if unicodedata.combining(chr(code))]
    ranges: list[list[int]] = []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return re.compile("[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in ranges) + "]")


@dataclass(frozen=True, slots=True)
class _Tokens:
    """A text's tokens, and the set of them: a word is one set look-up, and a phrase is
    compared only where its first word is, not at every token of a long article."""

    sequence: tuple[str, ...]
    words: frozenset[str]


@lru_cache(maxsize=1024)
def _indexed_tokens(text: str) -> _Tokens:
    """`tokens(text)` with its set. Cached: the rules of every subscriber that look at one new
    entry ask for the same texts (the same string objects, so a look-up costs no hashing)."""
    sequence = tokens(text)
    return _Tokens(sequence, frozenset(sequence))


def _has_sequence(haystack: _Tokens, needle: tuple[str, ...]) -> bool:
    if not needle or needle[0] not in haystack.words:
        return False
    if len(needle) == 1:
        return True
    first, width, sequence = needle[0], len(needle), haystack.sequence
    at = sequence.index(first)
    while True:
        if sequence[at : at + width] == needle:
            return True
        try:
            at = sequence.index(first, at + 1)
        except ValueError:
            return False


# The lower-cased text, cached like _indexed_tokens: `title:word` and `content:phrase` rules
# each lowered a 2 KB text per entry and rule.
_lower = lru_cache(maxsize=1024)(str.lower)


def contains(text: str | None, needle: str) -> bool:
    """Whether `text` contains `needle`, ignoring case (the language's title:word)."""
    return text is not None and needle.lower() in text.lower()


def _texts(facts: EntryFacts, field: str) -> tuple[str, ...]:
    if field == "title":
        return (facts.title,)
    if field == "content":
        return (facts.summary_text, facts.content_text)
    if field == "author":
        return (facts.author,)
    if field == "url":
        return (facts.url,)
    if field == "any":
        return (facts.title, facts.summary_text, facts.content_text, facts.author, facts.url)
    return (facts.title, facts.summary_text, facts.content_text)  # "text": a bare /regex/


def _text_matcher(term: TextTerm) -> Matcher:
    field, needle, pattern = term.field, term.value.lower(), term.regex
    if pattern is not None:
        search = compiled(pattern.pattern, pattern.ignore_case).search  # the RE2 object's own

        def found(f: EntryFacts) -> bool:
            # Given UTF-8, the RE2 binding skips mapping byte offsets back to characters: half
            # the cost of a search in a 2 KB text. The pattern reads the same bytes either way.
            return any(search(t.encode()) is not None for t in _texts(f, field))

    else:

        def found(f: EntryFacts) -> bool:
            return any(needle in _lower(t) for t in _texts(f, field))

    if term.negated:
        return lambda f: not found(f)
    return found


def _day_start(day: object) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)  # type: ignore[arg-type]


def compile_matcher(query: SearchQuery) -> Matcher:
    """A function that tells whether an entry matches `query`: compiled once, cheap per call."""
    checks: list[Matcher] = []
    full_text = [tokens(t) for t in query.positive_terms]
    excluded = [tokens(t) for t in query.excluded]
    if full_text or excluded:

        def text_ok(f: EntryFacts) -> bool:
            columns = [_indexed_tokens(t) for t in (f.title, f.summary_text, f.content_text)]
            every = all(any(_has_sequence(c, t) for c in columns) for t in full_text)
            return every and not any(_has_sequence(c, x) for c in columns for x in excluded)

        checks.append(text_ok)
    if query.feeds:
        ids = {f for f in query.feeds if isinstance(f, int)}
        names = [f.lower() for f in query.feeds if isinstance(f, str)]
        checks.append(
            lambda f: (
                f.feed_id in ids or any(n in t.lower() for n in names for t in f.feed_titles if t)
            )
        )
    if query.categories:
        wanted = {c.lower() for c in query.categories}
        checks.append(lambda f: any(c.lower() in wanted for c in f.categories))
    if query.unread is not None:
        unread = query.unread
        checks.append(lambda f: f.read != unread)
    if query.starred:
        checks.append(lambda f: f.starred)
    if query.after is not None:
        after = _day_start(query.after)
        checks.append(lambda f: f.sort_at is not None and f.sort_at >= after)
    if query.before is not None:
        before = _day_start(query.before)
        checks.append(lambda f: f.sort_at is not None and f.sort_at < before)
    checks += [_text_matcher(term) for term in query.texts]
    if query.labels:
        labels = query.labels
        checks.append(lambda f: all(label in f.labels for label in labels))
    if query.without_labels:
        without = query.without_labels
        checks.append(lambda f: not any(label in f.labels for label in without))
    return lambda facts: all(check(facts) for check in checks)


_SPLIT = re.compile(r"[.*+?}^$]")


def fold(text: str) -> str:
    """`text` lower-cased with Latin diacritics removed, as the index's tokens are (cheap for
    ASCII text, the usual case)."""
    lowered = text.lower()
    return lowered if lowered.isascii() else _fold(lowered)


def literal_pieces(pattern: str) -> list[str]:
    """Strings every match of `pattern` contains (as written; case aside), or none when the
    pattern is not simple enough to tell: alternation, classes, groups or escapes."""
    if any(c in pattern for c in "|[({\\"):
        return []
    pieces = []
    position = 0
    for piece in _SPLIT.split(pattern):
        end = position + len(piece)
        if end < len(pattern) and pattern[end] in "?*{":
            piece = piece[:-1]  # its last character is optional
        position = end + 1
        if len(piece) >= 3:
            pieces.append(piece)
    return pieces


def literal_alternatives(pattern: str) -> list[list[str]]:
    """For each branch of `pattern`'s top-level alternation (the pattern itself when it has
    none; a pattern that is one group, `(a|b)` or `(?:a|b)`, is looked into), the strings every
    match of that branch contains (`literal_pieces`): a match contains all of one branch's.
    None at all when a branch gives none, or the pattern is not simple enough to tell."""
    inner = pattern
    for opener in ("(?:", "("):
        body = pattern[len(opener) : -1]
        group = pattern.startswith(opener) and pattern.endswith(")") and "(" not in body
        if group and not body.startswith("?"):  # not (?i:…), (?P<name>…): another syntax
            inner = body  # no ")" inside either: a "(" would have to open it
            break
    if any(c in inner for c in "[(){\\"):
        return []
    branches = [literal_pieces(branch) for branch in inner.split("|")]
    return branches if all(branches) else []


# Where a needle must be found: a short field's text, or "all" of them joined (full-text words,
# content:, any:, a bare /regex/). A needle is filed under its place, so `title:/council budget/`
# asks only the title for "council budget": in a long article most phrases are somewhere, in a
# title few are. The content has no place of its own: it is most of "all".
_NEEDLE_PLACE: Final = {"title": "title", "author": "author", "url": "url"}

# The title and the author are scanned together, in one text: a title's needle found in the
# author is a false alarm that the rule's evaluation settles (a needle is a condition the rule
# needs, not its answer), and each scan costs a call and a folded text. The address keeps its
# own text: few rules have its needles, and it is as long as a title and an author together.
# One text for all the places was cheaper on the benchmark's feeds, but on real text RE2 builds
# its automaton state by state, each costing more the more needles its set has: with the
# title's needles scanned over whole articles, an entry of the real-world corpus cost 10% more
# with 2,000 needles and 60% more with 15,000 (docs/rules.md, seventeenth session).
_PARTS: Final = {"all": "all", "title": "names", "author": "names", "url": "url"}


def needle_part(place: str) -> str:
    """Return which of an entry's scanned texts (`needle_text`) a needle of `place` is looked
    for in: "all", "names" (the title and the author) or "url"."""
    return _PARTS[place]


def needle_text(
    part: str, title: str, summary_text: str, content_text: str, author: str, url: str
) -> bytes:
    """Return the folded text, as UTF-8, that the RE2 sets of `part` (`needle_part`) scan: for
    "all" the five fields joined, for "names" the title and the author, for "url" the URL."""
    if part == "all":
        text = "\n".join((title, summary_text, content_text, author, url))
    elif part == "names":
        text = f"{title}\n{author}"
    else:
        text = url
    return fold(text).encode()


def needle_key(place: str, needle: str) -> str:
    """Return the key of `needle` (folded) in `place` ("title", ..., "all")."""
    return f"{place}\x00{needle}"


def needles(query: SearchQuery) -> frozenset[str]:
    """Return the needles of `query`: keys (`needle_key`) of folded strings that the text of a
    place of an entry (`needle_text`) must contain for `query` to match it, all of them: a
    cheap necessary condition the rules engine tests for many rules at once before evaluating
    any. Empty when the query gives none (then it is always evaluated)."""
    found: set[str] = set()
    for term in query.positive_terms:
        found.update(needle_key("all", t) for t in tokens(term) if len(t) >= 3)
    for text_term in query.texts:
        if text_term.negated:
            continue
        place = _NEEDLE_PLACE.get(text_term.field, "all")
        if text_term.regex is None:
            pieces = [fold(text_term.value)]
        else:
            pieces = [fold(piece) for piece in literal_pieces(text_term.regex.pattern)]
        found.update(needle_key(place, piece) for piece in pieces if piece.strip())
    return frozenset(found)
