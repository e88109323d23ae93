"""What an output feed says, whatever its format: the Channel that rss, atom and jsonfeed write."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from tidings.model import Entry, Feed

# A fixed date in tag URIs (RFC 4151): ids stay the same for as long as the host name does.
_TAG_DATE = "2024"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Channel:
    """One output feed: the river, one source or one category."""

    key: str  # "river", "source/12", "category/3": unique within the site
    title: str
    description: str
    page_url: str  # the HTML page showing the same entries
    self_url: str  # this very document
    authority: str  # host name for tag URIs
    entries: Sequence[Entry]
    sources: Mapping[int, Feed]  # every feed an entry comes from, by id
    generator: str = "tidings"
    hub: str | None = None  # the WebSub hub that pushes this feed's changes (setting websub_hub)

    @property
    def id(self) -> str:
        """The channel's permanent id, a tag URI."""
        return f"tag:{self.authority},{_TAG_DATE}:{self.key}"

    def entry_id(self, entry: Entry) -> str:
        """An entry's permanent id, a tag URI unique across the site's feeds."""
        return f"tag:{self.authority},{_TAG_DATE}:entry/{entry.id}"

    @property
    def updated(self) -> datetime:
        """When the channel last changed: its newest entry's update, else the epoch."""
        return max((entry_updated(e) for e in self.entries), default=_EPOCH)


def entry_published(entry: Entry) -> datetime:
    """The entry's date: published, else first seen."""
    return entry.published_at or entry.sort_at or entry.first_seen_at or _EPOCH


def entry_updated(entry: Entry) -> datetime:
    """The entry's last change: updated, else its date."""
    return max(entry.updated_at or _EPOCH, entry_published(entry))


def entry_html(entry: Entry) -> str | None:
    """The entry's cleaned HTML body: its content, else its summary."""
    return entry.content or entry.summary


def http_url(url: str | None) -> str | None:
    """The URL when it is an absolute http(s) URL, else None (never a javascript: link)."""
    if not url:
        return None
    text = url.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return None
    if any(ord(c) < 0x21 for c in text):
        return None
    return text


def authority_of(base_url: str) -> str:
    """The host name of a site's base URL, for tag URIs."""
    return (urlsplit(base_url).hostname or "localhost").lower()


# What XML 1.0 cannot carry (its Char production): the C0 controls but tab, newline and carriage
# return, lone surrogates, and U+FFFE/U+FFFF. lxml refuses a string holding any of them with a
# ValueError, so one such character in a stored title would make a whole document fail.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """The text without the characters XML 1.0 cannot carry (feeds do contain them).

    Every string an XML writer puts in a document, text or attribute, goes through this: feed
    data stored before the parser dropped such characters still has them.
    """
    return _NOT_XML.sub("", text)
