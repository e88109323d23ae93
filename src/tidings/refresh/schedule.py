"""When to check a feed again: refresh choices, the auto interval, server hints, backoff, jitter.

Everything here is pure: the current time and the random value for jitter are parameters, so the
same inputs always give the same answer and the tests are tables.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from itertools import pairwise
from typing import Final

from tidings.intervals import DAY, HOUR, MINUTE, WEEK
from tidings.numerals import whole_number


@dataclass(frozen=True, slots=True)
class PlanSettings:
    """The knobs of the refresh decisions; the defaults are what a small site wants."""

    min_interval: int = 5 * MINUTE  # auto never checks more often than this
    max_interval: int = DAY  # auto, backoff and server hints never wait longer than this
    default_interval: int = HOUR  # auto, when the feed gives no dates to learn from
    disable_after: int = 30 * DAY  # a feed failing this long (since first_error_at) is disabled
    jitter: float = 0.10  # +-10% so feeds added together do not stay in step
    auto_window: int = 4 * WEEK  # auto learns from entries published this recently
    auto_events: int = 20  # ... and from at most this many of the newest publishing events
    auto_factor: float = 0.5  # check twice per typical gap between publications
    auto_silence_divisor: float = 4.0  # a silence of S means the typical gap is at least S / 4
    # A feed whose hub pushes (WebSub, a live lease) is still polled, this seldom at most, to
    # catch a push that was lost.
    push_interval: int = 6 * HOUR


DEFAULT_SETTINGS: Final = PlanSettings()


def auto_interval(
    dates: Iterable[datetime], now: datetime, settings: PlanSettings = DEFAULT_SETTINGS
) -> int:
    """Give the seconds to wait before the next check, learnt from when the feed publishes.

    Entries published within `min_interval` of each other count as one publishing event, so a
    burst (ten items released at once) is not mistaken for a feed that posts every minute. The
    typical gap is the median gap between the newest events of the window, or a quarter of the
    silence since the newest event when that is longer, so a feed that has gone quiet (a
    weekend, a dead project) is checked less and less often. The result is half the typical
    gap (`auto_factor`), clamped to [min_interval, max_interval].
    """
    all_dates = [min(date, now) for date in dates]  # dates in the future count as "now"
    if not all_dates:
        return settings.default_interval
    window_start = now - timedelta(seconds=settings.auto_window)
    recent = sorted((date for date in all_dates if date >= window_start), reverse=True)
    if not recent:
        return settings.max_interval
    events = [recent[0]]
    for date in recent[1:]:
        if (events[-1] - date).total_seconds() >= settings.min_interval:
            events.append(date)
        if len(events) == settings.auto_events:
            break
    gaps = [(newer - older).total_seconds() for newer, older in pairwise(events)]
    silence = (now - events[0]).total_seconds()
    if gaps:
        typical = max(statistics.median(gaps), silence / settings.auto_silence_divisor)
    else:
        # One event in the window: all we know is it publishes about once per window.
        typical = max(float(settings.auto_window), silence)
    return _clamp(round(typical * settings.auto_factor), settings)


def _clamp(seconds: float, settings: PlanSettings) -> int:
    return int(min(max(seconds, settings.min_interval), settings.max_interval))


def parse_http_date(value: str | None) -> datetime | None:
    """Give the UTC time an HTTP date header names, or None when it is missing or malformed."""
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _server_now(headers: Mapping[str, str], now: datetime) -> datetime:
    # Expires and Retry-After dates are read against the server's own clock (its Date header),
    # so a server whose clock is off by an hour still gets the delay it meant.
    return parse_http_date(headers.get("date")) or now


def retry_after(headers: Mapping[str, str], now: datetime) -> int | None:
    """Give the seconds a Retry-After header asks us to wait (number or HTTP date), or None."""
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    seconds = whole_number(value)
    if seconds is not None:
        return seconds
    when = parse_http_date(value)
    if when is None:
        return None
    return max(0, int((when - _server_now(headers, now)).total_seconds()))


def cache_hint(headers: Mapping[str, str], ttl_minutes: int | None, now: datetime) -> int | None:
    """Give the longest wait the feed's TTL, Cache-Control max-age or Expires suggests, or None.

    no-cache and no-store mean "ask again every time", which says nothing about how often, so
    they make max-age and Expires count as absent. max-age wins over Expires (RFC 9111).
    """
    hints: list[int] = []
    if ttl_minutes and ttl_minutes > 0:
        hints.append(ttl_minutes * MINUTE)
    directives = _cache_control(headers.get("cache-control", ""))
    if "no-cache" not in directives and "no-store" not in directives:
        max_age = directives.get("max-age")
        seconds = whole_number(max_age)
        if seconds is not None:
            hints.append(seconds)
        elif max_age is None:
            expires = parse_http_date(headers.get("expires"))
            if expires is not None:
                seconds = int((expires - _server_now(headers, now)).total_seconds())
                if seconds > 0:
                    hints.append(seconds)
    return max(hints) if hints else None


def _cache_control(value: str) -> dict[str, str | None]:
    directives: dict[str, str | None] = {}
    for item in value.split(","):
        name, _, argument = item.strip().partition("=")
        if name:
            directives[name.strip().lower()] = argument.strip().strip('"') if argument else None
    return directives


def backoff_interval(interval: int, error_count: int, settings: PlanSettings) -> int:
    """Give the wait after `error_count` consecutive errors: doubled per error, capped.

    The cap is `max_interval`, or the feed's own interval when that is longer: an error never
    makes a weekly feed be checked sooner than weekly.
    """
    if error_count <= 0:
        return interval
    doubled = interval << min(error_count, 32)
    return max(interval, min(doubled, settings.max_interval))


def apply_jitter(seconds: int, fraction: float, random_value: float) -> int:
    """Give `seconds` moved by up to +-`fraction`; `random_value` in [0, 1) picks where."""
    return round(seconds * (1 + fraction * (2 * random_value - 1)))


def next_check_at(
    now: datetime,
    interval: int | None,
    *,
    entry_dates: Iterable[datetime] = (),
    headers: Mapping[str, str] | None = None,
    ttl_minutes: int | None = None,
    error_count: int = 0,
    random_value: float = 0.5,
    settings: PlanSettings = DEFAULT_SETTINGS,
    pushed: bool = False,
) -> datetime | None:
    """Give when to check the feed next, or None when its interval is "never" (0).

    `interval` is the feed's refresh setting: None for auto (learnt from `entry_dates`, then
    lengthened by the TTL / Cache-Control / Expires hints, capped at `max_interval`), or a fixed
    number of seconds, which those hints do not override: it is the admin's choice. Errors back
    off from there. Retry-After is a floor in both cases: the server said when to come back.
    `pushed` (a hub pushes the feed's updates) makes `push_interval` a floor of either.
    """
    if interval == 0:
        return None
    headers = headers or {}
    if interval is None:
        seconds = auto_interval(entry_dates, now, settings)
        hint = cache_hint(headers, ttl_minutes, now) if error_count == 0 else None
        if hint is not None:
            seconds = max(seconds, min(hint, settings.max_interval))
    else:
        seconds = interval
    if pushed:
        seconds = max(seconds, settings.push_interval)
    seconds = backoff_interval(seconds, error_count, settings)
    seconds = apply_jitter(seconds, settings.jitter, random_value)
    ceiling = settings.max_interval if interval is None else max(interval, settings.max_interval)
    if pushed:
        ceiling = max(ceiling, settings.push_interval)
    seconds = min(max(seconds, settings.min_interval), round(ceiling * (1 + settings.jitter)))
    floor = retry_after(headers, now)
    if floor is not None:
        seconds = max(seconds, min(floor, ceiling))
    return now + timedelta(seconds=seconds)
