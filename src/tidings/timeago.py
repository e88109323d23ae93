"""Ages in words, as Drupal 8 writes them: "2 months 4 weeks ago", "1 hour 50 minutes ago".

This follows Drupal's DateFormatter::formatDiff: the calendar difference between two times, shown
with at most `granularity` units from years, months, (weeks,) days, hours, minutes, seconds. Weeks
are whole sevens of the remaining days. A zero unit after the first shown one ends the text, so
there is never "1 year 1 second"; days follow months only after weeks ("2 months 4 weeks", but
"2 months" for 2 months and 3 days), and nothing finer follows a shown week without its days.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


def _add_months(moment: datetime, months: int) -> datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def calendar_difference(earlier: datetime, later: datetime) -> tuple[int, int, int, int, int, int]:
    """(years, months, days, hours, minutes, seconds) from `earlier` to `later`."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    if _add_months(earlier, months) > later:
        months -= 1
    rest: timedelta = later - _add_months(earlier, months)
    hours, remainder = divmod(rest.seconds, 3600)
    minutes, seconds = divmod(remainder, 60)
    return months // 12, months % 12, rest.days, hours, minutes, seconds


def format_diff(then: datetime, now: datetime, granularity: int = 2) -> str:
    """The distance between two times in words without direction: "3 months", "0 seconds"."""
    earlier, later = sorted((then, now))
    years, months, days, hours, minutes, seconds = calendar_difference(earlier, later)
    parts: list[str] = []
    for unit, value in (
        ("year", years),
        ("month", months),
        ("day", days),
        ("hour", hours),
        ("minute", minutes),
        ("second", seconds),
    ):
        if value > 0:
            if unit == "day":
                weeks, days_left = divmod(value, 7)
                if weeks:
                    parts.append(_plural(weeks, "week"))
                    granularity -= 1
                if (not parts or weeks) and granularity > 0 and days_left:
                    parts.append(_plural(days_left, "day"))
                else:
                    granularity = 0  # no "1 week 1 hour": hours never follow a week alone
            else:
                parts.append(_plural(value, unit))
            granularity -= 1
        elif parts:
            break
        if granularity <= 0:
            break
    return " ".join(parts) or "0 seconds"


def format_age(then: datetime, now: datetime, granularity: int = 2) -> str:
    """ "2 months 4 weeks ago" for a past time, "3 hours hence" for a future one."""
    return f"{format_diff(then, now, granularity)} {'hence' if then > now else 'ago'}"


def format_short_age(then: datetime, now: datetime) -> str:
    """An age in one unit for lists: "now", "5 min", "23 h", "3 d", "2 mo", "4 y" (the largest
    whole calendar unit, rounded down); a future time is "in 3 h"."""
    earlier, later = sorted((then, now))
    years, months, days, hours, minutes, _ = calendar_difference(earlier, later)
    for value, unit in ((years, "y"), (months, "mo"), (days, "d"), (hours, "h"), (minutes, "min")):
        if value:
            return f"in {value} {unit}" if then > now else f"{value} {unit}"
    return "now"


def format_utc(moment: datetime | None) -> str:
    """The absolute time for people: "2026-12-04 08:15 UTC" ("" for none)."""
    if moment is None:
        return ""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def format_time_left(then: datetime | None, now: datetime) -> str:
    """Drupal's "Next update" words: "3 hours 5 minutes left", "imminently", or "never"."""
    if then is None:
        return "never"
    if then <= now:
        return "imminently"
    return f"{format_diff(then, now)} left"
