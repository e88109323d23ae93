"""Refresh intervals: auto, never, or one of Drupal's fixed choices, and how to write them."""

from __future__ import annotations

import re

MINUTE, HOUR, DAY, WEEK = 60, 3600, 86400, 604800

AUTO: int | None = None  # adapt to how often the feed publishes
NEVER = 0

# Drupal Aggregator's "Update interval" choices, in seconds.
REFRESH_CHOICES: tuple[int, ...] = (
    15 * MINUTE,
    30 * MINUTE,
    *(h * HOUR for h in (1, 2, 3, 6, 9, 12, 18)),
    *(d * DAY for d in (1, 2, 3)),
    *(w * WEEK for w in (1, 2, 4)),
)

_UNITS = {"s": 1, "m": MINUTE, "h": HOUR, "d": DAY, "w": WEEK}
_PATTERN = re.compile(r"^\s*(\d+)\s*([smhdw]?)\s*$")


def parse_refresh(text: str) -> int | None:
    """The interval in seconds for "auto" (None), "never" (0), "3600", "15m", "2h", "1d" or "1w".

    Raises ValueError with a message for the user on anything else or on less than a minute.
    """
    word = text.strip().lower()
    if word == "auto":
        return AUTO
    if word == "never":
        return NEVER
    match = _PATTERN.match(word)
    if not match:
        raise ValueError(
            f"refresh interval {text!r} is not auto, never, or a number of seconds "
            "(or 15m, 2h, 1d, 1w)"
        )
    seconds = int(match.group(1)) * _UNITS[match.group(2) or "s"]
    if seconds < MINUTE:
        raise ValueError(f"refresh interval {text!r} is shorter than a minute")
    return seconds


def format_refresh(seconds: int | None) -> str:
    """ "auto", "never", or the interval in words: "15 min", "1 hour", "2 days", "4 weeks"."""
    if seconds is None:
        return "auto"
    if seconds == NEVER:
        return "never"
    for size, singular in ((WEEK, "week"), (DAY, "day"), (HOUR, "hour"), (MINUTE, "min")):
        if seconds % size == 0:
            n = seconds // size
            unit = singular if n == 1 or singular == "min" else singular + "s"
            return f"{n} {unit}"
    return f"{seconds} s"
