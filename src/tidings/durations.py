"""A media duration as feeds write it (`<itunes:duration>`, Media RSS `duration`) -> seconds."""

from __future__ import annotations

import re
from typing import Final

# A week: longer than any episode or recorded stream; a bigger number is a mistake or a date.
MAX_DURATION_SECONDS: Final = 7 * 24 * 3600

# "H:MM:SS", "MM:SS" or seconds, each optionally with a fraction (".5"), which is dropped.
_FORM: Final = re.compile(r"(?:(\d{1,3}):)?(?:(\d{1,5}):)?(\d{1,7})(?:[.,]\d{1,6})?")


def parse_duration(text: str | None) -> int | None:
    """Return the whole seconds `text` gives ("1:02:03" -> 3723, "42:17" -> 2537, "185" -> 185),
    or None when it is empty, zero, malformed or longer than MAX_DURATION_SECONDS.

    Minutes may pass 59 only when they lead ("90:00" is common); after hours, minutes and seconds
    must be below 60, and seconds after minutes too ("1:75" is not a time).
    """
    if not text:
        return None
    match = _FORM.fullmatch(text.strip())
    if match is None:
        return None
    first, second, last = match.groups()
    seconds = int(last)
    if first is None:  # plain seconds
        total = seconds
    elif second is None:  # MM:SS
        if seconds >= 60:
            return None
        total = int(first) * 60 + seconds
    else:  # H:MM:SS
        if int(second) >= 60 or seconds >= 60:
            return None
        total = int(first) * 3600 + int(second) * 60 + seconds
    return total if 0 < total <= MAX_DURATION_SECONDS else None


def format_duration(seconds: int) -> str:
    """Return `seconds` as a player shows them: "42:17", "1:02:03"."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
