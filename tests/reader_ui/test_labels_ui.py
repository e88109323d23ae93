"""Labels in the reader: shown on entries (list and entry page), each a link to the list of
the reader's entries with that label; another reader's labels are neither shown nor listed."""

from __future__ import annotations

import lxml.html
from starlette.testclient import TestClient

from reader_ui.helpers import add_entries, post
from tidings.store import Store


def labels_of(html: str) -> dict[str, list[tuple[str, str]]]:
    """Each entry's labels on the page (data-entry -> [(name, href)])."""
    tree = lxml.html.fromstring(html)
    found: dict[str, list[tuple[str, str]]] = {}
    for node in tree.xpath("//*[@data-entry]"):
        links = node.xpath(".//ul[@class='entry-labels']//a")
        found[node.get("data-entry")] = [(a.text_content(), a.get("href")) for a in links]
    return found


def titles(html: str) -> list[str]:
    tree = lxml.html.fromstring(html)
    return [a.text_content() for a in tree.xpath("//a[@class='item-open']")]


def test_labels_are_shown_and_lead_to_their_list(
    ann_client: TestClient, store: Store, ann: int, bob: int
) -> None:
    sub = store.reading.subscribe(ann, "https://a.example/feed")
    store.reading.subscribe(bob, "https://a.example/feed")
    first, second, third = add_entries(store, sub.feed_id, 3, title="Alpha")
    store.labels.add(ann, [first, second], "Read later")
    store.labels.add(ann, [first], "a/b & c")
    store.labels.add(bob, [third], "bobs")

    page = ann_client.get("/reader")
    shown = labels_of(page.text)
    assert shown[str(first)] == [
        ("Read later", "/reader/labels/Read%20later?show=all"),
        ("a/b & c", "/reader/labels/a/b%20%26%20c?show=all"),
    ]
    assert shown[str(second)] == [("Read later", "/reader/labels/Read%20later?show=all")]
    assert shown[str(third)] == []  # Bob's label on the entry is his

    entry = ann_client.get(f"/reader/entries/{first}")
    assert [name for name, _ in labels_of(entry.text)[str(first)]] == ["Read later", "a/b & c"]

    later = ann_client.get("/reader/labels/Read%20later?show=all")
    assert later.status_code == 200
    assert titles(later.text) == ["Alpha 0", "Alpha 1"]
    assert "<h1>Label: Read later</h1>" in later.text
    assert "Mark all read" not in later.text  # no sweep of a label's list
    assert titles(ann_client.get("/reader/labels/a/b%20%26%20c?show=all").text) == ["Alpha 0"]
    # Opened from the label's list, an entry's neighbours are those of the list.
    opened = ann_client.get(f"/reader/entries/{first}?show=all&label=Read+later")
    older = lxml.html.fromstring(opened.text).xpath("string(//a[@rel='next']/@href)")
    assert older.startswith(f"/reader/entries/{second}?") and "label=Read+later" in older
    assert titles(ann_client.get("/reader/labels/bobs?show=all").text) == []
    assert ann_client.get("/reader/labels/" + "x" * 101).status_code == 400


def test_labels_are_put_on_and_taken_off_an_entry(
    ann_client: TestClient, store: Store, ann: int, bob: int
) -> None:
    sub = store.reading.subscribe(ann, "https://a.example/feed")
    [entry] = add_entries(store, sub.feed_id, 1)
    bob_sub = store.reading.subscribe(bob, "https://b.example/feed")
    [bobs_entry] = add_entries(store, bob_sub.feed_id, 1)
    here = f"/reader/entries/{entry}"

    added = post(ann_client, f"{here}/label", {"name": "  Read   later ", "next": here})
    assert added.status_code == 303 and added.headers["location"] == here
    assert store.labels.of_entries(ann, [entry]) == {entry: ("Read later",)}
    page = ann_client.get(here).text
    assert "Labelled Read later." in page
    assert [name for name, _ in labels_of(page)[str(entry)]] == ["Read later"]

    refused = post(ann_client, f"{here}/label", {"name": "x" * 101, "next": here})
    assert refused.status_code == 303
    assert "Not labelled: A label name has at most 100 characters." in ann_client.get(here).text
    assert store.labels.of_entries(ann, [entry]) == {entry: ("Read later",)}

    assert post(ann_client, f"{here}/unlabel", {"name": "Read later"}).status_code == 303
    assert store.labels.of_entries(ann, [entry]) == {}
    # Another reader's entry cannot be labelled.
    assert post(ann_client, f"/reader/entries/{bobs_entry}/label", {"name": "x"}).status_code == 404
    assert store.labels.of_entries(ann, [bobs_entry]) == {}


def test_search_results_show_labels_and_label_filters_a_search(
    ann_client: TestClient, store: Store, ann: int
) -> None:
    sub = store.reading.subscribe(ann, "https://a.example/feed")
    first, second = add_entries(store, sub.feed_id, 2, title="Alpha")
    store.labels.add(ann, [first], "keep")
    found = ann_client.get("/reader/search", params={"q": "gardens label:keep"})
    assert titles(found.text) == ["Alpha 0"]
    assert labels_of(found.text)[str(first)] == [("keep", "/reader/labels/keep?show=all")]
    without = ann_client.get("/reader/search", params={"q": "gardens -label:keep"})
    assert titles(without.text) == ["Alpha 1"]
    assert labels_of(without.text)[str(second)] == []
