"""Refresh intervals as tables: what users type and what they are shown."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tidings.intervals import (
    DAY,
    HOUR,
    MINUTE,
    REFRESH_CHOICES,
    WEEK,
    format_refresh,
    parse_refresh,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("auto", None),
        (" AUTO ", None),
        ("never", 0),
        ("off", 0),
        ("0", 0),
        ("3600", HOUR),
        ("60", MINUTE),
        ("15m", 15 * MINUTE),
        ("15 min", 15 * MINUTE),
        ("30 minutes", 30 * MINUTE),
        ("1h", HOUR),
        ("9 hours", 9 * HOUR),
        ("2d", 2 * DAY),
        ("1w", WEEK),
        ("4 weeks", 4 * WEEK),
        ("1h30m", 90 * MINUTE),
        ("1 hour 30 minutes", 90 * MINUTE),
        ("90s", 90),
    ],
)
def test_parse_refresh(text: str, seconds: int | None) -> None:
    assert parse_refresh(text) == seconds


@pytest.mark.parametrize(
    "text", ["", "soon", "-5", "1.5h", "5y", "h", "1 2", "15m!", "30", "59s", "1 fortnight"]
)
def test_parse_refresh_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="refresh interval"):
        parse_refresh(text)


def test_refresh_choices_are_drupals() -> None:
    assert list(REFRESH_CHOICES) == [
        900, 1800, 3600, 7200, 10800, 21600, 32400, 43200, 64800,
        86400, 172800, 259200, 604800, 1209600, 2419200,
    ]  # fmt: skip
    for seconds in REFRESH_CHOICES:
        assert parse_refresh(format_refresh(seconds)) == seconds
    assert [format_refresh(s) for s in REFRESH_CHOICES[:3]] == [
        "15 minutes",
        "30 minutes",
        "1 hour",
    ]


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (None, "auto"),
        (0, "never"),
        (90 * MINUTE, "1 hour 30 minutes"),
        (DAY + 1, "1 day 1 second"),
        (8 * DAY, "1 week 1 day"),
    ],
)
def test_format_refresh(seconds: int | None, words: str) -> None:
    assert format_refresh(seconds) == words


@given(st.integers(min_value=MINUTE, max_value=52 * WEEK))
def test_format_then_parse_gives_the_same_interval(seconds: int) -> None:
    assert parse_refresh(format_refresh(seconds)) == seconds
