"""The records of personal reading: a user's subscriptions, categories, entry state, search hits.

Frozen dataclasses like those of `tidings.model`, which they build on; datetimes are aware UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from tidings.model import Entry

Status = Literal["unread", "read", "all"]
Order = Literal["newest", "oldest"]


@dataclass(frozen=True, slots=True)
class UserCategory:
    """A category of one user's own (not the admin's site categories)."""

    id: int
    name: str
    feed_count: int = 0  # filled by listing queries
    unread_count: int = 0  # filled by listing queries


@dataclass(frozen=True, slots=True)
class Subscription:
    """One user's subscription to a feed. The feed row is shared; the title is the user's."""

    feed_id: int
    url: str
    title: str | None = None  # the user's own; None = the feed's
    feed_title: str | None = None  # the admin's title, else the feed's own
    site_url: str | None = None
    is_public: bool = False
    categories: tuple[UserCategory, ...] = ()
    unread_count: int = 0
    last_error: str | None = None
    checked_at: datetime | None = None
    created_at: datetime | None = None
    first_error_at: datetime | None = None  # when the feed's current run of errors began
    crawler: bool = False  # the user wants the full article of each new entry
    scraper_rules: str | None = None  # the feed's (shared by its subscribers; store/articles.py)
    article_error: str | None = None  # the feed's last crawl failure

    @property
    def display_title(self) -> str:
        return self.title or self.feed_title or self.url


@dataclass(frozen=True, slots=True)
class Cursor:
    """A place in a listing ordered by (sort_at, id): for "before" / "after" paging."""

    sort_at: datetime
    id: int


@dataclass(frozen=True, slots=True)
class UserEntry:
    """An entry as one user sees it: with their read and starred state (no state row = unread)."""

    entry: Entry
    read: bool = False
    starred: bool = False
    read_at: datetime | None = None
    starred_at: datetime | None = None

    @property
    def id(self) -> int:
        return self.entry.id

    @property
    def cursor(self) -> Cursor:
        assert self.entry.sort_at is not None
        return Cursor(self.entry.sort_at, self.entry.id)


@dataclass(frozen=True, slots=True)
class UnreadCounts:
    """A user's unread counts for the sidebar: in all, per subscribed feed, per own category."""

    total: int = 0
    by_feed: Mapping[int, int] = field(default_factory=dict)  # every subscribed feed, 0 included
    by_category: Mapping[int, int] = field(default_factory=dict)  # every own category


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One search result. `title_html` and `snippet_html` are escaped HTML with <mark> around
    the matched words: safe to put in a page as they are."""

    entry: UserEntry
    rank: float  # larger is better; only comparable within one search
    title_html: str
    snippet_html: str
