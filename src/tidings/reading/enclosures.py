"""A reader's enclosures: the ids the APIs and pages give them, and where each reader stopped
playing one (Miniflux's `media_progression`).

Enclosures are kept in their entry's JSON column, without ids of their own. The id an API shows
is made of the entry's id and the enclosure's place in the entry's list:
`entry_id * ENCLOSURE_SLOTS + position`. It is stable as long as the feed lists the entry's files
in the same order, costs the refresher no write, and never equals its entry's id. Enclosures past
the first ENCLOSURE_SLOTS of an entry (no feed has that many) get none: 0, Miniflux's "no id".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from tidings.durations import MAX_DURATION_SECONDS
from tidings.errors import InvalidInput
from tidings.model import Enclosure, Entry
from tidings.store import NotFound, Store

ENCLOSURE_SLOTS: Final = 64


def enclosure_id(entry_id: int, position: int) -> int:
    """The id of the entry's enclosure at `position` (0 when it has none)."""
    return entry_id * ENCLOSURE_SLOTS + position if 0 <= position < ENCLOSURE_SLOTS else 0


def enclosure_place(enclosure_id: int) -> tuple[int, int] | None:
    """The (entry id, position) an enclosure id names, or None for no valid id."""
    if enclosure_id < ENCLOSURE_SLOTS:
        return None
    entry_id, position = divmod(enclosure_id, ENCLOSURE_SLOTS)
    return entry_id, position


@dataclass(frozen=True, slots=True)
class UserEnclosure:
    """One enclosure of an entry a user may see, and where they stopped playing it."""

    id: int
    entry: Entry
    position: int
    enclosure: Enclosure
    seconds: int = 0


def positions_of(store: Store, user_id: int, entry: Entry) -> dict[int, int]:
    """The user's saved seconds in each of the entry's enclosures, by position (none: absent)."""
    if not entry.enclosures:
        return {}
    return store.media_progressions.of_entries(user_id, [entry.id]).get(entry.id, {})


def find_enclosure(store: Store, user_id: int, enclosure_id: int) -> UserEnclosure:
    """The enclosure `enclosure_id` names; NotFound unless it is of an entry of the user's feeds
    (another reader's, an unknown id and a position past the entry's list are all the same)."""
    place = enclosure_place(enclosure_id)
    if place is None:
        raise NotFound(f"no enclosure with id {enclosure_id}")
    entry_id, position = place
    try:
        entry = store.reading.entry(user_id, entry_id).entry
    except NotFound:
        raise NotFound(f"no enclosure with id {enclosure_id}") from None
    if position >= len(entry.enclosures):
        raise NotFound(f"no enclosure with id {enclosure_id}")
    seconds = positions_of(store, user_id, entry).get(position, 0)
    return UserEnclosure(enclosure_id, entry, position, entry.enclosures[position], seconds)


def progression_seconds(value: object) -> int:
    """A position in whole seconds as a client sends it; InvalidInput unless a whole number
    from 0 to a week (MAX_DURATION_SECONDS)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput("media_progression must be a whole number of seconds")
    if not 0 <= value <= MAX_DURATION_SECONDS:
        raise InvalidInput(f"media_progression must be from 0 to {MAX_DURATION_SECONDS} seconds")
    return value


def save_progression(
    store: Store, user_id: int, enclosure_id: int, seconds: int, now: datetime | None = None
) -> None:
    """Store where the user stopped in the enclosure; NotFound as `find_enclosure` says."""
    found = find_enclosure(store, user_id, enclosure_id)
    saved = store.media_progressions.save(
        user_id, found.entry.id, found.position, seconds, now or datetime.now(UTC)
    )
    if not saved:  # the entry went (or the subscription) between the look and the write
        raise NotFound(f"no enclosure with id {enclosure_id}")
