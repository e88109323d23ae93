"""Chromium against uvicorn: the list that scans (issue 17).

At phone (dark) and desktop (light) widths: one line an entry, no sideways scrolling, the density
switch and its cookie, the unread count in the tab's title following the read state. Prints how many
entries fit on the first screen (the numbers docs/reading-ui.md quotes).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from reader_ui.helpers import PASSWORD, add_entries, user
from support.browser import (
    ARTIFACTS,
    chromium,
    new_page,
    require_chromium,
    sign_in,
    wait_until,
)
from support.fixtures import live_store as live_store
from support.live_server import LiveServer, serving
from tidings.config import Settings
from tidings.store import Store
from tidings.web.app import create_app

pytestmark = pytest.mark.browser

ENTRIES = 40
VIEWPORTS = [
    {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 1,
        "has_touch": True,
        "color_scheme": "dark",
    },
    {"viewport": {"width": 1366, "height": 900}, "device_scale_factor": 1},
]
# Entries whose whole line is inside the first screen.
FIT = """
Array.from(document.querySelectorAll('[data-items] > li'))
  .filter((li) => li.getBoundingClientRect().bottom <= window.innerHeight).length
"""


@pytest.fixture
def live(live_store: Store) -> Iterator[LiveServer]:
    require_chromium()
    settings = Settings(secret_key="browser test", site_name="Tidings", page_size=ENTRIES)
    with serving(create_app(settings, live_store)) as server:
        yield server


@pytest.mark.slow
@pytest.mark.parametrize("options", VIEWPORTS, ids=["phone", "desktop"])
def test_list_scans_and_density_switches(
    live: LiveServer, live_store: Store, options: dict[str, object]
) -> None:
    from playwright.sync_api import expect

    store = live_store
    user(store, "ann")
    garden = store.feeds.add("https://garden.example/feed.xml", title="Garden")
    add_entries(store, garden.id, ENTRIES, title="Garden news with a rather long title to cut")
    problems: list[str] = []
    width = options["viewport"]["width"]  # type: ignore[index]

    with chromium() as browser:
        page = new_page(browser, problems, **options)
        sign_in(page, live.url + "/login", "ann", PASSWORD)
        page.goto(live.url + "/sources")
        page.get_by_role("button", name="Follow Garden").click()
        page.goto(live.url + "/reader")
        items = page.locator("[data-items] > li")
        expect(items).to_have_count(ENTRIES)
        expect(page).to_have_title(re.compile(rf"^\({ENTRIES}\) All feeds · Unread"))
        # One line an entry: each as high as the first, and no sideways scrolling.
        heights = page.evaluate(
            "Array.from(document.querySelectorAll('[data-items] > li'))"
            ".map((li) => Math.round(li.getBoundingClientRect().height))"
        )
        assert max(heights) <= 40, heights
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        compact = page.evaluate(FIT)
        page.screenshot(path=ARTIFACTS / f"list-compact-{width}.png")

        # Reading one (m on the selected entry) takes one off the tab's count at once.
        page.keyboard.press("j")
        page.keyboard.press("m")
        expect(page).to_have_title(re.compile(rf"^\({ENTRIES - 1}\) All feeds"))

        page.get_by_role("button", name="Comfortable").click()
        expect(page.locator(".item-snippet").first).to_contain_text("Summary of item")
        expect(page.get_by_role("button", name="Comfortable")).to_have_attribute(
            "aria-pressed", "true"
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        comfortable = page.evaluate(FIT)
        page.screenshot(path=ARTIFACTS / f"list-comfortable-{width}.png")
        # Remembered: a new visit keeps it.
        page.goto(live.url + "/reader?show=all")
        expect(page.locator(".item-snippet")).to_have_count(ENTRIES)
        page.get_by_role("button", name="Compact").click()
        expect(page.locator(".item-snippet")).to_have_count(0)
        # R on a feed's list asks for a check of that feed; the hint is for keyboards only.
        page.goto(f"{live.url}/reader/feeds/{garden.id}")
        page.keyboard.press("Shift+R")
        expect(page.get_by_role("status")).to_contain_text("Garden will be updated shortly")
        hint = page.locator(".keys-hint")
        expect(hint).to_be_hidden() if width == 390 else expect(hint).to_be_visible()
        # The entry page: a bar with read / star / original / newer / older, kept at the top of
        # a phone's screen while reading; lines near 70 characters.
        page.goto(f"{live.url}/reader/feeds/{garden.id}?show=all")
        page.locator(".item-open").nth(3).click()
        bar = page.get_by_role("navigation", name="This entry")
        for name in ("‹ Newer", "Older ›", "Original ↗"):
            expect(bar.get_by_role("link", name=name)).to_be_visible()
        expect(bar.get_by_role("button", name="☆ Star")).to_be_visible()
        page.screenshot(path=ARTIFACTS / f"entry-{width}.png")
        page.evaluate("document.querySelector('.entry-body').innerHTML += '<p>long</p>'.repeat(80)")
        page.mouse.wheel(0, 2000)
        wait_until(page, "window.scrollY > 500")
        top = bar.bounding_box()
        assert top is not None
        if width == 390:
            assert abs(top["y"]) < 1, top
        cap = page.evaluate("getComputedStyle(document.querySelector('.entry-body')).maxWidth")
        assert cap != "none", cap
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        cookies = [
            {"name": c["name"], "value": c["value"], "url": live.url}
            for c in page.context.cookies()
        ]
        plain = new_page(browser, problems, java_script_enabled=False, **options)
        plain.context.add_cookies(cookies)  # type: ignore[arg-type]
        plain.goto(f"{live.url}/reader/feeds/{garden.id}")
        expect(plain.locator(".keys-hint")).to_be_hidden()  # no keys without the script
        plain.get_by_role("button", name="Refresh").click()
        expect(plain.get_by_role("status")).to_contain_text("Garden will be updated shortly")
        plain.context.close()
        print(f"\n{width}px: {compact} entries fit compact, {comfortable} comfortable")
        assert compact > comfortable > 0
    assert problems == []
