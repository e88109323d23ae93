"""Page numbers from the query string, and the pager under a list."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request

MAX_PAGE = 100_000
_NUMBER = re.compile(r"[0-9]{1,6}")
T = TypeVar("T")


def page_number(request: Request) -> int:
    """The page asked for with ?page=N (1 when absent); 400 for anything but 1..MAX_PAGE."""
    raw = request.query_params.get("page")
    if raw is None:
        return 1
    if not _NUMBER.fullmatch(raw) or not 1 <= int(raw) <= MAX_PAGE:
        raise HTTPException(400, f"“{raw[:20]}” is not a page number.")
    return int(raw)


@dataclass(frozen=True, slots=True)
class Pager:
    """Where a page sits in a list: its number and whether there are pages around it."""

    path: str
    page: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    def url(self, page: int) -> str:
        return self.path if page == 1 else f"{self.path}?{urlencode({'page': page})}"

    @property
    def shown(self) -> bool:
        return self.has_previous or self.has_next


def slice_page(items: list[T], page: int, size: int, path: str) -> tuple[list[T], Pager]:
    """The page's items from a list fetched with one extra item, and its pager.

    400 for a page after the last: fetching size + 1 items tells whether a next page exists
    without counting the whole table.
    """
    if page > 1 and not items:
        raise HTTPException(400, f"There is no page {page}.")
    return items[:size], Pager(path, page, len(items) > size)
