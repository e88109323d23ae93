"""The reader's players: POST /reader/enclosures/{id}/progression saves where the reader stopped
playing an enclosure (reader.js sends it every ~10 s of play, on pause and on leaving the page;
the entry page's player resumes there). The same place Miniflux clients read and write as
`media_progression` (tidings.reading.enclosures)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tidings.errors import InvalidInput
from tidings.reading.enclosures import progression_seconds, save_progression
from tidings.store import NotFound
from tidings.web.guards import checked_form
from tidings.web.reader.common import json_state, path_number, require_user
from tidings.web.site import site_of


def _seconds(text: object) -> int:
    """The form's `seconds`, whole (a player's currentTime has a fraction, which is dropped)."""
    try:
        return progression_seconds(int(float(str(text))))
    except (ValueError, OverflowError):
        raise InvalidInput("seconds must be a number") from None


async def save_place(request: Request) -> Response:
    """Store the reader's place in one enclosure of an entry of their feeds; 404 otherwise."""
    reader = await require_user(request)
    form = await checked_form(request, reader.session)
    enclosure_id = path_number(request, "enclosure_id")
    try:
        seconds = _seconds(form.get("seconds"))
    except InvalidInput as error:
        raise HTTPException(400, str(error)) from None
    store = site_of(request).store
    try:
        await run_in_threadpool(save_progression, store, reader.id, enclosure_id, seconds)
    except NotFound:
        raise HTTPException(404, "There is no such enclosure in your feeds.") from None
    return json_state({"id": enclosure_id, "media_progression": seconds})


ROUTES = [
    Route("/reader/enclosures/{enclosure_id:id}/progression", save_place, methods=["POST"]),
]
