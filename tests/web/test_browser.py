"""A real Chromium against a real uvicorn: sign in, add a source, read, page, import OPML.

Any console error (a CSP violation is one) fails the test. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from support.browser import ARTIFACTS, PHONE, chromium, new_page, require_chromium, sign_in
from support.entries import apply_check
from support.fixtures import live_store as live_store
from support.live_server import LiveServer, serving
from tidings.accounts import create_user
from tidings.config import Settings
from tidings.model import EntryData
from tidings.store import Store
from tidings.web.app import create_app
from web.helpers import ADMIN_PASSWORD, FakeDiscover

pytestmark = pytest.mark.browser


@pytest.fixture
def live(live_store: Store) -> Iterator[tuple[LiveServer, FakeDiscover]]:
    require_chromium()
    discover = FakeDiscover()
    settings = Settings(secret_key="browser test", site_name="Tidings")
    with serving(create_app(settings, live_store, discover=discover)) as server:
        yield server, discover


OPML = """<?xml version="1.0"?>
<opml version="2.0"><head><title>Mine</title></head><body>
<outline text="Science"><outline type="rss" text="Physics" xmlUrl="https://physics.example/feed"/></outline>
<outline type="rss" text="Weather" xmlUrl="https://weather.example/rss"/>
</body></opml>
"""


def test_admin_adds_a_source_and_readers_see_it(
    live: tuple[LiveServer, FakeDiscover], live_store: Store, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    server, discover = live
    create_user(live_store, "admin", ADMIN_PASSWORD, is_admin=True)
    discover.answers["https://news.example/"] = [
        "https://news.example/feed.rss",
        "https://news.example/feed.atom",
    ]
    problems: list[str] = []

    with chromium() as browser:
        page = new_page(browser, problems, viewport={"width": 1100, "height": 900})

        sign_in(page, server.url + "/login?next=/admin", "admin", ADMIN_PASSWORD)
        expect(page.get_by_role("heading", name="Administer sources")).to_be_visible()

        page.get_by_role("link", name="Add source").click()
        page.get_by_label("Feed or website URL").fill("news.example")
        page.get_by_label("Title").fill("Example News")
        page.get_by_label("Update interval").select_option("3600")
        page.get_by_label("New categories").fill("World")
        page.get_by_role("button", name="Add source").click()
        expect(page.get_by_text("It announces these feeds")).to_be_visible()
        page.get_by_label("https://news.example/feed.atom").check()
        page.get_by_role("button", name="Subscribe to the chosen feed").click()
        expect(page.get_by_role("status")).to_contain_text("Added Example News")
        page.screenshot(path=ARTIFACTS / "admin-overview.png", full_page=True)

        [feed] = live_store.feeds.all()
        assert feed.url == "https://news.example/feed.atom"
        now = datetime.now(UTC)
        entries = tuple(
            EntryData(
                key=f"n{i}",
                title=f"Headline number {i}",
                link=f"https://news.example/{i}",
                author="Desk" if i % 2 else None,
                summary=f"<p>What happened, part {i}: a <em>short</em> account.</p>",
                published_at=now - timedelta(minutes=37 * i + 5),
                content_hash=str(i),
            )
            for i in range(25)
        )
        apply_check(
            live_store,
            feed.id,
            entries,
            now=now,
            feed_title="Example Feed",
            description="All the news that fits.",
            site_url="https://news.example/",
        )

        page.goto(server.url + "/")
        expect(page.get_by_role("link", name="Headline number 0")).to_be_visible()
        page.screenshot(path=ARTIFACTS / "river.png", full_page=True)
        page.get_by_role("link", name="Older ›").click()
        expect(page.get_by_role("link", name="Headline number 24")).to_be_visible()
        assert page.url.endswith("/?page=2")

        page.get_by_role("link", name="Sources", exact=True).click()
        page.get_by_role("heading", name="Example News").get_by_role("link").click()
        expect(page.get_by_text("Subscribe to Example News feed")).to_be_visible()
        expect(page.get_by_text("All the news that fits.")).to_be_visible()
        page.screenshot(path=ARTIFACTS / "source.png", full_page=True)

        opml = tmp_path / "subscriptions.opml"
        opml.write_text(OPML)
        page.goto(server.url + "/admin/import")
        page.get_by_label("OPML file").set_input_files(opml)
        page.get_by_role("button", name="Import").click()
        expect(page.get_by_role("status")).to_contain_text("Added 2 sources")
        assert {f.url for f in live_store.feeds.all()} >= {
            "https://physics.example/feed",
            "https://weather.example/rss",
        }

        mobile = new_page(browser, problems, page_errors=False, **PHONE)
        mobile.goto(server.url + "/")
        expect(mobile.get_by_role("link", name="Headline number 0")).to_be_visible()
        width = mobile.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
        mobile.screenshot(path=ARTIFACTS / "river-phone-dark.png")
    assert problems == []
