"""A small bar chart of entries per day, drawn on the server as SVG (no script needed)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

WIDTH = 300
HEIGHT = 60


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    day: date
    count: int


@dataclass(frozen=True, slots=True)
class DayChart:
    """Bars of entries per day, oldest first, scaled to WIDTH x HEIGHT."""

    bars: tuple[Bar, ...]
    total: int
    peak: int
    width: int = WIDTH
    height: int = HEIGHT


def entries_per_day(times: Iterable[datetime], today: date, days: int = 30) -> DayChart:
    """The chart of how many of `times` fall on each of the `days` days up to `today`."""
    counts = Counter(t.date() for t in times)
    first = today - timedelta(days=days - 1)
    series = [
        (first + timedelta(days=i), counts.get(first + timedelta(days=i), 0)) for i in range(days)
    ]
    peak = max((n for _, n in series), default=0)
    slot = WIDTH / days
    bars = []
    for i, (day, n) in enumerate(series):
        # Days without entries still get a hairline, so the chart reads as 30 days.
        height = max(1.0, HEIGHT * n / peak) if peak else 1.0
        bars.append(
            Bar(
                round(i * slot + 1, 2),
                round(HEIGHT - height, 2),
                round(slot - 2, 2),
                round(height, 2),
                day,
                n,
            )
        )
    return DayChart(tuple(bars), sum(n for _, n in series), peak)
