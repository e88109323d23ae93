"""Administration: the overview, adding and editing sources, operations, OPML import, categories."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import lxml.html
import pytest
from starlette.testclient import TestClient

import tidings.web.admin as admin_module
from tidings.store import Store
from web.helpers import FakeDiscover, add_feed, post_form


def flash_after(client: TestClient, response: object) -> str:
    location = response.headers["location"]  # type: ignore[attr-defined]
    return " ".join(
        lxml.html.fromstring(client.get(location).text)
        .xpath("string(//div[@class='messages'])")
        .split()
    )


def test_overview_table(admin_client: TestClient, store: Store) -> None:
    add_feed(store, "https://a.example/feed", title="Alpha", entries=3)
    never = store.feeds.add("https://n.example/feed", refresh_interval=0)
    store.feeds.update(never.id, title="Never")
    tree = lxml.html.fromstring(admin_client.get("/admin").text)
    headers = tree.xpath("//table[@class='overview']/thead//th/text()")
    assert headers == ["Title", "Items", "Last update", "Next update", "Errors", "Operations"]
    rows = [[" ".join(c.text_content().split()) for c in row] for row in tree.xpath("//tbody/tr")]
    assert rows[0][:3] == ["Alpha", "3", "1 minute ago"]
    assert rows[0][3].endswith(" left") and rows[0][4] == "0"
    assert rows[1][0] == "Never" and rows[1][2] == "never" and rows[1][3] == "imminently"
    assert "update now" in rows[0][5] and "delete items" in rows[0][5]


def test_the_overview_is_paged(
    admin_client: TestClient, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With 50,000 sources the overview was one 65 MB page."""
    monkeypatch.setattr(admin_module, "OVERVIEW_PAGE", 2)
    for name in ("Delta", "Alpha", "Echo", "Charlie", "Bravo"):
        store.feeds.add(f"https://{name.lower()}.example/feed", title=name)

    def titles(page: str) -> list[str]:
        tree = lxml.html.fromstring(admin_client.get(page).text)
        return [" ".join(a.text_content().split()) for a in tree.xpath("//tbody/tr/th/a")]

    assert titles("/admin") == ["Alpha", "Bravo"]
    assert titles("/admin?page=2") == ["Charlie", "Delta"]
    assert titles("/admin?page=3") == ["Echo"]
    assert admin_client.get("/admin?page=4").status_code == 400
    assert 'href="/admin?page=2"' in admin_client.get("/admin").text


def test_add_source_validates_and_keeps_typed_values(
    admin_client: TestClient, store: Store
) -> None:
    response = post_form(
        admin_client,
        "/admin/sources/add",
        {"url": "ftp://x.example/feed", "title": "Mine", "refresh": "3600"},
    )
    assert response.status_code == 200
    assert "is not an http or https URL" in response.text
    assert 'value="Mine"' in response.text
    assert '<option value="3600" selected>' in response.text
    assert store.feeds.count() == 0
    bad_interval = post_form(
        admin_client, "/admin/sources/add", {"url": "https://x.example/", "refresh": "5"}
    )
    assert "Choose one of the listed intervals." in bad_interval.text
    # The store's limits, in the store's words: the form once allowed 500 characters of title.
    too_long = post_form(
        admin_client,
        "/admin/sources/add",
        {"url": "https://x.example/", "title": "t" * 201, "new_categories": "c" * 101},
    )
    assert too_long.status_code == 200
    assert "A title has at most 200 characters." in too_long.text
    assert "A category name has at most 100 characters." in too_long.text
    assert store.feeds.count() == 0


def test_add_source_with_categories(admin_client: TestClient, store: Store) -> None:
    store.categories.add("News")
    response = post_form(
        admin_client,
        "/admin/sources/add",
        {
            "url": "https://a.example/feed",
            "title": "",
            "refresh": "never",
            "category": "News",
            "new_categories": "Science, Space",
        },
    )
    assert response.status_code == 303
    assert "Added https://a.example/feed" in flash_after(admin_client, response)
    [feed] = store.feeds.all()
    assert feed.refresh_interval == 0 and feed.title is None
    assert [c.name for c in store.categories.of_feed(feed.id)] == ["News", "Science", "Space"]
    again = post_form(admin_client, "/admin/sources/add", {"url": "https://a.example/feed"})
    assert "already subscribed" in again.text


def test_add_a_website_offers_its_feeds(
    admin_client: TestClient, store: Store, discover: FakeDiscover
) -> None:
    discover.answers["https://site.example/"] = [
        "https://site.example/rss.xml",
        "https://site.example/atom.xml",
    ]
    response = post_form(admin_client, "/admin/sources/add", {"url": "site.example", "title": "S"})
    assert response.status_code == 200
    tree = lxml.html.fromstring(response.text)
    assert tree.xpath("//input[@type='radio']/@value") == [
        "https://site.example/rss.xml",
        "https://site.example/atom.xml",
    ]
    assert store.feeds.count() == 0
    chosen = post_form(
        admin_client,
        "/admin/sources/add",
        {"url": "https://site.example/atom.xml", "chosen": "1", "title": "S", "refresh": "auto"},
    )
    assert chosen.status_code == 303
    [feed] = store.feeds.all()
    assert (feed.url, feed.title) == ("https://site.example/atom.xml", "S")
    assert discover.asked == ["https://site.example/"]


def test_edit_source(admin_client: TestClient, store: Store) -> None:
    feed_id = add_feed(store, "https://a.example/feed", title="Alpha")
    form = admin_client.get(f"/admin/sources/{feed_id}/edit").text
    assert 'value="https://a.example/feed"' in form
    response = post_form(
        admin_client,
        f"/admin/sources/{feed_id}/edit",
        {"url": "https://a.example/feed2", "title": "Renamed", "refresh": "86400"},
    )
    assert response.status_code == 303
    feed = store.feeds.get(feed_id)
    assert (feed.url, feed.title, feed.refresh_interval) == (
        "https://a.example/feed2",
        "Renamed",
        86400,
    )
    assert "Renamed" in admin_client.get(f"/sources/{feed_id}").text
    add_feed(store, "https://b.example/feed")
    clash = post_form(
        admin_client, f"/admin/sources/{feed_id}/edit", {"url": "https://b.example/feed"}
    )
    assert clash.status_code == 200 and "already subscribed" in clash.text


def test_delete_and_delete_items_confirm_first(admin_client: TestClient, store: Store) -> None:
    feed_id = add_feed(store, "https://a.example/feed", title="Alpha", entries=4)
    confirm = admin_client.get(f"/admin/sources/{feed_id}/delete-items")
    assert "Delete the items of Alpha?" in confirm.text
    assert store.entries.count(feed_id=feed_id) == 4
    response = post_form(admin_client, f"/admin/sources/{feed_id}/delete-items", {})
    assert "Deleted 4 items of Alpha." in flash_after(admin_client, response)
    assert store.entries.count(feed_id=feed_id) == 0
    assert "No news yet" in admin_client.get("/").text
    response = post_form(admin_client, f"/admin/sources/{feed_id}/delete", {})
    assert response.status_code == 303
    assert store.feeds.count() == 0
    assert admin_client.get(f"/admin/sources/{feed_id}/delete").status_code == 404


def test_update_now_schedules_the_feed(admin_client: TestClient, store: Store) -> None:
    feed_id = add_feed(store, "https://a.example/feed", title="Alpha")
    before = store.feeds.get(feed_id).next_check_at
    assert before is not None and before > datetime.now(UTC) + timedelta(minutes=30)
    response = post_form(admin_client, f"/admin/sources/{feed_id}/update", {}, form_page="/admin")
    assert "Alpha will be updated shortly." in flash_after(admin_client, response)
    after = store.feeds.get(feed_id).next_check_at
    assert after is not None and after <= datetime.now(UTC)


def test_source_admin_page_has_log_and_chart(admin_client: TestClient, store: Store) -> None:
    feed_id = add_feed(store, "https://a.example/feed", title="Alpha", entries=30)
    html = admin_client.get(f"/admin/sources/{feed_id}").text
    tree = lxml.html.fromstring(html)
    assert len(tree.xpath("//svg[@aria-labelledby='chart-title']/rect")) == 30
    assert len(tree.xpath("//svg[@aria-labelledby='durations-title']/rect")) == 1
    assert "30 items in the last 30 days" in html
    log_rows = tree.xpath("//h2[.='Fetch log']/following::table[1]/tbody/tr")
    assert len(log_rows) == 1 and "200" in log_rows[0].text_content()


OPML = b"""<?xml version="1.0"?>
<opml version="2.0"><head><title>mine</title></head><body>
<outline text="Tech"><outline type="rss" text="A" xmlUrl="https://a.example/feed"/>
<outline type="rss" text="C" xmlUrl="https://c.example/feed"/></outline>
<outline type="rss" text="Bad" xmlUrl="javascript:alert(1)"/>
</body></opml>"""


def test_opml_import_reports_added_duplicates_invalid(
    admin_client: TestClient, store: Store
) -> None:
    add_feed(store, "https://a.example/feed")
    response = post_form(
        admin_client, "/admin/import", {}, files={"opml": ("subs.opml", OPML, "text/x-opml")}
    )
    assert response.status_code == 200
    text = " ".join(lxml.html.fromstring(response.text).text_content().split())
    assert "Added 1 source; 1 already subscribed; 1 not usable." in text
    assert "https://a.example/feed" in text and "javascript:alert(1)" in text
    assert {f.url for f in store.feeds.all()} == {
        "https://a.example/feed",
        "https://c.example/feed",
    }


def test_opml_import_refuses_invalid_files(admin_client: TestClient, store: Store) -> None:
    for data, message in (
        (b"not xml at all", "not well-formed XML"),
        (b"<html><body/></html>", "not OPML"),
        (b"", "Choose an OPML file"),
    ):
        response = post_form(
            admin_client, "/admin/import", {}, files={"opml": ("x.opml", data, "text/xml")}
        )
        assert response.status_code == 200
        assert message in response.text, message
    assert store.feeds.count() == 0


def test_categories_admin(admin_client: TestClient, store: Store) -> None:
    response = post_form(admin_client, "/admin/categories", {"name": "Science"})
    assert "Added the category Science." in flash_after(admin_client, response)
    [science] = store.categories.all()
    duplicate = post_form(admin_client, "/admin/categories", {"name": "Science"})
    assert "exists already" in duplicate.text
    renamed = post_form(
        admin_client,
        f"/admin/categories/{science.id}/rename",
        {"name": "Space"},
        form_page="/admin/categories",
    )
    assert "Renamed the category to Space." in flash_after(admin_client, renamed)
    assert store.categories.get(science.id).name == "Space"
    post_form(
        admin_client,
        f"/admin/categories/{science.id}/delete",
        {},
        form_page="/admin/categories",
    )
    assert store.categories.all() == []


def test_messages_show_once(admin_client: TestClient, store: Store) -> None:
    response = post_form(admin_client, "/admin/categories", {"name": "Once"})
    assert "Added the category Once." in flash_after(admin_client, response)
    assert "Added the category Once." not in admin_client.get("/admin/categories").text
    assert re.search(r"<title>[^<]*Categories", admin_client.get("/admin/categories").text)


def test_source_page_shows_the_websub_hub_lease_and_last_push(
    admin_client: TestClient, store: Store
) -> None:
    feed_id = add_feed(store, "https://push.example/feed")
    page = lxml.html.fromstring(admin_client.get(f"/admin/sources/{feed_id}").text)
    assert "WebSub hub" not in page.text_content()  # no hub: nothing about it
    now = datetime.now(UTC)
    sub = store.websub.request(
        feed_id, "https://hub.example/", "https://push.example/feed", "t" * 32, "s", now
    )
    store.websub.confirm(sub.id, 3 * 3600, now)
    store.websub.pushed(sub.id, now - timedelta(minutes=5))
    facts = " ".join(
        lxml.html.fromstring(admin_client.get(f"/admin/sources/{feed_id}").text)
        .xpath("string(//dl[@class='facts'])")
        .split()
    )
    assert "WebSub hubhttps://hub.example/ (subscribed)" in facts
    assert re.search(r"Hub lease(2 hours 59 min|3 hours)", facts), facts
    assert "Last push5 minutes ago" in facts
