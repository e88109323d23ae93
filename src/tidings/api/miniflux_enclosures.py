"""Miniflux's enclosures: their JSON in entries, `GET` and `PUT /v1/enclosures/{id}` (the
reader's place in a podcast, `media_progression`). Ids and places: tidings.reading.enclosures."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from starlette.responses import Response

from tidings.api.common import ApiError, JSONReply
from tidings.errors import InvalidInput
from tidings.model import Entry
from tidings.reading.enclosures import (
    UserEnclosure,
    enclosure_id,
    find_enclosure,
    progression_seconds,
    save_progression,
)

if TYPE_CHECKING:
    from tidings.api.miniflux import Call


def enclosures_json(entry: Entry, user_id: int, seconds: Mapping[int, int]) -> list[dict[str, Any]]:
    """The entry's enclosures as Miniflux gives them; `seconds`: the user's place in each, by
    position. Miniflux has no duration field: the duration is not shown here."""
    return [
        _json(enclosure_id(entry.id, position), entry, position, user_id, seconds.get(position, 0))
        for position in range(len(entry.enclosures))
    ]


def _json(the_id: int, entry: Entry, position: int, user_id: int, seconds: int) -> dict[str, Any]:
    enclosure = entry.enclosures[position]
    return {
        "id": the_id,
        "user_id": user_id,
        "entry_id": entry.id,
        "url": enclosure.url,
        "mime_type": enclosure.type or "",
        "size": enclosure.length or 0,
        "media_progression": seconds,
    }


def _enclosure_json(found: UserEnclosure, user_id: int) -> dict[str, Any]:
    return _json(found.id, found.entry, found.position, user_id, found.seconds)


def _path_enclosure_id(call: Call) -> int:
    # An id that cannot be one finds nothing, as in Miniflux (Call.path_id: 404).
    return call.path_id("enclosure_id")


def enclosure_get(call: Call) -> Response:
    """GET /v1/enclosures/{id}: one enclosure of an entry of the user's feeds; else 404."""
    found = find_enclosure(call.store, call.uid, _path_enclosure_id(call))
    return JSONReply(_enclosure_json(found, call.uid))


def enclosure_update(call: Call) -> Response:
    """PUT /v1/enclosures/{id} with {"media_progression": seconds}: 204, as Miniflux; a
    negative or non-integer position is a 400 (checked before the enclosure, as Miniflux)."""
    data = call.json()
    try:
        seconds = progression_seconds(data.get("media_progression", 0))
    except InvalidInput as error:
        raise ApiError(400, str(error)) from None
    save_progression(call.store, call.uid, _path_enclosure_id(call), seconds)
    return Response(status_code=204)
