"""Control characters in stored feed data never break an output, nor reach a terminal raw.

The data is written through the store, as a refresh by an older parser (or a database filled
before the parser dropped such characters) left it: the outputs must cope with whatever is stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from lxml import etree
from starlette.testclient import TestClient

from reader_ui.helpers import user
from support.entries import apply_check
from tidings.model import EntryData
from tidings.store import Store

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
ESC = "\x1b"
# ESC (with the screen-clearing sequence it starts), vertical tab, form feed, DEL, NEL (C1).
CONTROLS = "\x1b[2J \x0b \x0c \x7f \x85"
FEED_TITLE = f"Harbour{ESC}[2J News\x0b desk"
ENTRY_TITLE = f"Ships{ESC}[31m sail\x0c at\x7f dawn\x85 today\uffff"
# What XML can carry of the titles: C0 controls and U+FFFF go; DEL, NEL and the words stay.
FEED_TITLE_XML = "Harbour[2J News desk"
ENTRY_TITLE_XML = "Ships[31m sail at\x7f dawn\x85 today"
CATEGORY = f"Sea{ESC}[1m lanes"


@dataclass(frozen=True)
class Hostile:
    feed_id: int
    category_id: int
    reader_token: str


@pytest.fixture
def hostile(store: Store) -> Hostile:
    """A public feed, its category and an entry whose every text field holds control characters,
    written after a decoy feed and category (ids that do not line up across tables), and a
    reader subscribed to it under a title and a category of their own with control characters."""
    store.feeds.add("https://decoy.example/feed.xml")
    store.categories.add("Decoy")
    feed = store.feeds.add("https://harbour.example/feed.xml")
    category = store.categories.set_for_feed(feed.id, [CATEGORY])[0]
    entry = EntryData(
        key="ship-1",
        title=ENTRY_TITLE,
        link="https://harbour.example/ships/1",
        author=f"Cap{ESC}[5mtain",
        summary=f"<p>Summary {CONTROLS} &#27;[2J end</p>",
        content=f"<p>Content {CONTROLS} end</p>",
        published_at=NOW,
        content_hash="h1",
        categories=(f"tag{ESC}one", "tag\x0btwo"),
    )
    apply_check(
        store,
        feed.id,
        (entry,),
        now=NOW,
        feed_title=FEED_TITLE,
        description=f"About{ESC}]0;pwned\x07 ships {CONTROLS}",
        site_url=f"https://harbour.example/{ESC}[2J",
        last_error=f"HTTP 500 {ESC}[2J{ESC}]0;owned\x07 server\nsaid no",
    )
    reader = user(store, "reader")
    store.reading.add_category(reader, "Decoy of mine")
    store.reading.subscribe(
        reader, feed.url, title=f"My{ESC}[2J harbour\x0c", categories=[f"Mine{ESC}x"]
    )
    _, token = store.api_keys.create(reader, "test")
    return Hostile(feed.id, category.id, token)


def _xml(response_body: bytes) -> etree._Element:
    return etree.fromstring(response_body, etree.XMLParser(resolve_entities=False))


def _texts(root: etree._Element, local_name: str) -> list[str]:
    return [el.text or "" for el in root.iter() if etree.QName(el).localname == local_name]


def _output_paths(hostile: Hostile) -> list[str]:
    paths = []
    for base in ("", f"/sources/{hostile.feed_id}", f"/categories/{hostile.category_id}"):
        paths += [f"{base}/feed.rss", f"{base}/feed.atom", f"{base}/feed.json"]
    return paths


def test_every_output_feed_is_served_and_parses(client: TestClient, hostile: Hostile) -> None:
    for path in _output_paths(hostile):
        response = client.get(path)
        assert response.status_code == 200, (path, response.text[:300])
        if path.endswith(".json"):
            document = json.loads(response.content)
            titles = [item["title"] for item in document["items"]]
            assert titles == [ENTRY_TITLE], path  # JSON carries every character, escaped
            assert ESC.encode() not in response.content  # as \u001b
            continue
        root = _xml(response.content)
        item_titles = _texts(root, "title")
        assert ENTRY_TITLE_XML in item_titles, (path, item_titles)
        if "/sources/" in path:
            assert FEED_TITLE_XML in item_titles, (path, item_titles)  # the channel's title
        if path.endswith(".atom"):
            terms = [el.get("term") for el in root.iter("{*}category")]
            assert terms == ["tagone", "tagtwo"], path
        body = b"".join(el.text.encode() for el in root.iter() if el.text)
        assert ESC.encode() not in body


def test_opml_is_served_and_keeps_the_visible_titles(client: TestClient, hostile: Hostile) -> None:
    response = client.get("/opml")
    assert response.status_code == 200, response.text[:300]
    root = _xml(response.content)
    outlines = {el.get("xmlUrl"): el for el in root.iter("outline") if el.get("xmlUrl")}
    harbour = outlines["https://harbour.example/feed.xml"]
    assert harbour.get("title") == FEED_TITLE_XML
    assert harbour.get("htmlUrl") == "https://harbour.example/[2J"
    folders = [el.get("text") for el in root.iter("outline") if not el.get("xmlUrl")]
    assert "Sea[1m lanes" in folders


def test_a_readers_opml_export_parses(client: TestClient, hostile: Hostile) -> None:
    response = client.get("/v1/export", headers={"X-Auth-Token": hostile.reader_token})
    assert response.status_code == 200, response.text[:300]
    root = _xml(response.content)
    titles = [el.get("title") for el in root.iter("outline")]
    assert "My[2J harbour" in titles and "Minex" in titles


def test_json_apis_escape_what_they_carry(client: TestClient, hostile: Hostile) -> None:
    headers = {"X-Auth-Token": hostile.reader_token}
    for path in ("/v1/feeds", "/v1/entries", "/v1/categories"):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.text[:300])
        json.loads(response.content)
        assert ESC.encode() not in response.content, path
