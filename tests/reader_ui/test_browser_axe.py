"""axe-core in Chromium on every page of the site, the reader, the account and the admin, at
phone (390 px) and desktop (1366 px) widths, light and dark: 0 violations, and no page wider
than the screen (issue 17).

axe.min.js comes from the `axe-playwright-python` package (only its script is used). It is
evaluated in the page through the DevTools protocol, which the site's CSP does not govern, so
the pages are tested with their real CSP on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reader_ui.helpers import PASSWORD, add_entries, user
from support.browser import chromium, new_page, require_chromium, sign_in
from support.fixtures import live_store as live_store
from support.live_server import LiveServer, serving
from tidings.config import Settings
from tidings.integrations.service import create_integration
from tidings.model import EntryData
from tidings.rules.model import RuleDraft, checked_rule
from tidings.store import Store
from tidings.web.app import create_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SECRET = "browser test"
WIDTHS = (
    {"viewport": {"width": 390, "height": 844}, "has_touch": True},
    {"viewport": {"width": 1366, "height": 900}},
)


def axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()


# WCAG 2.x A and AA and axe's best practices; violations summarized as "rule: where".
RUN_AXE = r"""async () => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa",
                                    "best-practice"]},
  });
  const node = (n) =>
    `${n.target.join(" ")} ${n.failureSummary.replace(/\s+/g, " ").slice(0, 200)}`;
  return result.violations.map((v) =>
    `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(node).join(" | ")}`);
}"""


@pytest.fixture
def live(live_store: Store) -> Iterator[LiveServer]:
    require_chromium()
    settings = Settings(secret_key=SECRET, site_name="Tidings", page_size=5)
    with serving(create_app(settings, live_store)) as server:
        yield server


def _content(store: Store, ann: int) -> dict[str, int]:
    """A site with something on every page: sources in a category, entries with code and a
    table, a label, a rule, an integration."""
    garden = store.feeds.add("https://garden.example/feed.xml", title="Garden")
    [category] = store.categories.set_for_feed(garden.id, ["Outdoors"])
    add_entries(store, garden.id, 7, title="Garden news")
    now = datetime.now(UTC)
    rich = EntryData(
        key="rich",
        title="A rich entry",
        link="https://garden.example/rich",
        content=(
            "<p>Text with <a href='https://garden.example/x'>a link</a>.</p>"
            "<pre><code>for x in range(10):\n    print(x)" + " " * 200 + "# long line</code></pre>"
            "<table><tr><th>Plant</th><th>Month</th></tr><tr><td>Tomato</td><td>May</td></tr></table>"
        ),
        published_at=now - timedelta(minutes=5),
        content_hash="rich",
    )
    from support.entries import apply_check

    apply_check(store, garden.id, (rich,), now=now, checked_at=now, fetched=None)
    store.reading.subscribe(ann, garden.url)
    [entry] = [e for e in store.entries.newest(feed_id=garden.id, limit=20) if e.key == "rich"]
    store.labels.add(ann, [entry.id], "keep")
    store.rules.add(
        ann, checked_rule(RuleDraft("sales", "title:sale", actions=("read",)), is_admin=True)
    )
    create_integration(
        store, SECRET, ann, "webhook", "hook", {"url": "https://h.example/", "secret": "s"}
    )
    return {"feed": garden.id, "category": category.id, "entry": entry.id}


def test_every_page_has_no_axe_violations(live: LiveServer, live_store: Store) -> None:
    ann = user(live_store, "ann", admin=True)
    ids = _content(live_store, ann)
    paths = [
        "/",
        "/sources",
        f"/sources/{ids['feed']}",
        "/categories",
        f"/categories/{ids['category']}",
        "/reader",
        f"/reader/feeds/{ids['feed']}",
        f"/reader/entries/{ids['entry']}",
        "/reader/search?q=garden",
        "/reader/subscriptions",
        f"/reader/subscriptions/{ids['feed']}",
        "/reader/categories",
        "/reader/labels/keep",
        "/reader/rules",
        "/reader/help",
        "/account",
        "/account/keys",
        "/account/apps",
        "/account/integrations",
        "/account/users",
        "/admin",
        f"/admin/sources/{ids['feed']}",
        "/admin/sources/add",
        f"/admin/sources/{ids['feed']}/edit",
        "/admin/categories",
        "/admin/import",
        "/admin/settings",
    ]
    script = axe_source()
    problems: list[str] = []
    found: dict[str, list[str]] = {}
    with chromium() as browser:
        first = new_page(browser, problems)
        sign_in(first, live.url + "/login", "ann", PASSWORD)
        cookies = [
            {"name": c["name"], "value": c["value"], "url": live.url}
            for c in first.context.cookies()
        ]
        for options in WIDTHS:
            for scheme in ("light", "dark"):
                page = new_page(browser, problems, color_scheme=scheme, **options)
                # Evaluated in every document the page loads, compiled once: V8 keeps the
                # compiled script for the next document (5 of 39 s less than evaluating it after
                # each load).
                page.add_init_script(script)
                for path in ["/login", *paths]:
                    if path == "/login":
                        page.context.clear_cookies()
                    else:
                        page.context.add_cookies(cookies)  # type: ignore[arg-type]
                    answer = page.goto(live.url + path)
                    assert answer is not None and answer.status == 200, path
                    violations = page.evaluate(RUN_AXE)
                    width = options["viewport"]["width"]  # type: ignore[index]
                    scroll = page.evaluate("document.documentElement.scrollWidth")
                    if scroll > page.evaluate("window.innerWidth"):
                        violations.append(f"scrolls sideways: {scroll}px wide")
                    if violations:
                        found[f"{path} at {width}px, {scheme}"] = violations
                page.context.close()
    assert found == {}, json.dumps(found, indent=1)
    assert problems == []
