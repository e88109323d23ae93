"""Scheduling decisions as tables: refresh choices, auto interval, server hints, backoff, jitter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tidings.refresh.schedule import (
    DAY,
    HOUR,
    MINUTE,
    WEEK,
    PlanSettings,
    apply_jitter,
    auto_interval,
    backoff_interval,
    cache_hint,
    next_check_at,
    parse_http_date,
    retry_after,
)

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
S = PlanSettings()
SERVER_DATE = "Sat, 28 Nov 2026 13:00:00 GMT"  # a server whose clock is an hour ahead


def ago(seconds: float) -> datetime:
    return NOW - timedelta(seconds=seconds)


def every(gap: float, count: int, start: float = 0) -> list[datetime]:
    """Give `count` dates `gap` seconds apart, the newest `start` seconds ago."""
    return [ago(start + gap * n) for n in range(count)]


AUTO_CASES = [
    ("no dates at all: the default", [], HOUR),
    ("hourly feed: every 30 minutes", every(HOUR, 20, start=600), 30 * MINUTE),
    ("daily feed: every 12 hours", every(DAY, 10, start=HOUR), 12 * HOUR),
    ("every 2 minutes: clamped to 5 minutes", every(120, 20, start=60), 5 * MINUTE),
    ("weekly feed: clamped to a day", every(WEEK, 4, start=DAY), DAY),
    ("nothing in four weeks: the maximum", every(DAY, 5, start=5 * WEEK), DAY),
    ("one entry in the window: the maximum", [ago(DAY)], DAY),
    # 30 items published in one minute, plus an hourly rhythm: the burst is one event
    (
        "burst counts once",
        [ago(600 + s) for s in range(0, 60, 2)] + every(HOUR, 10, start=600 + HOUR),
        30 * MINUTE,
    ),
    # hourly, then silent for three days: a quarter of the silence is the typical gap
    ("gone quiet", every(HOUR, 10, start=3 * DAY), 9 * HOUR),
    ("quiet night", every(HOUR, 10, start=8 * HOUR), HOUR),
    ("duplicated dates count once", every(HOUR, 10, start=600) * 3, 30 * MINUTE),
    ("future dates count as now", [NOW + timedelta(days=3), *every(HOUR, 10)], 30 * MINUTE),
    # six-hourly with a quiet night: the median ignores the one long gap
    (
        "median is robust to one long gap",
        [*every(6 * HOUR, 6, start=HOUR), *every(6 * HOUR, 6, start=HOUR + 5 * DAY)],
        3 * HOUR,
    ),
]


@pytest.mark.parametrize(
    ("dates", "seconds"),
    [case[1:] for case in AUTO_CASES],
    ids=[case[0] for case in AUTO_CASES],
)
def test_auto_interval(dates: list[datetime], seconds: int) -> None:
    assert auto_interval(dates, NOW, S) == seconds


def test_auto_interval_uses_only_the_newest_events() -> None:
    # 20 hourly events, then a long history of daily ones: only the newest 20 events count
    dates = every(HOUR, 20, start=60) + every(DAY, 20, start=21 * HOUR)
    assert auto_interval(dates, NOW, S) == 30 * MINUTE


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Sat, 28 Nov 2026 12:00:00 GMT", NOW),
        ("Saturday, 28-Nov-26 12:00:00 GMT", NOW),
        ("Sat Nov 28 12:00:00 2026", NOW),
        ("Sat, 28 Nov 2026 13:00:00 +0100", NOW),
        ("soon", None),
        ("", None),
        (None, None),
        ("0", None),
    ],
)
def test_parse_http_date(value: str | None, expected: datetime | None) -> None:
    assert parse_http_date(value) == expected


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({}, None),
        ({"retry-after": "120"}, 120),
        ({"retry-after": " 0 "}, 0),
        ({"retry-after": "Sat, 28 Nov 2026 12:10:00 GMT"}, 600),
        ({"retry-after": "Sat, 28 Nov 2026 11:00:00 GMT"}, 0),  # in the past
        # read against the server's clock, which runs an hour ahead
        (
            {
                "retry-after": "Sat, 28 Nov 2026 13:05:00 GMT",
                "date": "Sat, 28 Nov 2026 13:00:00 GMT",
            },
            300,
        ),
        ({"retry-after": "later"}, None),
        ({"retry-after": "-5"}, None),
    ],
)
def test_retry_after(headers: dict[str, str], seconds: int | None) -> None:
    assert retry_after(headers, NOW) == seconds


@pytest.mark.parametrize(
    ("headers", "ttl", "seconds"),
    [
        ({}, None, None),
        ({}, 60, HOUR),
        ({}, 0, None),
        ({"cache-control": "max-age=600"}, None, 600),
        ({"cache-control": "public, max-age=7200, must-revalidate"}, 60, 7200),
        ({"cache-control": 'max-age="900"'}, None, 900),
        ({"cache-control": "max-age=600"}, 120, 2 * HOUR),  # the largest wins
        ({"cache-control": "no-cache, max-age=600"}, None, None),
        ({"cache-control": "no-store"}, 30, 30 * MINUTE),  # TTL still counts
        ({"expires": "Sat, 28 Nov 2026 14:00:00 GMT"}, None, 2 * HOUR),
        ({"expires": "Sat, 28 Nov 2026 10:00:00 GMT"}, None, None),  # already expired
        ({"expires": "0"}, None, None),
        ({"expires": "Sat, 28 Nov 2026 14:00:00 GMT", "cache-control": "max-age=60"}, None, 60),
        (
            {"expires": "Sat, 28 Nov 2026 14:00:00 GMT", "date": SERVER_DATE},
            None,
            HOUR,
        ),
        ({"cache-control": "max-age=abc"}, None, None),
    ],
)
def test_cache_hint(headers: dict[str, str], ttl: int | None, seconds: int | None) -> None:
    assert cache_hint(headers, ttl, NOW) == seconds


@pytest.mark.parametrize(
    ("interval", "errors", "seconds"),
    [
        (HOUR, 0, HOUR),
        (HOUR, 1, 2 * HOUR),
        (HOUR, 2, 4 * HOUR),
        (HOUR, 4, 16 * HOUR),
        (HOUR, 5, DAY),
        (HOUR, 500, DAY),
        (15 * MINUTE, 3, 2 * HOUR),
        (WEEK, 3, WEEK),  # never sooner than the feed's own interval
    ],
)
def test_backoff_interval(interval: int, errors: int, seconds: int) -> None:
    assert backoff_interval(interval, errors, S) == seconds


@pytest.mark.parametrize(
    ("random_value", "seconds"), [(0.0, 3240), (0.5, 3600), (0.25, 3420), (0.999999, 3960)]
)
def test_apply_jitter(random_value: float, seconds: int) -> None:
    assert apply_jitter(HOUR, 0.10, random_value) == seconds


NO_JITTER = PlanSettings(jitter=0.0)
HOURLY = every(HOUR, 20, start=600)

NEXT_CASES = [
    # (name, interval, keyword arguments, seconds until the next check or None)
    ("never", 0, {}, None),
    ("never even with errors", 0, {"error_count": 3}, None),
    ("fixed choice", 6 * HOUR, {}, 6 * HOUR),
    ("fixed 4 weeks exceeds the auto maximum", 4 * WEEK, {}, 4 * WEEK),
    ("fixed choice ignores TTL", HOUR, {"ttl_minutes": 180}, HOUR),
    ("auto from dates", None, {"entry_dates": HOURLY}, 30 * MINUTE),
    ("auto lengthened by TTL", None, {"entry_dates": HOURLY, "ttl_minutes": 120}, 2 * HOUR),
    (
        "auto with max-age",
        None,
        {"entry_dates": HOURLY, "headers": {"cache-control": "max-age=5400"}},
        90 * MINUTE,
    ),
    ("auto: a week-long TTL is capped", None, {"entry_dates": HOURLY, "ttl_minutes": 10080}, DAY),
    ("auto: short TTL does not shorten", None, {"entry_dates": HOURLY, "ttl_minutes": 5}, 1800),
    ("auto with errors doubles", None, {"entry_dates": HOURLY, "error_count": 2}, 2 * HOUR),
    ("fixed with errors doubles", HOUR, {"error_count": 1}, 2 * HOUR),
    ("errors cap at a day", HOUR, {"error_count": 9}, DAY),
    ("retry-after is a floor", HOUR, {"headers": {"retry-after": "7200"}}, 2 * HOUR),
    ("retry-after shorter than interval", HOUR, {"headers": {"retry-after": "60"}}, HOUR),
    ("retry-after capped at a day", None, {"headers": {"retry-after": "999999"}}, DAY),
    ("retry-after within a long fixed choice", WEEK, {"headers": {"retry-after": "9"}}, WEEK),
    ("no dates: default", None, {}, HOUR),
    (
        "pushed: auto slows to the push interval",
        None,
        {"entry_dates": HOURLY, "pushed": True},
        6 * HOUR,
    ),
    ("pushed: a longer auto interval stays", None, {"ttl_minutes": 720, "pushed": True}, 12 * HOUR),
    ("pushed: a fixed choice slows too", HOUR, {"pushed": True}, 6 * HOUR),
    ("pushed: a longer fixed choice stays", WEEK, {"pushed": True}, WEEK),
    ("pushed: errors back off from there", None, {"pushed": True, "error_count": 1}, 12 * HOUR),
    ("pushed: never stays never", 0, {"pushed": True}, None),
]


@pytest.mark.parametrize(
    ("interval", "options", "seconds"),
    [case[1:] for case in NEXT_CASES],
    ids=[case[0] for case in NEXT_CASES],
)
def test_next_check_at(interval: int | None, options: dict[str, Any], seconds: int | None) -> None:
    when = next_check_at(NOW, interval, settings=NO_JITTER, **options)
    assert (None if when is None else (when - NOW).total_seconds()) == seconds


@pytest.mark.parametrize(
    ("random_value", "seconds"), [(0.0, 54 * MINUTE), (0.5, HOUR), (0.75, 63 * MINUTE)]
)
def test_next_check_at_jitter_is_deterministic(random_value: float, seconds: int) -> None:
    when = next_check_at(NOW, HOUR, random_value=random_value)
    assert when == NOW + timedelta(seconds=seconds)


def test_jitter_never_checks_before_retry_after() -> None:
    headers = {"retry-after": "3600"}
    when = next_check_at(NOW, HOUR, headers=headers, random_value=0.0)
    assert when == NOW + timedelta(hours=1)


def test_jitter_never_goes_below_the_minimum() -> None:
    when = next_check_at(NOW, None, entry_dates=every(60, 20), random_value=0.0)
    assert when == NOW + timedelta(minutes=5)
