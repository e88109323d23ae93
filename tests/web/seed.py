"""The NATO News source page of the seed, rebuilt as records with dates relative to now."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from support.entries import apply_check
from tidings.model import EntryData
from tidings.store import Store
from tidings.timeago import format_age

# A copy of ../shared/seed/nato-news-page.txt, so a clone tests without the shared folder.
SEED_FILE = Path(__file__).resolve().parents[1] / "data" / "seed" / "nato-news-page.txt"
FEED_DESCRIPTION = "What\u00b4s new at NATO Headquarters?"
CHECKED_AGO = timedelta(hours=1, minutes=50, seconds=5)


def seed_items(text: str) -> list[tuple[str, str, str]]:
    """(title, age, description) of each item of the seed page, in page order.

    The page is three lines per item, then three about the source (check age, description,
    subscribe link).
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    body = lines[:-3]
    assert len(body) % 3 == 0 and all(age.endswith(" ago") for age in body[1::3])
    return [(body[i], body[i + 1], body[i + 2]) for i in range(0, len(body), 3)]


def moments(ages: list[str], now: datetime) -> list[datetime]:
    """One time per age text, strictly older each, whose format_age at `now` is that text.

    Each is the first whole hour past the previous one that reads as its text, so it sits at the
    young edge of its text's range: the page, rendered a moment later, shows the same words.
    """
    found: list[datetime] = []
    hours = 0
    for text in ages:
        while format_age(now - timedelta(hours=hours), now) != text:
            hours += 1
            assert hours < 24 * 400, f"no time reads as {text!r}"
        found.append(now - timedelta(hours=hours))
        hours += 1
    return found


def build_nato_feed(store: Store, now: datetime) -> tuple[int, list[tuple[str, str, str]]]:
    """The seed's feed stored as the refresher would store it; gives its id and the items."""
    items = seed_items(SEED_FILE.read_text(encoding="utf-8"))
    assert len(items) == 6
    feed = store.feeds.add(
        "https://www.nato.int/cps/rss/en/natohq/rssFeed.xsl/rssFeed.xml", now=now
    )
    dates = moments([age for _, age, _ in items], now)
    entries = tuple(
        EntryData(
            key=f"nato-{i}",
            title=title,
            link=f"https://www.nato.int/cps/en/natohq/news_{i}.htm",
            summary=description,
            published_at=date,
            content_hash=f"h{i}",
        )
        for i, ((title, _, description), date) in enumerate(zip(items, dates, strict=True))
    )
    apply_check(
        store,
        feed.id,
        entries,
        now=now,
        checked_at=now - CHECKED_AGO,
        feed_title="NATO News",
        site_url="https://www.nato.int/",
        description=FEED_DESCRIPTION,
        image_url="https://www.nato.int/nato_static/images/logo.png",
    )
    return feed.id, items
