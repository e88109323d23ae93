"""Saved searches in the reader: saved from the results page, listed in the sidebar with unread
counts, read as feeds with a feed link, deleted; another user's are out of reach."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import lxml.etree
import lxml.html
import pytest
from starlette.testclient import TestClient

from reader_ui.helpers import add_entries, post
from tidings.store import Store
from tidings.web.reader import common


def _sidebar(client: TestClient) -> list[tuple[str, str, str]]:
    """The sidebar's saved searches: (name, link, unread count)."""
    tree = lxml.html.fromstring(client.get("/reader").text)
    return [
        (
            a.text.strip(),
            a.get("href"),
            a.xpath("string(span[@class='count'])").replace("unread:", "").strip(),
        )
        for a in tree.xpath("//ul[@data-saved-searches]/li/a")
    ]


def test_save_a_search_see_it_in_the_sidebar_read_it_as_a_feed_delete_it(
    ann_client: TestClient,
    bob_client: TestClient,
    client_without_session: TestClient,
    store: Store,
    ann: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Counts as they are now (the sidebar may reuse counts SAVED_COUNTS_MAX_AGE seconds old).
    monkeypatch.setattr(common, "SAVED_COUNTS_MAX_AGE", 0.0)
    sub = store.reading.subscribe(ann, "https://a.example/feed", title="Garden log")
    ids = add_entries(store, sub.feed_id, 3, title="Tomatoes")
    add_entries(store, sub.feed_id, 2, title="Other", prefix="other-")
    assert _sidebar(ann_client) == []
    page = lxml.html.fromstring(ann_client.get("/reader/search?q=tomatoes -other").text)
    [form] = page.xpath("//form[@action='/reader/search/save']")
    assert form.xpath("string(.//label[@for='saved-name'])") == "Save this search as"
    saved = post(ann_client, "/reader/search/save", {"q": "tomatoes -other", "name": "Tomatoes"})
    assert saved.status_code == 303
    assert saved.headers["location"] == "/reader/search?q=tomatoes+-other"
    # Every entry's text mentions tomatoes; three are not "Other": all unread.
    assert _sidebar(ann_client) == [("Tomatoes", "/reader/search?q=tomatoes%20-other", "3")]
    store.reading.mark_read(ann, ids[:1])
    assert _sidebar(ann_client) == [("Tomatoes", "/reader/search?q=tomatoes%20-other", "2")]
    # The saved search's page says so, and offers a feed link for it.
    results = lxml.html.fromstring(ann_client.get("/reader/search?q=tomatoes+-other").text)
    assert "Saved as Tomatoes" in results.text_content()
    current = results.xpath("//ul[@data-saved-searches]//a[@aria-current='page']")
    assert [a.text.strip() for a in current] == ["Tomatoes"]
    link_page = post(ann_client, "/reader/search/link", {"q": "tomatoes -other"})
    links = lxml.html.fromstring(link_page.text).xpath("//input[@class='token-value']/@value")
    atom_url = next(u for u in links if "/reader/search.atom?" in u)
    assert parse_qs(urlsplit(atom_url).query)["q"] == ["tomatoes -other"]
    atom = client_without_session.get(atom_url)
    assert atom.status_code == 200
    entries = lxml.etree.fromstring(atom.content).xpath(
        "//a:entry", namespaces={"a": "http://www.w3.org/2005/Atom"}
    )
    assert len(entries) == 3
    # Names are unique per user; a bad search is refused with a message, not saved.
    again = post(ann_client, "/reader/search/save", {"q": "tomatoes", "name": "Tomatoes"})
    assert again.status_code == 303
    bad = post(ann_client, "/reader/search/save", {"q": '"unclosed', "name": "Bad"})
    assert bad.status_code == 303
    flashed = ann_client.get(bad.headers["location"]).text
    assert "Not saved" in flashed
    # A search too long to be one is refused, and the way back does not carry it.
    huge = post(ann_client, "/reader/search/save", {"q": "a" * 100_000, "name": "Huge"})
    assert (huge.status_code, huge.headers["location"]) == (303, "/reader/search")
    assert "too long" in ann_client.get(huge.headers["location"]).text
    assert [name for name, _, _ in _sidebar(ann_client)] == ["Tomatoes"]
    # Bob can neither see nor delete Ann's saved search.
    [mine] = store.saved_searches.of_user(ann)
    assert _sidebar(bob_client) == []
    delete = f"/reader/search/saved/{mine.id}/delete"
    assert post(bob_client, delete).status_code == 404
    assert post(ann_client, delete).status_code == 303
    assert _sidebar(ann_client) == []
    assert post(ann_client, delete).status_code == 404
