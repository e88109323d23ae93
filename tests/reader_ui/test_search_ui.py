"""Search: ranked results with marked snippets, errors as messages, results as feeds."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import lxml.etree
import lxml.html
from starlette.testclient import TestClient

from reader_ui.helpers import add_entries, post
from tidings.store import Store


def test_results_are_ranked_and_marked(ann_client: TestClient, store: Store, ann: int) -> None:
    sub = store.reading.subscribe(ann, "https://a.example/feed")
    add_entries(store, sub.feed_id, 2, title="Tomatoes <b>&</b> more")
    add_entries(store, sub.feed_id, 1, title="Unrelated", prefix="x-")
    page = ann_client.get("/reader/search", params={"q": "tomatoes"})
    assert page.status_code == 200
    tree = lxml.html.fromstring(page.text)
    results = tree.xpath("//ol[contains(@class, 'results')]/li")
    # Title matches rank first; every entry's text mentions tomatoes.
    assert len(results) == 3
    first_title = results[0].xpath(".//a[@class='item-open']")[0]
    assert first_title.xpath("string(mark)").lower() == "tomatoes"
    # The entry title's markup is text, never HTML: only <mark> is an element.
    assert {e.tag for e in first_title.iter()} <= {"a", "mark"}
    assert "<b>&</b>" in first_title.text_content()
    snippet = results[0].xpath(".//p[@class='snippet']")[0]
    assert [m.text.lower() for m in snippet.xpath("mark")] == ["tomatoes"]
    feeds = tree.xpath("//head/link[@rel='alternate']/@href")
    assert feeds == [f"/reader/search.{ext}?q=tomatoes" for ext in ("rss", "atom", "json")]
    nothing = ann_client.get("/reader/search", params={"q": "cucumbers"})
    assert "Nothing in your feeds matches" in nothing.text
    assert ann_client.get("/reader/search").status_code == 200


def test_malformed_queries_show_their_message(ann_client: TestClient) -> None:
    for query, message in (
        ('"unclosed', "missing its closing quote"),
        ("color:red", "unknown filter color:"),
        ("after:2024-13-01 x", "needs a date"),
        ("is:starred", "type a word or a phrase"),
        ("x" * 501, "too long"),
    ):
        page = ann_client.get("/reader/search", params={"q": query})
        assert page.status_code == 200, query
        alert = lxml.html.fromstring(page.text).xpath("string(//p[@role='alert'])")
        assert message in alert, (query, alert)
    assert ann_client.get("/reader/search?q=x&page=0").status_code == 400
    assert ann_client.get("/reader/search.rss?q=color:red").status_code == 400
    assert ann_client.get("/reader/search.xml?q=x").status_code == 404


def test_search_pages(ann_client: TestClient, store: Store, ann: int) -> None:
    sub = store.reading.subscribe(ann, "https://a.example/feed")
    add_entries(store, sub.feed_id, 25)
    first = lxml.html.fromstring(ann_client.get("/reader/search?q=gardens").text)
    assert len(first.xpath("//ol/li")) == 20
    more = first.xpath("string(//a[@rel='next']/@href)")
    assert more == "/reader/search?q=gardens&page=2"
    second = lxml.html.fromstring(ann_client.get(more).text)
    assert len(second.xpath("//ol/li")) == 5


def test_help_page_documents_the_syntax_and_keys(ann_client: TestClient) -> None:
    text = lxml.html.fromstring(ann_client.get("/reader/help").text).text_content()
    for piece in ('"memory safety"', "feed:lobsters", "category:tech", "is:starred", "after:"):
        assert piece in text
    assert "next / previous entry" in text and "Get a link for feed readers" in text


def test_search_feeds_with_a_feed_link_or_the_session(
    ann_client: TestClient, client_without_session: TestClient, store: Store, ann: int
) -> None:
    sub = store.reading.subscribe(ann, "https://a.example/feed", title="Garden log")
    add_entries(store, sub.feed_id, 3)
    _, api_token = store.api_keys.create(ann, "an app")
    # Signed in: the session is enough.
    rss = ann_client.get("/reader/search.rss?q=tomatoes")
    assert rss.status_code == 200 and rss.headers["content-type"].startswith("application/rss")
    assert rss.headers["cache-control"] == "private, no-cache" and "etag" in rss.headers
    # A feed reader: no cookie; an API key is no credential here (it would sit in access logs).
    anonymous = client_without_session
    assert anonymous.get("/reader/search.rss?q=tomatoes").status_code == 403
    assert anonymous.get("/reader/search.rss?q=tomatoes&token=wrong").status_code == 403
    keyed = anonymous.get("/reader/search.rss", params={"q": "tomatoes", "key": api_token})
    assert keyed.status_code == 403
    # The results page makes a feed link for the search; the link page shows it once.
    page = post(ann_client, "/reader/search/link", {"q": "tomatoes"})
    assert page.status_code == 200
    links = lxml.html.fromstring(page.text).xpath("//input[@class='token-value']/@value")
    atom_url = next(u for u in links if "/reader/search.atom?" in u)
    token = parse_qs(urlsplit(atom_url).query)["token"][0]
    atom = anonymous.get(atom_url)
    assert atom.status_code == 200
    tree = lxml.etree.fromstring(atom.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert len(tree.xpath("//a:entry", namespaces=ns)) == 3
    assert tree.xpath("string(//a:entry/a:source/a:title)", namespaces=ns) == "Garden log"
    assert token not in atom.text  # the token never appears in the document
    data = json.loads(
        anonymous.get("/reader/search.json", params={"q": "tomatoes", "token": token}).text
    )
    assert len(data["items"]) == 3 and "search for tomatoes" in data["title"]
    assert store.feed_tokens.of_user(ann)[0].last_used_at is not None
    # Scoped to its search: another search with the same token is refused.
    other = anonymous.get("/reader/search.rss", params={"q": "gardens", "token": token})
    assert other.status_code == 403
    # Listed on /account/keys with its last use, and revocable from there.
    link = store.feed_tokens.of_user(ann)[0]
    keys = lxml.html.fromstring(ann_client.get("/account/keys").text)
    [row] = keys.xpath("//table[@class='feed-tokens']//tr[th[@scope='row']]")
    assert row.xpath("string(th)") == "tomatoes" and "never" not in row.text_content()
    assert row.xpath(".//form/@action") == [f"/account/feed-links/{link.id}/revoke"]
    # A revoked link stops working.
    assert post(ann_client, f"/account/feed-links/{link.id}/revoke").status_code == 303
    assert anonymous.get(atom_url).status_code == 403
