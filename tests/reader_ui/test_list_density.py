"""The list that scans (issue 17): one line an entry, a remembered density, the unread count in
the tab's title."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import lxml.html
import pytest

from reader_ui.helpers import add_entries, post
from tidings.model import Entry
from tidings.store import Store
from tidings.web.reader.density import COOKIE, parse_density, snippet

if TYPE_CHECKING:
    from starlette.testclient import TestClient


@pytest.mark.parametrize(
    ("raw", "density"),
    [
        ("comfortable", "comfortable"),
        ("compact", "compact"),
        (None, "compact"),
        ("", "compact"),
        ("Comfortable", "compact"),
        ("huge", "compact"),
    ],
)
def test_parse_density(raw: object, density: str) -> None:
    assert parse_density(raw) == density


def _entry(summary: str | None, content: str | None = None) -> Entry:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    return Entry(
        id=1,
        feed_id=1,
        key="k",
        title="t",
        link=None,
        summary=summary,
        content=content,
        published_at=now,
        first_seen_at=now,
        sort_at=now,
    )


@pytest.mark.parametrize(
    ("summary", "content", "expected"),
    [
        ("<p>Hello <em>gardens</em> &amp; more</p>", None, "Hello gardens & more"),
        (None, "<div>From\n\n the   content</div>", "From the content"),
        ("", "<p>empty summary falls back</p>", "empty summary falls back"),
        (None, None, ""),
        ("<script>x</script>", None, "x"),
        ("<p>one</p><p>two</p><br/>three", None, "one two three"),
        ("a <b>bold</b>, <a href='x'>link</a>.", None, "a bold, link."),
        ("word " * 100, None, ("word " * 44).strip() + "…"),
    ],
)
def test_snippet(summary: str | None, content: str | None, expected: str) -> None:
    assert snippet(_entry(summary, content)) == expected


def test_snippet_reads_only_the_start_of_a_huge_summary() -> None:
    text = snippet(_entry("<p>" + "a" * 1_000_000 + "</p>"), limit=50)
    assert len(text) == 50 and text.endswith("…")


def _follow_garden(client: TestClient, store: Store, count: int) -> tuple[int, list[int]]:
    """Ann follows Garden, which has `count` entries: its id and theirs."""
    garden = store.feeds.add("https://garden.example/feed.xml", title="Garden")
    ids = add_entries(store, garden.id, count, title="Garden news")
    assert post(client, f"/sources/{garden.id}/follow").status_code == 303
    return garden.id, ids


def _title(client: TestClient, path: str) -> str:
    title = lxml.html.fromstring(client.get(path).text).findtext(".//title")
    assert title is not None
    return title


def test_compact_list_is_one_line_an_entry(ann_client: TestClient, store: Store) -> None:
    _follow_garden(ann_client, store, 3)
    page = lxml.html.fromstring(ann_client.get("/reader").text)
    items = page.xpath("//ol[@data-items]/li")
    assert len(items) == 3
    for item in items:
        [icon] = item.xpath(".//img[@class='site-icon']")  # the feed's icon (or placeholder)
        assert icon.get("src") == f"/icons/feed/{item.get('data-feed')}"
        meta = item.xpath(".//p[contains(@class, 'item-meta')]")[0]
        assert " ".join(meta.text_content().split()).startswith("Garden ")
        assert not item.xpath(".//*[@class='item-snippet']")
        assert not item.xpath(".//a[contains(@class, 'item-original')]")
    [pressed] = page.xpath("//form[@action='/reader/density']//button[@aria-pressed='true']")
    assert pressed.get("value") == "compact"


def test_density_is_remembered_and_shows_snippets(ann_client: TestClient, store: Store) -> None:
    feed_id, _ = _follow_garden(ann_client, store, 2)
    here = f"/reader/feeds/{feed_id}?show=all"
    response = post(ann_client, "/reader/density", {"density": "comfortable", "next": here})
    assert response.status_code == 303
    assert response.headers["location"] == here
    assert f"{COOKIE}=comfortable" in response.headers["set-cookie"]
    page = lxml.html.fromstring(ann_client.get("/reader").text)
    snippets = [s.text_content() for s in page.xpath("//p[@class='item-snippet']")]
    assert snippets == ["Summary of item 0 about gardens.", "Summary of item 1 about gardens."]
    post(ann_client, "/reader/density", {"density": "compact"})
    page = lxml.html.fromstring(ann_client.get("/reader").text)
    assert not page.xpath("//p[@class='item-snippet']")


def test_density_goes_back_only_to_a_local_page(ann_client: TestClient) -> None:
    response = post(
        ann_client, "/reader/density", {"density": "x", "next": "https://evil.example/"}
    )
    assert response.headers["location"] == "/reader"
    assert f"{COOKIE}=compact" in response.headers["set-cookie"]


def test_density_needs_the_form_token(ann_client: TestClient) -> None:
    response = ann_client.post("/reader/density", data={"density": "comfortable"})
    assert response.status_code == 403


def test_tab_title_leads_with_the_unread_count(ann_client: TestClient, store: Store) -> None:
    feed_id, ids = _follow_garden(ann_client, store, 3)
    assert _title(ann_client, "/reader").startswith("(3) All feeds · Unread")
    post(ann_client, f"/reader/entries/{ids[0]}/read")
    assert _title(ann_client, f"/reader/feeds/{feed_id}").startswith("(2) Garden · Unread")
    for entry_id in ids[1:]:
        post(ann_client, f"/reader/entries/{entry_id}/read")
    assert _title(ann_client, "/reader").startswith("All feeds · Unread")
