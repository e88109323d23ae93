r"""The search box's and the rules' language, parsed: pure text -> SearchQuery, no database.

    rust "memory safety" -unsafe feed:12 feed:"Lobsters" category:tech is:unread
    after:2024-01-01 before:2024-07-01 title:release -author:bot url:github.com label:later
    /v[0-9]+\.[0-9]+/ title:/^\[ad\]/i

- words must all match; "a phrase" matches those words in that order;
- `-word` / `-"a phrase"` excludes entries containing it;
- `feed:` a subscribed feed by id, or by title (case-insensitive, part of it is enough);
  `category:` one of the user's categories by name (case-insensitive). Several `feed:`
  (or `category:`) filters mean any of them;
- `is:unread`, `is:read`, `is:starred`;
- `after:YYYY-MM-DD` on or after that day, `before:YYYY-MM-DD` before that day (UTC, by the
  entry's date, else when it was first seen);
- `title:`, `content:` (the visible text of summary and content), `author:`, `url:` (the entry's
  link) followed by a word or a "phrase": that field contains it, ignoring case (a part of a word
  is enough: `title:rust` matches "Trusty"); `-title:…` the field does not;
- `any:` the title, the content, the author or the link (Miniflux's block and keep lists);
- `/regex/` (the title or the content), `title:/regex/`, `content:/…/`, `author:/…/`, `url:/…/`: a
  regular expression occurs in the field (tidings.rules.regex says which syntax); `/…/i` ignores
  case; `-/…/` excludes;
- `label:name` the entry carries that label of the user's; `-label:name` it does not.

A search (the search box, `parse_search_query`) needs a word or a phrase to rank its results; a
rule (`parse_query(..., require_terms=False)`) needs any one condition.

Anything the parser cannot understand raises SearchQueryError with a message for the user; the
parsed terms reach the database only as bound parameters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal, cast

from tidings.errors import UserError
from tidings.numerals import whole_number
from tidings.reading.limits import MAX_LABEL_LENGTH
from tidings.rules.regex import Regex, RegexError, regex

MAX_QUERY_LENGTH = 500
MAX_TERMS = 32
TEXT_FIELDS = ("title", "content", "author", "url", "any")
FILTERS = ("feed", "category", "is", "before", "after", *TEXT_FIELDS, "label")
NEGATABLE = (*TEXT_FIELDS, "label")
IS_VALUES = ("unread", "read", "starred")
TextField = Literal["title", "content", "author", "url", "any", "text"]


class SearchQueryError(UserError, ValueError):
    """The query cannot be understood; the message says why, for the user."""


@dataclass(frozen=True, slots=True)
class TextTerm:
    """A condition on one text field: `value` occurs in it (ignoring case), or, with `regex`,
    the pattern does. Field "text" is the title or the content (a bare /regex/)."""

    field: TextField
    value: str
    regex: Regex | None = None
    negated: bool = False


@dataclass(frozen=True, slots=True)
class SearchQuery:
    words: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()  # words or phrases
    feeds: tuple[int | str, ...] = ()  # ids, or parts of titles
    categories: tuple[str, ...] = ()
    unread: bool | None = None  # True: is:unread, False: is:read, None: either
    starred: bool = False
    after: date | None = None
    before: date | None = None
    texts: tuple[TextTerm, ...] = ()  # title:, content:, author:, url:, /regex/
    labels: tuple[str, ...] = ()  # label:
    without_labels: tuple[str, ...] = ()  # -label:

    @property
    def positive_terms(self) -> tuple[str, ...]:
        return self.words + self.phrases

    @property
    def has_full_text(self) -> bool:
        """Whether the query has words or phrases for the full-text index to match."""
        return bool(self.words or self.phrases)


# One token: an optional "-", an optional "name:", then a quoted string, a /regex/ (read by
# _regex_end) or a bare run.
_TOKEN = re.compile(
    r"""(?P<neg>-)?(?:(?P<key>[A-Za-z]+):)?(?:"(?P<quoted>[^"]*)(?P<closed>"?)|(?P<slash>/)|(?P<bare>[^\s"]*))"""
)
_HAS_WORD = re.compile(r"[^\W_]")


def _date(key: str, value: str) -> date:
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise SearchQueryError(f"{key}: needs a date like 2024-05-31, not {value!r}") from None


def _regex_end(text: str, start: int) -> int:
    """The index of the "/" closing the pattern that starts at `start` (after the opening "/");
    a "\\/" inside is a slash of the pattern."""
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == "/":
            return i
        i += 1
    raise SearchQueryError("a regular expression is missing its closing /")


def parse_search_query(text: str) -> SearchQuery:
    """The search in `text`; SearchQueryError when it is malformed or has no word or phrase."""
    return parse_query(text, require_terms=True)


def parse_query(text: str, *, require_terms: bool) -> SearchQuery:
    """The query in `text`; SearchQueryError when it is malformed, or when it has no word or
    phrase (`require_terms`: a search) or no condition at all (a rule)."""
    if len(text) > MAX_QUERY_LENGTH:
        raise SearchQueryError(f"the search is too long (at most {MAX_QUERY_LENGTH} characters)")
    if "\x00" in text:
        # SQLite's full-text MATCH stops reading at one ("unterminated string") and PostgreSQL
        # takes none in text: every front end's search, rule and preview failed on it.
        raise SearchQueryError("a search cannot hold a NUL character")
    words: list[str] = []
    phrases: list[str] = []
    excluded: list[str] = []
    feeds: list[int | str] = []
    categories: list[str] = []
    unread: bool | None = None
    starred = False
    dates: dict[str, date] = {}
    texts: list[TextTerm] = []
    labels: list[str] = []
    without_labels: list[str] = []
    pos = 0
    terms = 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            break
        match = _TOKEN.match(text, pos)
        assert match is not None  # at a non-space character the token is never empty
        pos = match.end()
        negated = bool(match.group("neg"))
        key = match.group("key")
        name = key.lower() if key is not None else None
        if name is not None and name not in FILTERS:
            known = ", ".join(f"{f}:" for f in FILTERS)
            raise SearchQueryError(f"unknown filter {key}: (known filters: {known})")
        if match.group("slash"):
            end = _regex_end(text, pos)
            pattern, pos = text[pos:end], end + 1
            ignore_case = text[pos : pos + 1] == "i"
            pos += ignore_case
            if pos < len(text) and not text[pos].isspace():
                raise SearchQueryError("put a space after a regular expression's closing / (or /i)")
            if name is not None and name not in TEXT_FIELDS:
                raise SearchQueryError(
                    f"{key}: does not take a regular expression (title:, content:, author:, "
                    "url: and any: do)"
                )
            terms += 1
            if terms > MAX_TERMS:
                raise SearchQueryError(f"too many search terms (at most {MAX_TERMS})")
            try:
                checked = regex(pattern, ignore_case=ignore_case)
            except RegexError as exc:
                raise SearchQueryError(str(exc)) from None
            field = cast(TextField, name or "text")
            texts.append(TextTerm(field, pattern, checked, negated))
            continue
        if pos < len(text) and not text[pos].isspace() and match.group("quoted") is not None:
            raise SearchQueryError('put a space after a closing quote (")')
        quoted = match.group("quoted")
        if quoted is not None and not match.group("closed"):
            raise SearchQueryError('a phrase is missing its closing quote (")')
        value = (quoted if quoted is not None else match.group("bare") or "").strip()
        value = " ".join(value.split())
        terms += 1
        if terms > MAX_TERMS:
            raise SearchQueryError(f"too many search terms (at most {MAX_TERMS})")

        if name is not None:
            if negated and name not in NEGATABLE:
                raise SearchQueryError(f"the filter {name}: cannot be negated with -")
            if not value:
                raise SearchQueryError(f"{name}: needs a value")
            if name in TEXT_FIELDS:
                texts.append(TextTerm(cast(TextField, name), value, None, negated))
            elif name == "label":
                if len(value) > MAX_LABEL_LENGTH:
                    raise SearchQueryError(f"a label has at most {MAX_LABEL_LENGTH} characters")
                (without_labels if negated else labels).append(value)
            elif name == "feed":
                # An id (a number no id passes is a title, which no feed has), else a title.
                number = whole_number(value)
                feeds.append(value if number is None else number)
            elif name == "category":
                categories.append(value)
            elif name == "is":
                flag = value.lower()
                if flag not in IS_VALUES:
                    raise SearchQueryError(f"is: takes {', '.join(IS_VALUES)}, not {value!r}")
                if flag == "starred":
                    starred = True
                else:
                    wanted = flag == "unread"
                    if unread is not None and unread != wanted:
                        raise SearchQueryError("is:unread and is:read cannot both hold")
                    unread = wanted
            else:
                if name in dates:
                    raise SearchQueryError(f"{name}: is given twice")
                dates[name] = _date(name, value)
            continue

        if not value:
            if negated:
                raise SearchQueryError("a - must be followed by a word or a phrase to exclude")
            continue  # "" searches for nothing
        if not _HAS_WORD.search(value):
            continue  # punctuation alone: no word to look for (the index ignores it too)
        if negated:
            excluded.append(value)
        elif quoted is not None and " " in value:
            phrases.append(value)
        else:
            words.append(value)

    after, before = dates.get("after"), dates.get("before")
    if after is not None and before is not None and after >= before:
        raise SearchQueryError("after: must be a day earlier than before:")
    if require_terms and not words and not phrases:
        raise SearchQueryError("type a word or a phrase to search for")
    conditions = (words, phrases, excluded, feeds, categories, texts, labels, without_labels)
    if not any(conditions) and unread is None and not starred and not dates:
        raise SearchQueryError("write at least one condition")
    return SearchQuery(
        words=tuple(dict.fromkeys(words)),
        phrases=tuple(dict.fromkeys(phrases)),
        excluded=tuple(dict.fromkeys(excluded)),
        feeds=tuple(dict.fromkeys(feeds)),
        categories=tuple(dict.fromkeys(categories)),
        unread=unread,
        starred=starred,
        after=after,
        before=before,
        texts=tuple(dict.fromkeys(texts)),
        labels=tuple(dict.fromkeys(labels)),
        without_labels=tuple(dict.fromkeys(without_labels)),
    )
