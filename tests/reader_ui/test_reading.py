"""The reading pages: lists, paging, an entry, read/star state, mark all read "up to"."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import lxml.html
from starlette.testclient import TestClient

from reader_ui.helpers import add_entries, post, sign_in, user
from tidings.store import Store


def titles(html: str) -> list[str]:
    tree = lxml.html.fromstring(html)
    return [" ".join(a.text_content().split()) for a in tree.xpath("//a[@class='item-open']")]


def sidebar_counts(html: str) -> dict[str, str]:
    tree = lxml.html.fromstring(html)
    found = {}
    for link in tree.xpath("//aside//ul[@class='side-list']//a"):
        count = link.xpath("string(span[@class='count'])")
        name = " ".join(link.text_content().replace(count, "", 1).split()) if count else ""
        if name:
            found[name] = count
    return found


def test_signed_out_people_are_sent_to_sign_in(client: TestClient) -> None:
    for path in ("/reader", "/reader/search?q=x", "/account", "/reader/subscriptions"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")
    response = client.post("/reader/mark-read", data={}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/reader"


def test_lists_page_with_an_older_cursor(ann_client: TestClient, store: Store, ann: int) -> None:
    sub = store.reading.subscribe(ann, "https://a.example/feed", categories=["Tech"])
    add_entries(store, sub.feed_id, 25, title="Alpha")
    page = ann_client.get("/reader")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "private, no-store"
    assert titles(page.text) == [f"Alpha {i}" for i in range(20)]
    assert sidebar_counts(page.text)["All unread"] == "25"
    assert sidebar_counts(page.text)["Tech"] == "25"
    older = lxml.html.fromstring(page.text).xpath("string(//a[@rel='next']/@href)")
    assert re.fullmatch(r"/reader\?before=[0-9]+\.[0-9]+", older)
    second = ann_client.get(older)
    assert titles(second.text) == [f"Alpha {i}" for i in range(20, 25)]
    assert 'rel="next"' not in second.text and "‹ Newest" in second.text
    # The same list per feed and per category.
    assert titles(ann_client.get(f"/reader/feeds/{sub.feed_id}").text)[0] == "Alpha 0"
    [category] = store.reading.categories(ann)
    assert len(titles(ann_client.get(f"/reader/categories/{category.id}").text)) == 20
    for bad in ("/reader?before=x", "/reader?show=nope", "/reader?before=99999999999999999999.1"):
        assert ann_client.get(bad).status_code == 400
    assert ann_client.get("/reader/feeds/999").status_code == 404
    assert ann_client.get(f"/reader/categories/{category.id + 99}").status_code == 404


def test_opening_an_entry_marks_it_read_and_links_its_neighbours(
    ann_client: TestClient, store: Store, ann: int
) -> None:
    sub = store.reading.subscribe(ann, "https://a.example/feed")
    ids = add_entries(store, sub.feed_id, 3, title="Alpha")
    by_title = {store.reading.entry(ann, i).entry.title: i for i in ids}
    middle = by_title["Alpha 1"]
    page = ann_client.get(f"/reader/entries/{middle}?show=unread&feed={sub.feed_id}")
    assert page.status_code == 200
    assert "Full text 1: tomatoes grow in gardens." in page.text
    assert store.reading.entry(ann, middle).read
    tree = lxml.html.fromstring(page.text)
    assert tree.xpath("string(//a[@rel='next']/@href)").startswith(
        f"/reader/entries/{by_title['Alpha 2']}?"
    )
    assert tree.xpath("string(//a[@rel='prev']/@href)").startswith(
        f"/reader/entries/{by_title['Alpha 0']}?"
    )
    assert tree.xpath("string(//button[@data-toggle='read']/@formaction)").endswith("/unread")
    # Unread list: the read entry is gone from it; "all" shows it as read.
    assert "Alpha 1" not in titles(ann_client.get("/reader").text)
    assert "Alpha 1" in titles(ann_client.get("/reader?show=all").text)


def test_state_buttons(ann_client: TestClient, store: Store, ann: int) -> None:
    sub = store.reading.subscribe(ann, "https://a.example/feed")
    [entry_id] = add_entries(store, sub.feed_id, 1)
    response = post(ann_client, f"/reader/entries/{entry_id}/star", {"next": "/reader?show=all"})
    assert response.status_code == 303 and response.headers["location"] == "/reader?show=all"
    assert store.reading.entry(ann, entry_id).starred
    assert titles(ann_client.get("/reader?show=starred").text) == ["Item 0"]
    post(ann_client, f"/reader/entries/{entry_id}/read", {"next": "https://evil.example/"})
    assert store.reading.entry(ann, entry_id).read
    # The script's requests get the new state as JSON.
    answer = post(
        ann_client, f"/reader/entries/{entry_id}/unstar", headers={"Accept": "application/json"}
    )
    assert answer.json() == {"id": entry_id, "read": True, "starred": False}
    post(ann_client, f"/reader/entries/{entry_id}/unread")
    assert not store.reading.entry(ann, entry_id).read
    assert post(ann_client, f"/reader/entries/{entry_id}/explode").status_code == 404
    # Without the CSRF token: refused, nothing changes.
    refused = ann_client.post(f"/reader/entries/{entry_id}/read", follow_redirects=False)
    assert refused.status_code == 403 and not store.reading.entry(ann, entry_id).read


def test_mark_all_read_sweeps_only_what_the_list_showed(
    ann_client: TestClient, store: Store, ann: int
) -> None:
    sub = store.reading.subscribe(ann, "https://a.example/feed", categories=["Tech"])
    other = store.reading.subscribe(ann, "https://b.example/feed")
    past = datetime.now(UTC) - timedelta(minutes=5)
    seen = add_entries(store, sub.feed_id, 3, now=past, prefix="old-")
    elsewhere = add_entries(store, other.feed_id, 2, now=past, prefix="b-")
    page = ann_client.get(f"/reader/feeds/{sub.feed_id}")
    form = lxml.html.fromstring(page.text).xpath("//form[contains(@class, 'mark-all')]")[0]
    as_of = form.xpath("string(.//input[@name='as_of']/@value)")
    assert form.get("action") == f"/reader/feeds/{sub.feed_id}/mark-read"
    # An entry arrives after the list was rendered: it must stay unread.
    later = datetime.fromisoformat(as_of) + timedelta(microseconds=1)
    [arrived] = add_entries(store, sub.feed_id, 1, now=later, prefix="new-")
    response = post(ann_client, form.get("action"), {"as_of": as_of, "next": "/reader"})
    assert response.status_code == 303
    assert all(store.reading.entry(ann, i).read for i in seen)
    assert not store.reading.entry(ann, arrived).read
    assert not any(store.reading.entry(ann, i).read for i in elsewhere)  # another feed
    assert "Marked 3 entries read." in ann_client.get(response.headers["location"]).text
    # Everything (up to now), and a category.
    post(ann_client, "/reader/mark-read", {"as_of": datetime.now(UTC).isoformat()})
    assert all(store.reading.entry(ann, i).read for i in [*elsewhere, arrived])
    [category] = store.reading.categories(ann)
    path = f"/reader/categories/{category.id}/mark-read"
    assert post(ann_client, path, {"as_of": datetime.now(UTC).isoformat()}).status_code == 303
    # A time in the future counts as now; a missing or naive one is refused.
    assert post(ann_client, path, {"as_of": "2999-01-01T00:00:00+00:00"}).status_code == 303
    assert post(ann_client, path, {"as_of": ""}).status_code == 400
    assert post(ann_client, path, {"as_of": "2024-01-01T00:00:00"}).status_code == 400


def test_subscribe_rename_categorize_unsubscribe(
    ann_client: TestClient, store: Store, ann: int
) -> None:
    page = ann_client.get("/reader/subscriptions")
    assert "Subscribe to a feed" in page.text
    response = post(
        ann_client,
        "/reader/subscriptions",
        {"url": "Blog.Example/feed", "title": "My blog", "categories": "Friends, Tech"},
    )
    assert response.status_code == 303
    [sub] = store.reading.subscriptions(ann)
    assert sub.url == "https://blog.example/feed" and sub.title == "My blog"
    assert [c.name for c in sub.categories] == ["Friends", "Tech"]
    assert response.headers["location"] == f"/reader/feeds/{sub.feed_id}"
    assert not store.feeds.get(sub.feed_id).is_public
    again = post(ann_client, "/reader/subscriptions", {"url": "https://blog.example/feed"})
    assert again.status_code == 200 and "already" in again.text
    for bad, message in (
        ("javascript:alert(1)", "is not a valid URL"),
        ("http://127.0.0.1/feed", "loopback address"),
        ("", "Type the address"),
    ):
        refused = post(ann_client, "/reader/subscriptions", {"url": bad})
        assert refused.status_code == 200 and message in refused.text, bad
    # Edit: a new title, one existing category ticked, one new one typed.
    edit = ann_client.get(f"/reader/subscriptions/{sub.feed_id}")
    assert edit.status_code == 200 and 'value="My blog"' in edit.text
    tech = next(c for c in store.reading.categories(ann) if c.name == "Tech")
    saved = post(
        ann_client,
        f"/reader/subscriptions/{sub.feed_id}",
        {"title": "Renamed", "category": [str(tech.id), "999999"], "new_categories": "News"},
    )
    assert saved.status_code == 303
    sub = store.reading.subscription(ann, sub.feed_id)
    assert sub.title == "Renamed" and [c.name for c in sub.categories] == ["News", "Tech"]
    post(ann_client, f"/reader/subscriptions/{sub.feed_id}", {"title": ""})
    assert store.reading.subscription(ann, sub.feed_id).title is None
    gone = post(ann_client, f"/reader/subscriptions/{sub.feed_id}/unsubscribe")
    assert gone.status_code == 303 and store.reading.subscriptions(ann) == []
    assert post(ann_client, f"/reader/subscriptions/{sub.feed_id}/unsubscribe").status_code == 404


def test_categories_page(ann_client: TestClient, store: Store, ann: int) -> None:
    assert post(ann_client, "/reader/categories", {"name": "  Science  "}).status_code == 303
    [science] = store.reading.categories(ann)
    assert science.name == "Science"
    taken = post(ann_client, "/reader/categories", {"name": "Science"})
    assert taken.status_code == 200 and "already" in taken.text
    assert post(ann_client, "/reader/categories", {"name": " "}).status_code == 200
    post(ann_client, f"/reader/categories/{science.id}/rename", {"name": "Physics"})
    assert [c.name for c in store.reading.categories(ann)] == ["Physics"]
    assert "Physics" in ann_client.get("/reader/categories").text
    post(ann_client, f"/reader/categories/{science.id}/delete")
    assert store.reading.categories(ann) == []
    assert post(ann_client, f"/reader/categories/{science.id}/delete").status_code == 404


def test_a_removed_user_is_signed_out(client: TestClient, store: Store) -> None:
    cid = user(store, "cid")
    sign_in(client, "cid")
    assert client.get("/reader").status_code == 200
    store.users.remove(cid)
    assert client.get("/reader", follow_redirects=False).status_code == 303


def test_feed_titles_and_entry_text_are_escaped(
    ann_client: TestClient, store: Store, ann: int
) -> None:
    sub = store.reading.subscribe(ann, "https://a.example/feed", title="<b>bold</b>")
    add_entries(store, sub.feed_id, 1, title="<script>alert(1)</script>")
    html = ann_client.get("/reader").text
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
