"""The seed: a source page equivalent to the Drupal Aggregator page of the NATO News feed."""

from __future__ import annotations

from datetime import UTC, datetime

import lxml.html
from starlette.testclient import TestClient

from tidings.store import Store
from web.seed import FEED_DESCRIPTION, SEED_FILE, build_nato_feed


def visible_text(html: str) -> str:
    """The page's text as a reader sees it: tags stripped, whitespace normalised."""
    tree = lxml.html.fromstring(html)
    for hidden in tree.xpath("//head | //script | //style"):
        hidden.drop_tree()
    return " ".join(tree.text_content().split())


def assert_in_order(text: str, lines: list[str]) -> None:
    position = 0
    for line in lines:
        found = text.find(line, position)
        assert found >= 0, f"{line!r} missing after position {position}: …{text[position:][:300]}"
        position = found + len(line)


def test_source_page_shows_the_seed_lines_in_order(client: TestClient, store: Store) -> None:
    feed_id, items = build_nato_feed(store, datetime.now(UTC))
    response = client.get(f"/sources/{feed_id}")
    assert response.status_code == 200
    seed_lines = [
        line.strip() for line in SEED_FILE.read_text("utf-8").splitlines() if line.strip()
    ]
    expected = [part for item in items for part in item] + [
        "1 hour 50 minutes ago",
        FEED_DESCRIPTION,
        "Subscribe to NATO News feed",
    ]
    assert expected == seed_lines  # the records rebuild exactly the seed's lines
    assert_in_order(visible_text(response.text), expected)


def test_seed_page_links_and_markup(client: TestClient, store: Store) -> None:
    feed_id, items = build_nato_feed(store, datetime.now(UTC))
    tree = lxml.html.fromstring(client.get(f"/sources/{feed_id}").text)
    titles = tree.xpath("//article//h3/a")
    assert [a.text_content() for a in titles] == [title for title, _, _ in items]
    assert titles[0].get("href").startswith("https://www.nato.int/")
    times = tree.xpath("//article//time/@datetime")
    assert len(times) == 6 and all(t.endswith("Z") for t in times)
    subscribe = tree.xpath("//a[contains(., 'Subscribe to NATO News feed')]")[0]
    assert subscribe.get("href") == "https://www.nato.int/cps/rss/en/natohq/rssFeed.xsl/rssFeed.xml"
    image_link = tree.xpath("//img[@alt='NATO News']/..")[0]
    assert image_link.get("href") == "https://www.nato.int/"
    types = tree.xpath("//head/link[@rel='alternate']/@type")
    assert types == ["application/rss+xml", "application/atom+xml", "application/feed+json"]
