"""What the three client APIs share: errors for the client, id and number parsing, JSON replies."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from tidings.numerals import MAX_ID as MAX_ID  # re-exported: the APIs' bound on ids
from tidings.numerals import whole_number
from tidings.store.icons import StoredIcon

NUL_PARAMETER = "a parameter holds a NUL character"

MAX_OFFSET = 1_000_000_000
T = TypeVar("T")


class ApiError(Exception):
    """A request the API refuses; `message` is for the client."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def form_pairs(request: Request, body: bytes) -> list[tuple[str, str]]:
    """Return the query's parameters, then those of the body unless it is multipart (Google
    Reader's and Fever's clients send either); ApiError 400 when one holds NUL."""
    pairs = list(request.query_params.multi_items())
    if body and "multipart/" not in request.headers.get("content-type", ""):
        pairs += parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    refuse_nul(pairs)
    return pairs


def refuse_nul(pairs: Iterable[tuple[str, object]]) -> None:
    """ApiError 400 when a parameter's name or text value holds NUL: none takes one, and
    PostgreSQL stores or compares no NUL in text (a Google Reader label named so was a 500)."""
    for key, value in pairs:
        if "\x00" in key or (isinstance(value, str) and "\x00" in value):
            raise ApiError(400, NUL_PARAMETER)


def parse_id(text: str | None, what: str = "id", *, status: int = 404) -> int:
    """A database id from text: decimal digits, 1 to 2^63-1; else ApiError(`status`)."""
    number = whole_number((text or "").strip())
    if not number:  # None, or 0
        raise ApiError(status, f"{what} must be a positive integer")
    return number


def parse_int(text: str | None, what: str, *, minimum: int = 0, maximum: int = MAX_OFFSET) -> int:
    """A whole number within bounds; ApiError 400 naming `what` otherwise."""
    value = (text or "").strip()
    body = value[1:] if value[:1] in "+-" else value
    if not body.isascii() or not body.isdigit() or len(body) > 19:
        raise ApiError(400, f"{what} must be an integer")
    number = int(value)
    if not minimum <= number <= maximum:
        raise ApiError(400, f"{what} must be between {minimum} and {maximum}")
    return number


def json_id(value: Any, what: str) -> int:
    """An id given in a JSON body: an integer (not a boolean) from 1 to 2^63-1."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise ApiError(400, f"{what} must be a positive integer")
    return value


# Unix times accepted from clients: the year 1 to 9999, as Python's datetime allows.
MIN_UNIX = -62135596800
MAX_UNIX = 253402300799


def from_unix(seconds: float, what: str) -> datetime:
    if not MIN_UNIX <= seconds <= MAX_UNIX:
        raise ApiError(400, f"{what} is out of range")
    return datetime.fromtimestamp(seconds, UTC)


def unix(moment: datetime | None) -> int:
    return 0 if moment is None else int(moment.timestamp())


class JSONReply(Response):
    """A JSON response, compact, UTF-8."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()


async def in_thread(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run blocking work (database, argon2) off the event loop."""
    return await run_in_threadpool(func, *args, **kwargs)


def first(params: Mapping[str, str], *names: str) -> str | None:
    for name in names:
        if name in params:
            return params[name]
    return None


def icon_data(icon: StoredIcon) -> str:
    """An icon as Miniflux and Fever carry it inline: "image/png;base64,…"."""
    return f"{icon.mime_type};base64,{base64.b64encode(icon.data).decode('ascii')}"


def icon_json(icon: StoredIcon) -> dict[str, Any]:
    """An icon in Miniflux's shape: id, data (see `icon_data`) and mime_type."""
    return {"id": icon.id, "data": icon_data(icon), "mime_type": icon.mime_type}
