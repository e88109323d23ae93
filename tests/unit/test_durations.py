"""Media durations as feeds write them (itunes:duration, Media RSS, JSON Feed) -> seconds."""

from __future__ import annotations

import pytest

from tidings.durations import MAX_DURATION_SECONDS, format_duration, parse_duration

CASES = [
    ("1:02:03", 3723),
    ("01:02:03", 3723),
    ("42:17", 2537),
    ("90:05", 5405),  # minutes past 59 when they lead
    ("185", 185),
    (" 185 ", 185),
    ("2537.75", 2537),
    ("1:02:03.5", 3723),
    ("168:00:00", MAX_DURATION_SECONDS),
    ("168:00:01", None),  # past a week
    ("999:00:00", None),
    ("1:60:00", None),
    ("12:75", None),
    ("0", None),
    ("0:00", None),
    ("", None),
    (None, None),
    ("-5", None),
    ("about an hour", None),
    ("1:2:3:4", None),
    ("1h30m", None),
    ("9" * 30, None),
]


@pytest.mark.parametrize(("text", "seconds"), CASES)
def test_parse_duration(text: str | None, seconds: int | None) -> None:
    assert parse_duration(text) == seconds


def test_format_duration() -> None:
    assert [format_duration(s) for s in (5, 2537, 3723, 36000)] == [
        "0:05",
        "42:17",
        "1:02:03",
        "10:00:00",
    ]
