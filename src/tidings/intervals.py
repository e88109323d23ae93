"""Refresh intervals: auto, never, or one of Drupal's fixed choices; reading and writing them."""

from __future__ import annotations

import re
from typing import Final

MINUTE: Final = 60
HOUR: Final = 60 * MINUTE
DAY: Final = 24 * HOUR
WEEK: Final = 7 * DAY

AUTO: Final = None  # adapt to how often the feed publishes
NEVER: Final = 0

# Drupal Aggregator's "Update interval" choices, in seconds (format_refresh gives their words).
REFRESH_CHOICES: Final[tuple[int, ...]] = (
    15 * MINUTE,
    30 * MINUTE,
    *(h * HOUR for h in (1, 2, 3, 6, 9, 12, 18)),
    *(d * DAY for d in (1, 2, 3)),
    *(w * WEEK for w in (1, 2, 4)),
)

_UNITS: Final[dict[str, int]] = {
    **dict.fromkeys(("", "s", "sec", "secs", "second", "seconds"), 1),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), MINUTE),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), HOUR),
    **dict.fromkeys(("d", "day", "days"), DAY),
    **dict.fromkeys(("w", "wk", "week", "weeks"), WEEK),
}
_PART: Final = re.compile(r"(\d+)\s*([a-z]*)\s*")


def parse_refresh(text: str) -> int | None:
    """Give the refresh interval in seconds that `text` names: None for auto, 0 for never.

    Accepts "auto", "never", a number of seconds ("3600") and durations such as "15m", "1h",
    "2d", "1w", "1h30m" or "2 hours"; raises ValueError with a sentence otherwise.
    """
    cleaned = text.strip().lower()
    if cleaned == "auto":
        return None
    if cleaned in ("never", "off"):
        return 0
    problem = (
        f"{text!r} is not a refresh interval: use auto, never, a number of seconds "
        "or a duration such as 15m, 1h, 2d or 1w."
    )
    parts = _PART.findall(cleaned)
    if not parts or _PART.sub("", cleaned):  # something besides numbers and units
        raise ValueError(problem)
    if len(parts) > 1 and any(unit == "" for _number, unit in parts):
        raise ValueError(problem)
    seconds = 0
    for number, unit in parts:
        if unit not in _UNITS:
            raise ValueError(problem)
        seconds += int(number) * _UNITS[unit]
    if 0 < seconds < MINUTE:
        raise ValueError(f"A refresh interval must be at least 1 minute, not {text!r}.")
    return seconds


def format_refresh(seconds: int | None) -> str:
    """Give the words for a refresh interval ("auto", "never", "1 hour", "1 hour 30 minutes")."""
    if seconds is None:
        return "auto"
    if seconds == 0:
        return "never"
    words = []
    remaining = seconds
    for size, name in ((WEEK, "week"), (DAY, "day"), (HOUR, "hour"), (MINUTE, "minute")):
        count, remaining = divmod(remaining, size)
        if count:
            words.append(f"{count} {name}{'' if count == 1 else 's'}")
    if remaining:
        words.append(f"{remaining} second{'' if remaining == 1 else 's'}")
    return " ".join(words)
