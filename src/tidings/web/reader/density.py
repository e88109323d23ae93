"""How dense the reading list is: compact (one line an entry) or comfortable (plus a snippet).

The choice is kept in a cookie rather than in the database: it is a display preference of one
screen (a phone and a desktop of the same person often want different densities), it needs no
migration, and a missing or unknown value simply means compact.
"""

from __future__ import annotations

import html
import re
from typing import Literal, get_args

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tidings.model import Entry
from tidings.web.guards import checked_form
from tidings.web.reader.common import back_to, require_user, target

Density = Literal["compact", "comfortable"]
DENSITIES: tuple[Density, ...] = get_args(Density)
COOKIE = "tidings_density"
COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest browsers keep a cookie
SNIPPET_CHARS = 220
# Only the start of a summary is read: the snippet needs two lines, not the whole article.
_SCAN_CHARS = 4000
# Block tags part words ("<p>a</p><p>b</p>" reads "a b"); inline ones do not ("<em>a</em>.").
_BLOCK_TAG = re.compile(
    r"</?(?:p|div|br|li|ul|ol|h[1-6]|tr|td|th|blockquote|pre|figure|section)\b[^>]{0,2000}>", re.I
)
_TAG = re.compile(r"<[^>]{0,2000}>")
_SPACE = re.compile(r"\s+")


def parse_density(raw: object) -> Density:
    """The density named by `raw`; compact for anything else."""
    return "comfortable" if raw == "comfortable" else "compact"


def density_of(request: Request) -> Density:
    """The density this browser chose (its cookie), compact by default."""
    return parse_density(request.cookies.get(COOKIE))


def snippet(entry: Entry, limit: int = SNIPPET_CHARS) -> str:
    """The start of the entry's summary (else content) as plain text, at most `limit` chars."""
    source = (entry.summary or entry.content or "")[:_SCAN_CHARS]
    text = _SPACE.sub(" ", html.unescape(_TAG.sub("", _BLOCK_TAG.sub(" ", source)))).strip()
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


async def choose_density(request: Request) -> Response:
    """Remembers the posted density in a cookie and goes back to the list."""
    reader = await require_user(request)
    form = await checked_form(request, reader.session)
    density = parse_density(form.get("density"))
    response = back_to(request, reader, target(form.get("next"), "/reader"))
    response.set_cookie(
        COOKIE, density, max_age=COOKIE_MAX_AGE, httponly=True, samesite="lax", path="/reader"
    )
    return response


ROUTES = [Route("/reader/density", choose_density, methods=["POST"])]
