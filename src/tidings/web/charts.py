"""Small bar charts drawn on the server as SVG (no script needed): entries per day, and how long
the recent fetches of a source took."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import median

from tidings.model import FetchLogRecord

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


# The durations chart keeps room for this many fetches, so that a new source's two or three
# fetches are drawn as thin bars at the right (newest) end rather than as wide blocks.
MIN_DURATION_SLOTS = 20


@dataclass(frozen=True, slots=True)
class DurationBar:
    x: float
    y: float
    width: float
    height: float
    at: datetime
    duration_ms: int
    failed: bool


@dataclass(frozen=True, slots=True)
class DurationChart:
    """Bars of fetch durations, oldest first and ending at the right edge, scaled to the slowest.

    Empty (no bars) when the source has not been fetched yet.
    """

    bars: tuple[DurationBar, ...]
    peak_ms: int
    median_ms: int
    failures: int
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def summary(self) -> str:
        """The chart in one sentence, for its title and for readers who cannot see it."""
        if not self.bars:
            return "No fetches yet."
        count = len(self.bars)
        words = (
            f"The last {count} fetch{'es' * (count != 1)} took {self.median_ms} ms "
            f"at the median and {self.peak_ms} ms at most"
        )
        if self.failures:
            words += f"; {self.failures} failed"
        return words + "."


def fetch_durations(log: Sequence[FetchLogRecord]) -> DurationChart:
    """The chart of the durations in `log` (newest first, as the store gives it)."""
    records = list(reversed(log))
    if not records:
        return DurationChart((), 0, 0, 0)
    durations = [max(r.duration_ms, 0) for r in records]
    peak = max(durations)
    slots = max(len(records), MIN_DURATION_SLOTS)
    slot = WIDTH / slots
    start = slots - len(records)
    bars = []
    for i, (record, ms) in enumerate(zip(records, durations, strict=True)):
        height = max(1.0, HEIGHT * ms / peak) if peak else 1.0
        bars.append(
            DurationBar(
                round((start + i) * slot + slot * 0.1, 2),
                round(HEIGHT - height, 2),
                round(slot * 0.8, 2),
                round(height, 2),
                record.at,
                ms,
                record.error is not None,
            )
        )
    failures = sum(1 for bar in bars if bar.failed)
    return DurationChart(tuple(bars), peak, round(median(durations)), failures)
