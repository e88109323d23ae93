"""The search box's language, parsed: pure text -> SearchQuery, no database.

    rust "memory safety" -unsafe feed:12 feed:"Lobsters" category:tech is:unread
    after:2024-01-01 before:2024-07-01

- words must all match; "a phrase" matches those words in that order;
- `-word` / `-"a phrase"` excludes entries containing it;
- `feed:` a subscribed feed by id, or by title (case-insensitive, part of it is enough);
  `category:` one of the user's categories by name (case-insensitive). Several `feed:`
  (or `category:`) filters mean any of them;
- `is:unread`, `is:read`, `is:starred`;
- `after:YYYY-MM-DD` on or after that day, `before:YYYY-MM-DD` before that day (UTC, by the
  entry's date, else when it was first seen).

Anything the parser cannot understand raises SearchQueryError with a message for the user; the
parsed terms reach the database only as bound parameters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from tidings.errors import UserError

MAX_QUERY_LENGTH = 500
MAX_TERMS = 32
FILTERS = ("feed", "category", "is", "before", "after")
IS_VALUES = ("unread", "read", "starred")


class SearchQueryError(UserError, ValueError):
    """The query cannot be understood; the message says why, for the user."""


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

    @property
    def positive_terms(self) -> tuple[str, ...]:
        return self.words + self.phrases


# One token: an optional "-", an optional "name:", then a quoted string or a bare run.
_TOKEN = re.compile(
    r"""(?P<neg>-)?(?:(?P<key>[A-Za-z]+):)?(?:"(?P<quoted>[^"]*)(?P<closed>"?)|(?P<bare>[^\s"]*))"""
)
_HAS_WORD = re.compile(r"[^\W_]")


def _date(key: str, value: str) -> date:
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise SearchQueryError(f"{key}: needs a date like 2024-05-31, not {value!r}") from None


def parse_search_query(text: str) -> SearchQuery:
    """The query in `text`; SearchQueryError when it is malformed or searches for nothing."""
    if len(text) > MAX_QUERY_LENGTH:
        raise SearchQueryError(f"the search is too long (at most {MAX_QUERY_LENGTH} characters)")
    words: list[str] = []
    phrases: list[str] = []
    excluded: list[str] = []
    feeds: list[int | str] = []
    categories: list[str] = []
    unread: bool | None = None
    starred = False
    dates: dict[str, date] = {}
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
        if pos < len(text) and not text[pos].isspace() and match.group("quoted") is not None:
            raise SearchQueryError('put a space after a closing quote (")')
        negated = bool(match.group("neg"))
        key = match.group("key")
        quoted = match.group("quoted")
        if quoted is not None and not match.group("closed"):
            raise SearchQueryError('a phrase is missing its closing quote (")')
        value = (quoted if quoted is not None else match.group("bare") or "").strip()
        value = " ".join(value.split())
        terms += 1
        if terms > MAX_TERMS:
            raise SearchQueryError(f"too many search terms (at most {MAX_TERMS})")

        if key is not None:
            name = key.lower()
            if name not in FILTERS:
                known = ", ".join(f"{f}:" for f in FILTERS)
                raise SearchQueryError(f"unknown filter {key}: (known filters: {known})")
            if negated:
                raise SearchQueryError(f"the filter {name}: cannot be negated with -")
            if not value:
                raise SearchQueryError(f"{name}: needs a value")
            if name == "feed":
                feeds.append(int(value) if value.isdigit() else value)
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
    if not words and not phrases:
        raise SearchQueryError("type a word or a phrase to search for")
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
    )
