"""The official Miniflux Python client against a real uvicorn serving tidings, with a feed served
on loopback and refreshed by the real Refresher: the first judge of compatibility."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import miniflux
import pytest
from api_support import PASSWORD

from support.fixtures import live_store as live_store
from support.live_server import serving, serving_pages
from tidings.accounts import create_user
from tidings.config import Settings, load_settings
from tidings.refresh.run import Refresher
from tidings.rules.model import MAX_RULES_PER_USER
from tidings.store import Store
from tidings.web.app import create_app

RSS = b"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Loopback news</title><link>http://example.org/</link>
<item><title>First</title><link>http://example.org/1</link><guid>one</guid>
<pubDate>Sat, 01 Mar 2025 10:00:00 GMT</pubDate>
<description>&lt;p&gt;one&lt;/p&gt;</description></item>
<item><title>Second</title><link>http://example.org/2</link><guid>two</guid>
<pubDate>Sat, 01 Mar 2025 11:00:00 GMT</pubDate>
<description>&lt;p&gt;two&lt;/p&gt;</description></item>
</channel></rss>
"""


@pytest.fixture
def feed_url() -> Iterator[str]:
    with serving_pages({"/feed.xml": (200, "application/rss+xml", RSS)}) as base:
        yield f"{base}/feed.xml"


@pytest.fixture
def live_url(live_store: Store) -> Iterator[str]:
    settings = Settings(secret_key="live", allow_private_networks=True)
    with serving(create_app(settings, live_store), probe="/v1/me") as server:
        yield server.url


def _refresh(store: Store) -> None:
    settings = load_settings(environ={}, allow_private_networks=True, parse_workers=1)

    async def run() -> None:
        async with Refresher(store, settings) as refresher:
            await refresher.refresh_due()

    asyncio.run(run())


def test_official_client_end_to_end(live_store: Store, live_url: str, feed_url: str) -> None:
    user = create_user(live_store, "reader", PASSWORD)
    _, token = live_store.api_keys.create(user.id, "miniflux client")
    client = miniflux.Client(live_url, api_key=token)
    assert client.me()["username"] == "reader"
    category = client.create_category("Loopback")
    assert category["title"] == "Loopback"
    feed_id = client.create_feed(feed_url, category_id=category["id"])
    assert client.get_feed(feed_id)["category"]["id"] == category["id"]
    with pytest.raises(miniflux.ClientError):
        client.create_feed(feed_url, category_id=category["id"])

    _refresh(live_store)

    unread = client.get_entries(status="unread", direction="desc", limit=10)
    assert unread["total"] == 2
    assert [e["title"] for e in unread["entries"]] == ["Second", "First"]
    assert client.get_feed_entries(feed_id)["total"] == 2
    assert client.get_category_entries(category["id"])["total"] == 2
    first, second = (e["id"] for e in unread["entries"])
    client.update_entries([first], status="read")
    assert client.get_entries(status="unread")["total"] == 1
    assert client.get_entry(first)["status"] == "read"
    client.toggle_bookmark(second)
    assert client.get_entries(starred=True)["entries"][0]["id"] == second
    client.toggle_bookmark(second)
    assert client.get_entries(starred=True)["total"] == 0
    counters = client.get_feed_counters()
    assert counters["unreads"] == {str(feed_id): 1}
    categories = (
        client.get_categories(with_counts=True) if _has_counts() else client.get_categories()
    )
    assert categories[0]["id"] == category["id"]
    opml = client.export_feeds()
    assert feed_url in opml and "Loopback" in opml
    client.mark_feed_entries_as_read(feed_id)
    assert client.get_entries(status="unread")["total"] == 0
    with pytest.raises(miniflux.ResourceNotFound):
        client.get_feed(feed_id + 1000)
    with pytest.raises(miniflux.AccessUnauthorized):
        miniflux.Client(live_url, api_key="wrong").me()
    basic = miniflux.Client(live_url, username="reader", password=PASSWORD)
    assert basic.get_feeds()[0]["id"] == feed_id
    client.delete_feed(feed_id)
    assert client.get_feeds() == []


def _has_counts() -> bool:
    import inspect

    return "with_counts" in inspect.signature(miniflux.Client.get_categories).parameters


def test_a_base_url_with_a_trailing_slash_works(live_store: Store, live_url: str) -> None:
    """Apps whose docs configure `https://site/` as base URL send `//v1/...` (the official Python
    client strips the slash; others do not): served as `/v1/...`, POSTs too."""
    user = create_user(live_store, "reader", PASSWORD)
    _, token = live_store.api_keys.create(user.id, "an app")
    headers = {"X-Auth-Token": token}
    base = live_url + "/"  # the app's configured base URL; it appends "/v1/..."
    with httpx.Client(headers=headers) as http:
        me = http.get(base + "/v1/me")
        assert me.request.url.path == "//v1/me"  # sent as the app sends it
        assert me.status_code == 200 and me.json()["username"] == "reader"
        made = http.post(base + "/v1/categories", json={"title": "Slashes"})
        assert made.status_code == 201, made.text
        assert [c["title"] for c in http.get(base + "//v1//categories").json()] == ["Slashes"]
        assert http.get(base + "/v1/feeds").json() == []


def test_block_and_keep_lists_through_the_official_client(
    live_store: Store, live_url: str, feed_url: str
) -> None:
    """A feed's blocklist_rules set by the client blocks the entries it matches at the next
    refresh, is echoed back, refuses a pattern tidings cannot run, and empties; the user's
    filter rules likewise (an administrator sets them, as in Miniflux)."""
    user = create_user(live_store, "reader", PASSWORD, is_admin=True)
    _, token = live_store.api_keys.create(user.id, "miniflux client")
    client = miniflux.Client(live_url, api_key=token)
    feed_id = client.create_feed(feed_url)

    updated = client.update_feed(feed_id, blocklist_rules="(?i)^first$")
    assert updated["blocklist_rules"] == "(?i)^first$"
    assert client.get_feed(feed_id)["blocklist_rules"] == "(?i)^first$"
    assert client.get_feed(feed_id)["keeplist_rules"] == ""
    with pytest.raises(miniflux.ClientError) as refused:
        client.update_feed(feed_id, blocklist_rules="(?<=x)y")
    assert refused.value.status_code == 400
    assert "only (?: ) groups" in refused.value.get_error_reason()

    _refresh(live_store)  # the refresher applies the rule to the entries it writes

    listed = client.get_entries(status=["read", "unread"])["entries"]
    assert [e["title"] for e in listed] == ["Second"]
    # An entry's feed is the feed GET /v1/feeds/{id} gives, its lists included: they were
    # empty there, and a client sending that feed back (PUT) emptied the feed's.
    assert listed[0]["feed"]["blocklist_rules"] == "(?i)^first$"
    assert client.get_entry(listed[0]["id"])["feed"]["blocklist_rules"] == "(?i)^first$"

    client.update_feed(feed_id, blocklist_rules="")
    assert client.get_feed(feed_id)["blocklist_rules"] == ""
    assert live_store.rules.of_user(user.id) == []

    rules_text = "EntryTitle=(?i)sponsored\nEntryURL=/ads/"
    me = client.update_user(user.id, block_filter_entry_rules=rules_text)
    assert me["block_filter_entry_rules"] == rules_text
    assert client.me()["block_filter_entry_rules"] == rules_text
    # The users' list gives each user's own lists (they were empty there: an admin's client
    # sending a user back would have emptied them), read for all users at once.
    other = create_user(live_store, "otherreader", PASSWORD)
    client.update_user(other.id, keep_filter_entry_rules="EntryTitle=(?i)rust")
    listed = {u["id"]: u for u in client.get_users()}
    assert listed[user.id]["block_filter_entry_rules"] == rules_text
    assert listed[user.id]["keep_filter_entry_rules"] == ""
    assert listed[other.id]["keep_filter_entry_rules"] == "EntryTitle=(?i)rust"
    assert listed[other.id]["block_filter_entry_rules"] == ""
    assert [r.query for r in live_store.rules.of_user(user.id)] == [
        "title:/sponsored/i",
        "url:/\\/ads\\//",
    ]
    with pytest.raises(miniflux.ClientError):
        client.update_user(user.id, keep_filter_entry_rules="EntryTag=x")
    # A filter is a rule a line, within a reader's limit of rules like any other.
    too_many = "\n".join(f"EntryTitle=word{n}" for n in range(MAX_RULES_PER_USER + 1))
    with pytest.raises(miniflux.ClientError, match=f"at most {MAX_RULES_PER_USER} rules") as no:
        client.update_user(user.id, block_filter_entry_rules=too_many)
    assert no.value.status_code == 400
    assert len(live_store.rules.of_user(user.id)) == 2  # nothing replaced


def test_crawler_and_scraper_rules_through_the_official_client(
    live_store: Store, live_url: str
) -> None:
    """A feed created with the crawler on and scraper rules gets, at the next refresh, the
    chosen part of its entry's page as the entry's content; a bad selector is a 400."""
    page = (
        b"<html><body><nav>Menu</nav><div class='story'><p>Barn owls hunt by sound.</p></div>"
        b"<footer>Footer</footer></body></html>"
    )
    pages: dict[str, tuple[int, str, bytes]] = {"/owls": (200, "text/html", page)}
    with serving_pages(pages) as base:
        pages["/feed.xml"] = (
            200,
            "application/rss+xml",
            RSS.replace(b"http://example.org/1", f"{base}/owls".encode()).replace(
                b"http://example.org/2", f"{base}/gone".encode()
            ),
        )
        user = create_user(live_store, "reader", PASSWORD)
        _, token = live_store.api_keys.create(user.id, "miniflux client")
        client = miniflux.Client(live_url, api_key=token)
        feed_id = client.create_feed(f"{base}/feed.xml", crawler=True, scraper_rules=".story")
        feed = client.get_feed(feed_id)
        assert (feed["crawler"], feed["scraper_rules"]) == (True, ".story")
        with pytest.raises(miniflux.ClientError) as refused:
            client.update_feed(feed_id, scraper_rules="div >")
        assert refused.value.status_code == 400
        assert "not valid CSS selectors" in refused.value.get_error_reason()

        _refresh(live_store)

    entries = {e["title"]: e for e in client.get_entries(status=["unread"])["entries"]}
    assert "Barn owls hunt by sound." in entries["First"]["content"]
    assert "Menu" not in entries["First"]["content"]
    assert entries["Second"]["content"] == "<p>two</p>"  # its page is a 404: no article
    assert "1 of 2 full articles could not be got" in (
        live_store.feeds.get(feed_id).article_error or ""
    )
    updated = client.update_feed(feed_id, crawler=False, scraper_rules="")
    assert (updated["crawler"], updated["scraper_rules"]) == (False, "")


def test_save_entry_queues_to_the_users_integrations(
    live_store: Store, live_url: str, feed_url: str
) -> None:
    from tidings.integrations.service import stored_config

    user = create_user(live_store, "saver", PASSWORD)
    _, token = live_store.api_keys.create(user.id, "miniflux client")
    client = miniflux.Client(live_url, api_key=token)
    client.create_feed(feed_url)
    _refresh(live_store)
    config = stored_config("live", "webhook", {"url": "http://127.0.0.1:9/", "secret": "s"})
    hook = live_store.integrations.create(user.id, "webhook", "hook", config)
    entry_id = client.get_entries(limit=1)["entries"][0]["id"]
    client.save_entry(entry_id)  # 202 (the client raises on anything else but 2xx)
    (queued,) = live_store.integrations.log(user.id)
    assert (queued.integration_id, queued.entry_id, queued.state) == (hook.id, entry_id, "queued")
    with pytest.raises(miniflux.ResourceNotFound):
        client.save_entry(entry_id + 1000)
