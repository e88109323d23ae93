"""Which of a user's entries a list shows: one record for every front end.

The web reader, Miniflux's `/v1/entries`, Google Reader's streams and Fever's item lists each
describe what they list as an `EntryFilter`; the store compiles it to SQL once, on both
databases (`store.reading.entries`, `count_entries`, `entries_by_id`, `entry_ids`). A search is
one more condition of the same query, so a count and the pages of a search agree: before, the
Miniflux API took the 100 best search hits and filtered them in Python, and a search with 250
matches said `total: 100` and had nothing past `offset=100`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import get_args

from tidings.reading_model import Cursor, Status
from tidings.search_query import SearchQuery

STATUSES: tuple[str, ...] = get_args(Status)


@dataclass(frozen=True, slots=True)
class EntryFilter:
    """The entries of the user's subscribed feeds that pass every condition given.

    - `status`: unread, read or all; `starred`: True, False, or None for either;
    - `feed_id`, `category_id`: one of the user's feeds or categories (another's gives none);
    - `search`: a parsed search query (its words, phrases, exclusions and filters);
    - `before`, `after`: strictly older / newer than a cursor (sort time, then id);
    - `label`: only entries with this label of the user's;
    - `ids`: only these entry ids; `above_id`, `below_id`: ids strictly greater / smaller;
    - `seen_from`, `seen_until`: the user got the entry at or after / strictly before this
      moment: when tidings first saw it, or when the user subscribed to its feed if later (the
      "crawl time" Google Reader's `ot` and `nt` ask about, not the time the feed gives).
    """

    status: Status = "all"
    starred: bool | None = None
    feed_id: int | None = None
    category_id: int | None = None
    search: SearchQuery | None = None
    before: Cursor | None = None
    after: Cursor | None = None
    ids: tuple[int, ...] | None = None
    label: str | None = None
    above_id: int | None = None
    below_id: int | None = None
    seen_from: datetime | None = None
    seen_until: datetime | None = None

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be unread, read or all, not {self.status!r}")
