from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tidings.timeago import format_age, format_diff, format_time_left

NOW = datetime(2022, 6, 28, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("then", "expected"),
    [
        (NOW, "0 seconds ago"),
        (NOW - timedelta(seconds=1), "1 second ago"),
        (NOW - timedelta(seconds=59), "59 seconds ago"),
        (NOW - timedelta(minutes=1, seconds=5), "1 minute 5 seconds ago"),
        (NOW - timedelta(hours=1, minutes=50), "1 hour 50 minutes ago"),
        (NOW - timedelta(hours=1, minutes=50, seconds=30), "1 hour 50 minutes ago"),
        (NOW - timedelta(hours=2, seconds=30), "2 hours ago"),  # zero minutes ends the text
        (NOW - timedelta(days=1, hours=3), "1 day 3 hours ago"),
        (NOW - timedelta(days=7), "1 week ago"),
        (NOW - timedelta(days=14), "2 weeks ago"),
        (NOW - timedelta(days=10), "1 week 3 days ago"),
        (NOW - timedelta(days=7, hours=5), "1 week ago"),  # no "1 week 5 hours"
        # Calendar months, as the seed page: 28 March to 28 June is 3 months.
        (datetime(2022, 3, 28, 12, tzinfo=UTC), "3 months ago"),
        (datetime(2022, 3, 27, 9, tzinfo=UTC), "3 months ago"),  # 3 months 1 day: days need weeks
        (datetime(2022, 3, 21, 9, tzinfo=UTC), "3 months 1 week ago"),
        (datetime(2022, 3, 31, 9, tzinfo=UTC), "2 months 4 weeks ago"),
        (datetime(2022, 4, 25, 9, tzinfo=UTC), "2 months ago"),  # 3 days alone never follow months
        (datetime(2021, 6, 28, 12, tzinfo=UTC), "1 year ago"),
        (datetime(2020, 5, 1, 12, tzinfo=UTC), "2 years 1 month ago"),
        (NOW + timedelta(hours=3), "3 hours hence"),
    ],
)
def test_format_age_matches_drupal(then: datetime, expected: str) -> None:
    assert format_age(then, NOW) == expected


def test_granularity_one_shows_one_unit() -> None:
    assert format_diff(NOW - timedelta(days=1, hours=3), NOW, granularity=1) == "1 day"


def test_month_end_is_clamped() -> None:
    # 31 January + 1 month is 28 February (clamped), so 31 Jan -> 1 Mar is 1 month 1 day.
    then = datetime(2022, 1, 31, tzinfo=UTC)
    assert format_diff(then, datetime(2022, 3, 1, tzinfo=UTC)) == "1 month"


@pytest.mark.parametrize(
    ("then", "expected"),
    [
        (None, "never"),
        (NOW - timedelta(minutes=1), "imminently"),
        (NOW, "imminently"),
        (NOW + timedelta(hours=3, minutes=5), "3 hours 5 minutes left"),
    ],
)
def test_time_left(then: datetime | None, expected: str) -> None:
    assert format_time_left(then, NOW) == expected
