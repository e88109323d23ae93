"""The daily reader (issue 17): landing after sign-in, following the site's sources, feed
problems, ages and times."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING

import lxml.html
import pytest

from reader_ui.helpers import PASSWORD, add_entries, post, sign_in, user
from support.entries import apply_check
from support.forms import csrf_of
from tidings.config import Settings
from tidings.model import EntryData, FeedUpdate, FetchLogRecord
from tidings.store import Store
from tidings.store.updates import Retention
from tidings.timeago import format_short_age, format_utc

if TYPE_CHECKING:
    from starlette.testclient import TestClient


LIMIT = 2


@pytest.fixture
def settings() -> Settings:
    """The site of these tests: two subscriptions at most per reader."""
    return Settings(
        secret_key="test secret key", site_name="Test News", max_subscriptions_per_user=LIMIT
    )


@pytest.mark.parametrize(
    ("admin", "next_path", "landing"),
    [
        (False, "", "/reader"),
        (True, "", "/reader"),
        (True, "/admin", "/admin"),
        (False, "/sources/3", "/sources/3"),
        (True, "https://evil.example/", "/reader"),
    ],
)
def test_sign_in_lands_on_the_reader_unless_next_says(
    client: TestClient, store: Store, admin: bool, next_path: str, landing: str
) -> None:
    user(store, "ann", admin=admin)
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login",
        data={"name": "ann", "password": PASSWORD, "csrf_token": token, "next": next_path},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == landing
    page = client.get("/reader")
    assert page.status_code == 200
    assert ('href="/admin"' in page.text) is admin


def test_follow_subscribes_to_a_public_source(client: TestClient, store: Store) -> None:
    ann = user(store, "ann")
    garden = store.feeds.add("https://garden.example/feed.xml", title="Garden")
    add_entries(store, garden.id, 3, title="Garden news")
    # Visitors see no Follow button (and the page is the cached public one).
    assert "/follow" not in client.get("/sources").text
    sign_in(client, "ann")
    listing = client.get("/sources").text
    assert f'action="/sources/{garden.id}/follow"' in listing
    assert "Following" not in listing

    response = post(client, f"/sources/{garden.id}/follow", {"next": "/sources"})
    assert response.status_code == 303
    assert response.headers["location"] == "/sources"
    assert [s.feed_id for s in store.reading.subscriptions(ann)] == [garden.id]
    after = client.get("/sources").text
    assert "Following Garden: its entries are in your reading list." in after
    assert f'href="/reader/feeds/{garden.id}">✓ Following' in after
    assert f'action="/sources/{garden.id}/follow"' not in after
    assert "Following Garden:" not in client.get("/sources").text  # the message shows once
    source = client.get(f"/sources/{garden.id}").text
    assert "✓ Following" in source
    reading = client.get("/reader").text
    assert reading.count('class="item"') == 3
    assert "Garden news 0" in reading

    again = post(client, f"/sources/{garden.id}/follow")
    assert again.headers["location"] == f"/sources/{garden.id}"
    assert "You follow Garden already." in client.get(f"/sources/{garden.id}").text


def test_follow_applies_the_limit_and_csrf(client: TestClient, store: Store) -> None:
    ann = user(store, "ann")
    feeds = [store.feeds.add(f"https://f{i}.example/feed.xml", title=f"F{i}") for i in range(3)]
    sign_in(client, "ann")
    for feed in feeds[:LIMIT]:
        assert post(client, f"/sources/{feed.id}/follow").status_code == 303
    refused = post(client, f"/sources/{feeds[2].id}/follow")
    assert refused.status_code == 303
    page = client.get(f"/sources/{feeds[2].id}").text
    assert f"You have reached the limit of {LIMIT} subscriptions." in page
    assert len(store.reading.subscriptions(ann)) == LIMIT

    forged = client.post(f"/sources/{feeds[2].id}/follow", data={"csrf_token": "forged"})
    assert forged.status_code == 403
    assert post(client, "/sources/999999/follow").status_code == 404


def test_follow_needs_a_sign_in_and_a_public_feed(client: TestClient, store: Store) -> None:
    bob = user(store, "bob")
    from tidings.subscriptions import subscribe_reader

    private = subscribe_reader(store, Settings(secret_key="x"), bob, "https://bob.example/f.xml")
    garden = store.feeds.add("https://garden.example/feed.xml", title="Garden")
    token = csrf_of(client.get("/login").text)
    anonymous = client.post(
        f"/sources/{garden.id}/follow", data={"csrf_token": token}, follow_redirects=False
    )
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login")
    user(store, "ann")
    sign_in(client, "ann")
    assert post(client, f"/sources/{private.feed_id}/follow").status_code == 404


def test_an_empty_reader_explains_how_to_subscribe(client: TestClient, store: Store) -> None:
    user(store, "ann")
    sign_in(client, "ann")
    page = client.get("/reader").text
    assert "You follow no feeds yet" in page
    assert 'href="/sources"' in page
    assert 'href="/reader/subscriptions"' in page


def fail(store: Store, feed_id: int, error: str, since: datetime) -> None:
    """The feed failing since `since`, as the refresher writes it."""
    at = since + timedelta(hours=2)
    feed = replace(
        store.feeds.get(feed_id),
        checked_at=at,
        last_error=error,
        error_count=3,
        first_error_at=since,
    )
    log = FetchLogRecord(feed_id, at, None, 10, 0, error=error)
    store.updates.apply(FeedUpdate(feed=feed, log=log), owner=None, now=at, retention=Retention())


def test_failing_feeds_are_listed_as_problems(client: TestClient, store: Store) -> None:
    ann = user(store, "ann", admin=True)
    garden = store.feeds.add("https://garden.example/feed.xml", title="Garden")
    quiet = store.feeds.add("https://quiet.example/feed.xml", title="Quiet")
    sign_in(client, "ann")
    for feed in (garden, quiet):
        post(client, f"/sources/{feed.id}/follow")
    assert "Problems" not in client.get("/reader").text
    since = datetime(2026, 12, 3, 6, 5, tzinfo=UTC)
    fail(store, garden.id, "HTTP 503 Service Unavailable", since)
    assert store.reading.subscriptions(ann, feed_ids=[garden.id])[0].first_error_at == since

    page = lxml.html.fromstring(client.get("/reader").text)
    [problems] = page.xpath('//aside//ul[@class="problems"]')
    text = " ".join(problems.text_content().split())
    assert text == "Garden: HTTP 503 Service Unavailable (since 2026-12-03 06:05 UTC)"
    assert problems.xpath(".//time/@datetime") == ["2026-12-03T06:05:00Z"]
    assert not page.xpath("//aside//a[@title]")  # the reason is text, not a tooltip

    admin = lxml.html.fromstring(client.get("/admin").text)
    [row] = [r for r in admin.xpath("//tbody/tr") if "Garden" in r.text_content()]
    words = " ".join(row.text_content().split())
    assert "Error: HTTP 503 Service Unavailable (since 2026-12-03 06:05 UTC)" in words
    assert not admin.xpath("//*[@class='error-count'][@title]")


NOW = datetime(2026, 12, 4, 8, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("then", "short"),
    [
        (NOW, "now"),
        (NOW - timedelta(seconds=59), "now"),
        (NOW - timedelta(minutes=1), "1 min"),
        (NOW - timedelta(minutes=59, seconds=59), "59 min"),
        (NOW - timedelta(hours=1), "1 h"),
        (NOW - timedelta(hours=23, minutes=59), "23 h"),
        (NOW - timedelta(days=1), "1 d"),
        (NOW - timedelta(days=3, hours=5), "3 d"),
        (datetime(2026, 11, 4, 8, 16, tzinfo=UTC), "29 d"),
        (datetime(2026, 11, 4, 8, 15, tzinfo=UTC), "1 mo"),
        (datetime(2026, 10, 1, tzinfo=UTC), "2 mo"),
        (datetime(2025, 12, 4, 8, 16, tzinfo=UTC), "11 mo"),
        (datetime(2025, 12, 4, 8, 15, tzinfo=UTC), "1 y"),
        (datetime(2019, 1, 1, tzinfo=UTC), "7 y"),
        (NOW + timedelta(hours=3), "in 3 h"),
    ],
)
def test_short_ages_have_one_unit(then: datetime, short: str) -> None:
    assert format_short_age(then, NOW) == short


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (NOW, "2026-12-04 08:15 UTC"),
        (datetime(2026, 1, 2, 3, 4, 59, tzinfo=UTC), "2026-01-02 03:04 UTC"),
        (datetime(2026, 12, 4, 9, 15, tzinfo=timezone(timedelta(hours=1))), "2026-12-04 08:15 UTC"),
        (None, ""),
    ],
)
def test_absolute_times_are_utc(moment: datetime | None, text: str) -> None:
    assert format_utc(moment) == text


def test_ages_carry_the_absolute_time(client: TestClient, store: Store) -> None:
    ann = user(store, "ann")
    garden = store.feeds.add("https://garden.example/feed.xml", title="Garden")
    add_entries(store, garden.id, 2, title="Garden news")
    entry_time = store.entries.newest(limit=1, feed_id=garden.id)[0].sort_at
    assert entry_time is not None
    hover = format_utc(entry_time)
    sign_in(client, "ann")
    post(client, f"/sources/{garden.id}/follow")
    for path in ("/reader", "/", f"/sources/{garden.id}", "/sources"):
        page = lxml.html.fromstring(client.get(path).text)
        times = page.xpath("//time")
        assert times, path
        assert all(t.get("title", "").endswith(" UTC") for t in times), path
        assert hover in [t.get("title") for t in times], path
    listing = lxml.html.fromstring(client.get("/reader").text)
    assert [t.text for t in listing.xpath("//ol[@data-items]//time")] == ["1 h", "2 h"]
    river = lxml.html.fromstring(client.get("/").text)
    assert river.xpath("//article//time")[0].text == "1 hour ago"  # Drupal's long form
    [first] = store.reading.entries(ann, limit=1)
    entry = lxml.html.fromstring(client.get(f"/reader/entries/{first.id}").text)
    [meta] = entry.xpath("//article//p[contains(@class, 'entry-meta')]")
    words = " ".join(meta.text_content().split())
    assert words.startswith(f"Garden · {hover}")


def test_entry_meta_words_are_spaced(client: TestClient, store: Store) -> None:
    """ "Garden · 1 h · by Tom · original ↗", never "by Tom· original" (trim_blocks)."""
    user(store, "ann")
    garden = store.feeds.add("https://garden.example/feed.xml", title="Garden")
    now = datetime.now(UTC)
    item = EntryData(
        key="tom-1",
        title="Tomatoes",
        link="https://garden.example/tomatoes",
        author="Tom",
        published_at=now - timedelta(hours=1, minutes=5),
        content_hash="t1",
    )
    apply_check(store, garden.id, (item,), now=now)
    sign_in(client, "ann")
    post(client, f"/sources/{garden.id}/follow")
    page = lxml.html.fromstring(client.get("/reader").text)
    # The list keeps one line an entry: feed and age; the author and link are on its page.
    [meta] = page.xpath("//ol[@data-items]//p[contains(@class, 'entry-meta')]")
    assert " ".join(meta.text_content().split()) == "Garden 1 h"  # the "·" is CSS


@pytest.mark.parametrize("path", ["/", "/sources/{feed}", "/categories/{category}"])
def test_headings_do_not_skip_a_level(client: TestClient, store: Store, path: str) -> None:
    garden = store.feeds.add("https://garden.example/feed.xml", title="Garden")
    [category] = store.categories.set_for_feed(garden.id, ["Outdoors"])
    add_entries(store, garden.id, 2)
    html = client.get(path.format(feed=garden.id, category=category.id)).text
    levels = [int(h.tag[1]) for h in lxml.html.fromstring(html).xpath("//h1|//h2|//h3|//h4")]
    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels
