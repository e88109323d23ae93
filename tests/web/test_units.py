"""The web's small parts on their own: sessions, the sign-in limit, the page cache, links, chart."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tidings.publish.channel import http_url
from tidings.web.charts import entries_per_day
from tidings.web.pagecache import PageCache
from tidings.web.responses import Rendered
from tidings.web.sessions import MAX_AGE, SessionSigner, new_session, with_flash


def test_session_round_trip_and_expiry() -> None:
    signer = SessionSigner("key")
    session = with_flash(new_session("a session token"), "hello")
    value = signer.dumps(session)
    assert signer.loads(value) == session
    assert signer.loads(value, now=session.issued + MAX_AGE + 1) is None
    assert signer.loads("garbage") is None
    assert signer.loads(value + "x") is None
    with pytest.raises(ValueError, match="secret_key"):
        SessionSigner("")


def test_page_cache_versions_ttl_and_bump() -> None:
    clock = [0.0]
    cache = PageCache(ttl=10, size=2, clock=lambda: clock[0])
    page = Rendered(b"x")
    cache.put("a", 1, page)
    assert cache.get("a", 1) is page
    assert cache.get("a", 2) is None
    cache.put("a", 1, page)
    clock[0] = 11
    assert cache.get("a", 1) is None
    cache.put("a", 1, page)
    cache.put("b", 1, page)
    cache.put("c", 1, page)
    assert cache.get("a", 1) is None  # the least recently used went first
    cache.bump()
    assert cache.get("c", 1) is None and cache.generation == 1


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/a", "https://example.org/a"),
        ("HTTP://example.org", "HTTP://example.org"),
        ("javascript:alert(1)", None),
        (" javascript:alert(1)", None),
        ("data:text/html,x", None),
        ("//example.org", None),
        ("/relative", None),
        ("https://exa\nmple.org", None),
        (None, None),
    ],
)
def test_only_http_links(url: str | None, expected: str | None) -> None:
    assert http_url(url) == expected


def test_chart_counts_days() -> None:
    times = [datetime(2026, 1, 10, 5, tzinfo=UTC)] * 3 + [datetime(2026, 1, 9, tzinfo=UTC)]
    chart = entries_per_day(times, date(2026, 1, 10), days=30)
    assert len(chart.bars) == 30 and chart.total == 4 and chart.peak == 3
    assert chart.bars[-1].count == 3 and chart.bars[-1].height == chart.height
    assert chart.bars[0].height == 1.0
