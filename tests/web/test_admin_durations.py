"""The fetch durations chart on a source's admin page: SVG drawn on the server, with its words."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import lxml.html
from starlette.testclient import TestClient

from tidings.model import FeedUpdate, FetchLogRecord
from tidings.store import Store
from tidings.store.updates import Retention
from tidings.web.charts import HEIGHT, MIN_DURATION_SLOTS, WIDTH, fetch_durations

NOW = datetime(2024, 5, 1, 12, tzinfo=UTC)


def record(minutes_ago: int, ms: int, error: str | None = None) -> FetchLogRecord:
    return FetchLogRecord(1, NOW - timedelta(minutes=minutes_ago), 200, ms, 100, error=error)


def log_fetch(store: Store, feed_id: int, at: datetime, ms: int, error: str | None = None) -> None:
    """One fetch log line written as the refresher writes it."""
    feed = dataclasses.replace(store.feeds.get(feed_id), checked_at=at, last_error=error)
    status = None if error else 200
    update = FeedUpdate(feed=feed, log=FetchLogRecord(feed_id, at, status, ms, 0, error=error))
    store.updates.apply(update, owner=None, now=at, retention=Retention())


def test_chart_without_fetches_is_empty() -> None:
    chart = fetch_durations([])
    assert chart.bars == () and chart.summary == "No fetches yet."


def test_chart_scales_to_the_slowest_and_ends_at_the_right() -> None:
    log = [record(0, 400), record(10, 100, error="timed out"), record(20, 200)]  # newest first
    chart = fetch_durations(log)
    assert [bar.duration_ms for bar in chart.bars] == [200, 100, 400]  # oldest first
    assert [bar.failed for bar in chart.bars] == [False, True, False]
    assert chart.peak_ms == 400 and chart.median_ms == 200 and chart.failures == 1
    tallest = chart.bars[-1]
    assert tallest.y == 0 and tallest.height == HEIGHT
    assert chart.bars[0].height == HEIGHT / 2
    slot = WIDTH / MIN_DURATION_SLOTS
    assert tallest.x + tallest.width <= WIDTH and tallest.x > WIDTH - slot
    assert chart.summary == (
        "The last 3 fetches took 200 ms at the median and 400 ms at most; 1 failed."
    )


def test_chart_of_zero_durations_and_many_fetches() -> None:
    zero = fetch_durations([record(0, 0)])
    assert zero.bars[0].height == 1.0 and zero.summary.startswith("The last 1 fetch took 0 ms")
    many = fetch_durations([record(i, 10 + i) for i in range(50)])
    assert len(many.bars) == 50
    assert many.bars[0].x >= 0 and many.bars[-1].x + many.bars[-1].width <= WIDTH


def test_source_page_without_fetches(admin_client: TestClient, store: Store) -> None:
    feed = store.feeds.add("https://a.example/feed")
    page = admin_client.get(f"/admin/sources/{feed.id}").text
    tree = lxml.html.fromstring(page)
    assert "No fetches yet, so no durations to show." in tree.text_content()
    assert len(tree.xpath("//svg")) == 1  # only the items per day


def test_source_page_draws_the_durations(admin_client: TestClient, store: Store) -> None:
    feed = store.feeds.add("https://a.example/feed")
    now = datetime.now(UTC)
    for minutes, ms, error in (
        (30, 120, None),
        (20, 480, "The server answered 500."),
        (10, 60, None),
    ):
        log_fetch(store, feed.id, now - timedelta(minutes=minutes), ms, error)
    tree = lxml.html.fromstring(admin_client.get(f"/admin/sources/{feed.id}").text)
    [svg] = tree.xpath("//svg[@aria-labelledby='durations-title']")
    summary = "The last 3 fetches took 120 ms at the median and 480 ms at most; 1 failed."
    assert svg.get("role") == "img"
    assert svg.xpath("string(title)") == summary
    assert "fetch log below" in svg.xpath("string(desc)")
    bars = svg.xpath("rect")
    assert [b.xpath("string(title)").split(": ")[1] for b in bars] == [
        "120 ms",
        "480 ms, failed",
        "60 ms",
    ]
    assert [b.get("class") for b in bars] == ["bar", "bar failed", "bar"]
    caption = " ".join(svg.getparent().xpath("string(figcaption)").split())
    assert caption == summary + " Failed fetches are drawn pale."
    # The fetch log table below gives every duration as text too.
    assert tree.xpath("//table//td[@class='num'][contains(., ' ms')]/text()") == [
        "60 ms",
        "480 ms",
        "120 ms",
    ]
