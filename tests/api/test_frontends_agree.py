"""Issue 14, "Verified": the same scenarios through the four front ends, which must agree.

The app is built as `tidings serve` builds it (`server.build_app`, its real feed finder; no
background refresh) and driven in process through a TestClient, so subscribing really finds and
fetches feeds from a server on loopback (`serving_pages`), on SQLite and PostgreSQL. One reader
(after decoys, so no id of one table lines up with another's) has a login password (the web
reader), a Miniflux API key and an API password (Google Reader's ClientLogin, Fever's key).

Each front end is an adapter with the same methods, done the way that front end's clients do
them: the web reader's pages and forms, Miniflux v1's JSON, Google Reader's streams and tags,
Fever's id lists and marks. A front end without a way to do something (Fever cannot subscribe,
search or add a category; Google Reader cannot search) says so in `can`, and the scenarios that
need it are skipped for it; a scenario that merely needs feeds to exist subscribes through
Miniflux for such a front end.

Two kinds of test:
- `test_scenario`: every (scenario, front end) pair, each checked against the store's truth;
- `test_the_front_ends_leave_the_same_state`: one sequence through each front end, each in a
  fresh database; the store's state afterwards (subscriptions, unread and starred ids,
  categories) and what each front end answered must be the same for all four.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import httpx
import lxml.html
import pytest
import sqlalchemy as sa
from api_support import API_PASSWORD, PASSWORD
from starlette.testclient import TestClient

from support.databases import empty_postgres
from support.decoys import make_decoys
from support.fixtures import open_client
from support.forms import csrf_of, sign_in
from support.live_server import Page, serving_pages
from tidings.accounts import create_user
from tidings.config import Settings
from tidings.reading.limits import FEED_URL_RULE, MAX_CATEGORY_NAME, MAX_FEED_URL
from tidings.server import build_app
from tidings.store import Store
from tidings.store.apipasswords import fever_key
from tidings.store.schema import feeds as feeds_table

NAME = "reader"
PAGE_SIZE = 25  # the web reader's page (settings.page_size), Miniflux's `limit` in searches
WORD = "quokka"  # in every entry of the searched feed, in no other
SEARCHED = 60
NAME_RULE = f"A category name has at most {MAX_CATEGORY_NAME} characters."
LONG_NAME = "c" * (MAX_CATEGORY_NAME + 1)
NO_FEED = "is neither a feed nor a page that announces one"
BASE = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

# --- the pages on loopback ------------------------------------------------------------------


def rss(title: str, items: list[tuple[str, str, str]]) -> bytes:
    """An RSS 2.0 document of (guid, title, description) items, an hour apart, newest first."""
    parts = [f"<rss version='2.0'><channel><title>{escape(title)}</title>"]
    parts.append("<link>http://example.org/</link>")
    for n, (guid, item_title, text) in enumerate(items):
        published = format_datetime(BASE - timedelta(hours=n), usegmt=True)
        parts.append(
            f"<item><guid>{guid}</guid><title>{escape(item_title)}</title>"
            f"<link>http://example.org/{guid}</link><description>{escape(text)}</description>"
            f"<pubDate>{published}</pubDate></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode()


RSS_TYPE = "application/rss+xml"
HTML = "text/html; charset=utf-8"
NEWS_TITLES = ["Harbour reopens", "Bridge repainted", "Market moves"]
ANNOUNCED_TITLES = ["Announced one", "Announced two"]
# Every searched entry says the same words bar its number, so each ranks the same on both
# databases and ties go newest first, as Miniflux's `direction=desc` orders.
SEARCHED_ITEMS = [(f"q{n}", f"Sighting {n}", f"A {WORD} was seen near {n}.") for n in range(60)]
FAR_FEED = "/feeds/" + "x" * MAX_FEED_URL
# Fewer characters than the bound, more bytes: the bound is of what the database indexes.
LONG_TYPED = "/feeds/" + "é" * (MAX_FEED_URL // 2)
PAGES: dict[str, Page] = {
    "/feeds/news.xml": (
        200,
        RSS_TYPE,
        rss("Loopback news", [(f"n{i}", t, f"Story {i}.") for i, t in enumerate(NEWS_TITLES)]),
    ),
    "/feeds/announced.xml": (
        200,
        RSS_TYPE,
        rss("Announced", [(f"a{i}", t, "Told.") for i, t in enumerate(ANNOUNCED_TITLES)]),
    ),
    "/feeds/searched.xml": (200, RSS_TYPE, rss("Sightings", SEARCHED_ITEMS)),
    # Nothing is served at the usual places (/feed, /rss, /feed.xml...): a page that does not
    # announce a feed leads nowhere.
    "/site/": (
        200,
        HTML,
        b"<!doctype html><html><head><title>A site</title><link rel='alternate'"
        b" type='application/rss+xml' href='/feeds/announced.xml'></head><body>Hi</body></html>",
    ),
    "/blog/": (200, HTML, b"<!doctype html><html><head><title>A blog</title></head></html>"),
    # A page announcing a feed whose address is past the bound the store can index.
    "/far/": (
        200,
        HTML,
        b"<!doctype html><html><head><title>Far</title><link rel='alternate'"
        b" type='application/rss+xml' href='" + FAR_FEED.encode() + b"'></head></html>",
    ),
    FAR_FEED: (200, RSS_TYPE, rss("Far", [("f0", "Far away", "Here.")])),
}


@pytest.fixture(scope="module")
def origin() -> Iterator[str]:
    with serving_pages(PAGES) as base:
        yield base


# --- the four front ends --------------------------------------------------------------------

Refusal = str | None  # None: done; otherwise the sentence the front end answered with


class FrontEnd:
    """What a reader does, the way one front end's clients do it."""

    name = ""
    can: frozenset[str] = frozenset({"subscribe", "list", "mark", "search", "add_category"})

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def subscribe(self, url: str) -> Refusal:
        raise NotImplementedError

    def feeds(self) -> dict[int, str]:
        """The reader's subscriptions: feed id → feed URL."""
        raise NotImplementedError

    def entry_ids(
        self, unread_only: bool, feed: int | None = None, starred: bool = False
    ) -> set[int]:
        raise NotImplementedError

    def search(self, word: str, limit: int, offset: int) -> tuple[int | None, list[int]]:
        """(the total when the front end reports one, the page's ids in its order)."""
        raise NotImplementedError

    def mark_read(self, ids: list[int]) -> None:
        raise NotImplementedError

    def star(self, ids: list[int]) -> None:
        raise NotImplementedError

    def categories(self) -> list[str]:
        raise NotImplementedError

    def add_category(self, name: str, feed: int) -> Refusal:
        """A new category `name` with the reader's feed `feed` in it."""
        raise NotImplementedError


class Web(FrontEnd):
    """The reading UI: signed in through /login, forms with the session's CSRF token."""

    name = "web"

    def __init__(self, client: TestClient) -> None:
        super().__init__(client)
        sign_in(client, NAME, PASSWORD)
        self.csrf = csrf_of(client.get("/reader/subscriptions").text)

    def _page(self, path: str, **params: Any) -> Any:
        reply = self.client.get(path, params=params)
        assert reply.status_code == 200, (path, reply.text[:500])
        return lxml.html.fromstring(reply.text)

    def _post(self, path: str, data: dict[str, Any]) -> httpx.Response:
        reply: httpx.Response = self.client.post(
            path, data={**data, "csrf_token": self.csrf}, follow_redirects=False
        )
        return reply

    @staticmethod
    def _alert(html: str) -> str:
        alerts = lxml.html.fromstring(html).xpath("//p[@role='alert']")
        assert len(alerts) == 1, html[:2000]
        return str(alerts[0].text_content()).strip()

    def subscribe(self, url: str) -> Refusal:
        reply = self._post("/reader/subscriptions", {"url": url})
        if reply.status_code == 200:
            return self._alert(reply.text)
        assert reply.status_code == 303, reply.text[:500]
        landing = self._page(reply.headers["location"])
        said = " ".join(landing.xpath("//div[@class='messages']/p/text()"))
        assert said.startswith("Subscribed to "), said
        return None

    def feeds(self) -> dict[int, str]:
        rows = self._page("/reader/subscriptions").xpath("//table[@class='subscriptions']//th")
        found = {}
        for row in rows:
            href = row.xpath("string(a/@href)")
            if href:
                url = row.xpath("string(span[@class='hint'])").split(" · ")[0].strip()
                found[int(href.rsplit("/", 1)[1])] = url
        return found

    def entry_ids(
        self, unread_only: bool, feed: int | None = None, starred: bool = False
    ) -> set[int]:
        show = "starred" if starred else "unread" if unread_only else "all"
        url: str | None = f"/reader/feeds/{feed}" if feed else "/reader"
        found: list[int] = []
        params: dict[str, str] = {"show": show}
        while url:
            tree = self._page(url, **params)
            found += [int(i) for i in tree.xpath("//ol[@data-items]/li/@data-entry")]
            url, params = tree.xpath("string(//a[@rel='next']/@href)") or None, {}
        assert len(found) == len(set(found)), found
        return set(found)

    def search(self, word: str, limit: int, offset: int) -> tuple[int | None, list[int]]:
        assert limit == PAGE_SIZE and offset % limit == 0, "the web pages by settings.page_size"
        tree = self._page("/reader/search", q=word, page=offset // limit + 1)
        return None, [int(i) for i in tree.xpath("//ol[@data-items]/li/@data-entry")]

    def _each(self, ids: list[int], action: str) -> None:
        for entry_id in ids:
            reply = self._post(f"/reader/entries/{entry_id}/{action}", {"next": "/reader"})
            assert reply.status_code == 303, reply.text[:500]

    def mark_read(self, ids: list[int]) -> None:
        self._each(ids, "read")

    def star(self, ids: list[int]) -> None:
        self._each(ids, "star")

    def _category_ids(self) -> dict[str, int]:
        tree = self._page("/reader/categories")
        return {
            str(i.get("value")): int(str(i.get("id")).removeprefix("rename-"))
            for i in tree.xpath("//input[starts-with(@id, 'rename-')]")
        }

    def categories(self) -> list[str]:
        return sorted(self._category_ids())

    def add_category(self, name: str, feed: int) -> Refusal:
        reply = self._post("/reader/categories", {"name": name})
        if reply.status_code == 200:
            return self._alert(reply.text)
        assert reply.status_code == 303, reply.text[:500]
        # Then the feed goes in it, ticked on the subscription's page.
        category = self._category_ids()[name]
        filed = self._post(f"/reader/subscriptions/{feed}", {"title": "", "category": category})
        assert filed.status_code == 303, filed.text[:500]
        return None


class Miniflux(FrontEnd):
    """Miniflux v1 with the reader's API key."""

    name = "miniflux"

    def __init__(self, client: TestClient, token: str) -> None:
        super().__init__(client)
        self.headers = {"X-Auth-Token": token}

    def _call(self, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        reply = self.client.request(method, path, headers=self.headers, **kwargs)
        assert reply.status_code == status, (method, path, reply.status_code, reply.text)
        return reply.json() if reply.content else None

    def _refusal(self, method: str, path: str, ok: int, body: dict[str, Any]) -> Any:
        reply = self.client.request(method, path, headers=self.headers, json=body)
        if reply.status_code == ok:
            return reply.json()
        assert reply.status_code == 400, reply.text
        return str(reply.json()["error_message"])

    def subscribe(self, url: str) -> Refusal:
        reply = self._refusal("POST", "/v1/feeds", 201, {"feed_url": url})
        return reply if isinstance(reply, str) else None

    def feeds(self) -> dict[int, str]:
        return {f["id"]: f["feed_url"] for f in self._call("GET", "/v1/feeds")}

    def entry_ids(
        self, unread_only: bool, feed: int | None = None, starred: bool = False
    ) -> set[int]:
        params: dict[str, Any] = {"limit": 100, "offset": 0}
        if unread_only:
            params["status"] = "unread"
        if feed:
            params["feed_id"] = feed
        if starred:
            params["starred"] = "true"
        found: list[int] = []
        while True:
            page = self._call("GET", "/v1/entries", params=params)
            found += [e["id"] for e in page["entries"]]
            if not page["entries"] or len(found) >= page["total"]:
                break
            params["offset"] += params["limit"]
        assert len(found) == page["total"] == len(set(found)), (found, page["total"])
        return set(found)

    def search(self, word: str, limit: int, offset: int) -> tuple[int | None, list[int]]:
        params = {"search": word, "limit": limit, "offset": offset, "direction": "desc"}
        page = self._call("GET", "/v1/entries", params=params)
        return page["total"], [e["id"] for e in page["entries"]]

    def mark_read(self, ids: list[int]) -> None:
        self._call("PUT", "/v1/entries", 204, json={"entry_ids": ids, "status": "read"})

    def star(self, ids: list[int]) -> None:
        for entry_id in ids:  # the bookmark toggles: these are not starred yet
            self._call("PUT", f"/v1/entries/{entry_id}/bookmark", 204)

    def categories(self) -> list[str]:
        return sorted(c["title"] for c in self._call("GET", "/v1/categories"))

    def add_category(self, name: str, feed: int) -> Refusal:
        made = self._refusal("POST", "/v1/categories", 201, {"title": name})
        if isinstance(made, str):
            return made
        self._call("PUT", f"/v1/feeds/{feed}", 201, json={"category_id": made["id"]})
        return None


class GoogleReader(FrontEnd):
    """Google Reader, signed in through ClientLogin with the API password."""

    name = "greader"
    can = frozenset({"subscribe", "list", "mark", "add_category"})
    API = "/reader/api/0"
    STATE = "user/-/state/com.google/"
    LABEL = "user/-/label/"
    ITEM = "tag:google.com,2005:reader/item/"

    def __init__(self, client: TestClient) -> None:
        super().__init__(client)
        login = client.post("/accounts/ClientLogin", data={"Email": NAME, "Passwd": API_PASSWORD})
        assert login.status_code == 200, login.text
        auth = next(line[5:] for line in login.text.splitlines() if line.startswith("Auth="))
        self.headers = {"Authorization": f"GoogleLogin auth={auth}"}

    def _get(self, path: str, **params: Any) -> Any:
        reply = self.client.get(self.API + path, params=params, headers=self.headers)
        assert reply.status_code == 200, (path, reply.text)
        return reply.json()

    def _post(self, path: str, data: Any) -> httpx.Response:
        reply: httpx.Response = self.client.post(self.API + path, data=data, headers=self.headers)
        return reply

    def subscribe(self, url: str) -> Refusal:
        reply = self._post("/subscription/quickadd", {"quickadd": url})
        if reply.status_code == 400:
            assert reply.json()["numResults"] == 0, reply.text
            return str(reply.json()["error"])
        assert reply.status_code == 200 and reply.json()["numResults"] == 1, reply.text
        return None

    def feeds(self) -> dict[int, str]:
        subs = self._get("/subscription/list")["subscriptions"]
        return {int(s["id"].removeprefix("feed/")): s["url"] for s in subs}

    def entry_ids(
        self, unread_only: bool, feed: int | None = None, starred: bool = False
    ) -> set[int]:
        stream = f"feed/{feed}" if feed else self.STATE + ("starred" if starred else "reading-list")
        params: dict[str, Any] = {"s": stream, "n": 1000}
        if unread_only:
            params["xt"] = self.STATE + "read"
        if feed and starred:
            params["it"] = self.STATE + "starred"
        reply = self._get("/stream/items/ids", **params)
        assert "continuation" not in reply, reply
        found = [int(ref["id"]) for ref in reply["itemRefs"]]
        assert len(found) == len(set(found)), found
        return set(found)

    def _edit(self, ids: list[str], tag: str) -> None:
        reply = self._post("/edit-tag", {"i": ids, "a": self.STATE + tag})
        assert reply.status_code == 200 and reply.text == "OK", reply.text

    def mark_read(self, ids: list[int]) -> None:
        self._edit([f"{self.ITEM}{i:016x}" for i in ids], "read")  # the long form

    def star(self, ids: list[int]) -> None:
        self._edit([str(i) for i in ids], "starred")  # the decimal form

    def categories(self) -> list[str]:
        tags = self._get("/tag/list")["tags"]
        return sorted(t["id"].removeprefix(self.LABEL) for t in tags if t.get("type") == "folder")

    def add_category(self, name: str, feed: int) -> Refusal:
        """A label is made by putting a subscription under it."""
        data = {"ac": "edit", "s": f"feed/{feed}", "a": self.LABEL + name}
        reply = self._post("/subscription/edit", data)
        if reply.status_code == 400:
            return reply.text.strip()  # a line of plain text
        assert reply.status_code == 200 and reply.text == "OK", reply.text
        return None


class Fever(FrontEnd):
    """Fever with md5("name:API password"); it cannot subscribe, search or make groups."""

    name = "fever"
    can = frozenset({"list", "mark"})

    def __init__(self, client: TestClient) -> None:
        super().__init__(client)
        self.key = fever_key(NAME, API_PASSWORD)

    def _call(self, query: str, **data: Any) -> dict[str, Any]:
        reply = self.client.post(f"/fever/?api&{query}", data={"api_key": self.key, **data})
        assert reply.status_code == 200, reply.text
        body: dict[str, Any] = reply.json()
        assert body["auth"] == 1, body
        return body

    @staticmethod
    def _ids(text: str) -> set[int]:
        found = [int(i) for i in text.split(",") if i]
        assert len(found) == len(set(found)), text
        return set(found)

    def feeds(self) -> dict[int, str]:
        return {f["id"]: f["url"] for f in self._call("feeds")["feeds"]}

    def entry_ids(
        self, unread_only: bool, feed: int | None = None, starred: bool = False
    ) -> set[int]:
        if starred:
            found = self._ids(self._call("saved_item_ids")["saved_item_ids"])
        elif unread_only:
            found = self._ids(self._call("unread_item_ids")["unread_item_ids"])
        else:
            found = {i["id"] for i in self._items()}
        if feed:  # Fever's id lists are the user's all: a feed's are among its items
            found &= {i["id"] for i in self._items() if i["feed_id"] == feed}
        return found

    def _items(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        while True:
            page = self._call("items", since_id=items[-1]["id"] if items else 0)
            items += page["items"]
            if not page["items"]:
                assert len(items) == page["total_items"], (len(items), page["total_items"])
                return items

    def _mark(self, ids: list[int], state: str) -> None:
        for entry_id in ids:
            self._call("mark=item", **{"as": state, "id": entry_id})

    def mark_read(self, ids: list[int]) -> None:
        self._mark(ids, "read")

    def star(self, ids: list[int]) -> None:
        self._mark(ids, "saved")

    def categories(self) -> list[str]:
        return sorted(g["title"] for g in self._call("groups")["groups"])


CAN = {kind.name: kind.can for kind in (Web, Miniflux, GoogleReader, Fever)}
FRONT_ENDS = tuple(CAN)


@dataclass
class World:
    """One reader on a site built as `tidings serve` builds it, and the four front ends."""

    store: Store
    user_id: int
    origin: str
    front_ends: dict[str, FrontEnd]

    def __getitem__(self, name: str) -> FrontEnd:
        return self.front_ends[name]

    def doer(self, front_end: FrontEnd, what: str) -> FrontEnd:
        """The front end itself, or Miniflux for what it cannot do (Fever: subscribing)."""
        return front_end if what in front_end.can else self.front_ends["miniflux"]

    def url(self, path: str) -> str:
        return self.origin + path

    # The store's truth, to check a front end's answers against.

    def unread(self) -> set[int]:
        return set(self.store.reading.entry_ids(self.user_id, status="unread"))

    def starred(self) -> set[int]:
        return set(self.store.reading.entry_ids(self.user_id, starred=True))

    def titles(self, ids: set[int]) -> list[str]:
        found = self.store.reading.entries_by_id(self.user_id, ids=sorted(ids), limit=500)
        return sorted(e.entry.title for e in found)

    def subscriptions(self) -> list[tuple[int, str, str, list[str]]]:
        return [
            (s.feed_id, s.url, s.display_title, sorted(c.name for c in s.categories))
            for s in self.store.reading.subscriptions(self.user_id)
        ]

    def feed_rows(self) -> int:
        with self.store.engine.connect() as conn:
            return int(
                conn.execute(sa.select(sa.func.count()).select_from(feeds_table)).scalar_one()
            )


def site_settings(**overrides: Any) -> Settings:
    settings = Settings(
        secret_key="front ends agree",
        allow_private_networks=True,
        subscribe_timeout=5,
        page_size=PAGE_SIZE,
    )
    return replace(settings, **overrides)


@contextmanager
def world_of(store: Store, origin: str, settings: Settings) -> Iterator[World]:
    make_decoys(store)
    user = create_user(store, NAME, PASSWORD)
    store.api_passwords.set_api_password(user.id, NAME, API_PASSWORD)
    _, token = store.api_keys.create(user.id, "an app")
    app = build_app(settings, store, refresh=False)
    with ExitStack() as stack:
        # A client each (cookies of their own), as four apps would be.
        def client() -> TestClient:
            return stack.enter_context(open_client(app))

        front_ends: dict[str, FrontEnd] = {
            "web": Web(client()),
            "miniflux": Miniflux(client(), token),
            "greader": GoogleReader(client()),
            "fever": Fever(client()),
        }
        yield World(store, user.id, origin, front_ends)


# --- the scenarios --------------------------------------------------------------------------


def subscribe_ok(world: World, front_end: FrontEnd, path: str) -> int:
    """Subscribe (through Miniflux when the front end cannot); the new feed's id."""
    before = {s[0] for s in world.subscriptions()}
    assert world.doer(front_end, "subscribe").subscribe(world.url(path)) is None
    (added,) = {s[0] for s in world.subscriptions()} - before
    return added


def subscribe_a_feed(world: World, fe: FrontEnd) -> None:
    assert fe.subscribe(world.url("/feeds/news.xml")) is None
    (feed,) = fe.feeds()
    assert fe.feeds() == {feed: world.url("/feeds/news.xml")}
    # Listable at once: nothing refreshed it but the subscribing.
    listed = fe.entry_ids(unread_only=True, feed=feed)
    assert world.titles(listed) == sorted(NEWS_TITLES)
    assert listed == world.unread()
    assert fe.entry_ids(unread_only=True) == listed


def subscribe_a_page(world: World, fe: FrontEnd) -> None:
    assert fe.subscribe(world.url("/site/")) is None
    assert list(fe.feeds().values()) == [world.url("/feeds/announced.xml")]
    assert [s[1] for s in world.subscriptions()] == [world.url("/feeds/announced.xml")]
    assert world.titles(fe.entry_ids(unread_only=True)) == sorted(ANNOUNCED_TITLES)


def refuse_what_is_no_feed(world: World, fe: FrontEnd) -> None:
    rows = world.feed_rows()
    for path, why in (("/blog/", NO_FEED), ("/missing.xml", "404")):
        said = fe.subscribe(world.url(path))
        assert said is not None and why in said, (path, said)
        assert said.endswith("."), said  # a sentence
    assert fe.feeds() == {}
    assert world.subscriptions() == [] and world.feed_rows() == rows


def refuse_a_long_address(world: World, fe: FrontEnd) -> None:
    rows = world.feed_rows()
    assert len(LONG_TYPED) < MAX_FEED_URL < len(LONG_TYPED.encode())
    for path in (LONG_TYPED, "/far/"):
        said = fe.subscribe(world.url(path))
        assert said is not None and FEED_URL_RULE in said, (path[:20], said)
    assert fe.feeds() == {}
    assert world.subscriptions() == [] and world.feed_rows() == rows


def refuse_a_host_no_resolver_knows(world: World, fe: FrontEnd) -> None:
    rows = world.feed_rows()
    # IDNA maps U+2024 (one dot leader) to ".": the name is "..com", which the resolver
    # refused with a UnicodeError, not an OSError, and every front end answered 500.
    for url in ("http://\u2024.com/feed", "http://a\u3002\u3002b/", "http://a..b/"):
        said = fe.subscribe(url)
        assert said is not None and "cannot be looked up" in said, (url, said)
    assert fe.feeds() == {}
    assert world.subscriptions() == [] and world.feed_rows() == rows


def list_unread(world: World, fe: FrontEnd) -> None:
    news = subscribe_ok(world, fe, "/feeds/news.xml")
    announced = subscribe_ok(world, fe, "/site/")
    everything = fe.entry_ids(unread_only=True)
    assert everything == world.unread()
    assert world.titles(everything) == sorted(NEWS_TITLES + ANNOUNCED_TITLES)
    assert world.titles(fe.entry_ids(unread_only=True, feed=news)) == sorted(NEWS_TITLES)
    assert world.titles(fe.entry_ids(unread_only=True, feed=announced)) == sorted(ANNOUNCED_TITLES)
    assert fe.entry_ids(unread_only=False) == everything  # nothing read yet


def search_pages(world: World, fe: FrontEnd) -> None:
    subscribe_ok(world, fe, "/feeds/news.xml")  # no quokka there
    subscribe_ok(world, fe, "/feeds/searched.xml")
    pages = [fe.search(WORD, PAGE_SIZE, offset) for offset in (0, PAGE_SIZE, 2 * PAGE_SIZE)]
    assert [len(ids) for _, ids in pages] == [PAGE_SIZE, PAGE_SIZE, SEARCHED - 2 * PAGE_SIZE]
    totals = {total for total, _ in pages}
    assert totals == ({None} if fe.name == "web" else {SEARCHED}), totals
    found = [i for _, ids in pages for i in ids]
    assert len(set(found)) == SEARCHED
    assert world.titles(set(found)) == sorted(title for _, title, _ in SEARCHED_ITEMS)
    # Equal ranks, newest first: the last page is the ten oldest sightings.
    last = pages[2][1]
    assert world.titles(set(last)) == sorted(f"Sighting {n}" for n in range(50, 60))
    assert fe.search(WORD, PAGE_SIZE, 3 * PAGE_SIZE)[1] == []


def mark_and_star(world: World, fe: FrontEnd) -> None:
    subscribe_ok(world, fe, "/feeds/news.xml")
    unread = fe.entry_ids(unread_only=True)
    assert len(unread) == len(NEWS_TITLES)
    first, second, third = sorted(unread)
    fe.mark_read([first, second])
    assert fe.entry_ids(unread_only=True) == {third} == world.unread()
    fe.star([third])
    assert fe.entry_ids(unread_only=False, starred=True) == {third} == world.starred()
    assert fe.entry_ids(unread_only=True) == {third}  # starring is not reading


def add_categories(world: World, fe: FrontEnd) -> None:
    feed = subscribe_ok(world, fe, "/feeds/news.xml")
    assert fe.categories() == []
    assert fe.add_category("Reading", feed) is None
    assert fe.categories() == ["Reading"]
    assert [s[3] for s in world.subscriptions()] == [["Reading"]]
    assert fe.add_category(LONG_NAME, feed) == NAME_RULE
    assert fe.categories() == ["Reading"]
    assert [c.name for c in world.store.reading.categories(world.user_id)] == ["Reading"]
    assert [s[3] for s in world.subscriptions()] == [["Reading"]]


def subscription_limit(world: World, fe: FrontEnd) -> None:
    assert fe.subscribe(world.url("/feeds/news.xml")) is None
    assert fe.subscribe(world.url("/site/")) == "You have reached the limit of 1 subscriptions."
    assert list(fe.feeds().values()) == [world.url("/feeds/news.xml")]
    assert [s[1] for s in world.subscriptions()] == [world.url("/feeds/news.xml")]


@dataclass(frozen=True)
class Scenario:
    name: str
    run: Callable[[World, FrontEnd], None]
    needs: frozenset[str]
    settings: dict[str, Any] = field(default_factory=dict)


SCENARIOS = [
    Scenario("subscribe to a feed", subscribe_a_feed, frozenset({"subscribe", "list"})),
    Scenario("subscribe to a page", subscribe_a_page, frozenset({"subscribe", "list"})),
    Scenario("refuse what is no feed", refuse_what_is_no_feed, frozenset({"subscribe"})),
    Scenario("refuse a long address", refuse_a_long_address, frozenset({"subscribe"})),
    Scenario("refuse a host name", refuse_a_host_no_resolver_knows, frozenset({"subscribe"})),
    Scenario("list unread", list_unread, frozenset({"list"})),
    Scenario("search with paging", search_pages, frozenset({"search"})),
    Scenario("mark read and star", mark_and_star, frozenset({"list", "mark"})),
    Scenario("categories", add_categories, frozenset({"add_category"})),
    Scenario(
        "subscription limit",
        subscription_limit,
        frozenset({"subscribe"}),
        {"max_subscriptions_per_user": 1},
    ),
]


def _cases() -> list[Any]:
    """Each scenario with each front end that can do what it needs (Fever cannot subscribe,
    search or add a category; Google Reader cannot search): not generated, rather than skipped."""
    return [
        pytest.param(scenario, name, id=f"{scenario.name}-{name}")
        for scenario in SCENARIOS
        for name in FRONT_ENDS
        if scenario.needs <= CAN[name]
    ]


@pytest.mark.parametrize(("scenario", "front_end"), _cases())
def test_scenario(store: Store, origin: str, scenario: Scenario, front_end: str) -> None:
    with world_of(store, origin, site_settings(**scenario.settings)) as world:
        scenario.run(world, world[front_end])


# --- the same sequence through each front end leaves the same state ------------------------


def sequence(world: World, fe: FrontEnd) -> dict[str, object]:
    """What a reader does in a first session; what the front end answered, by step (only the
    steps it did itself: Fever subscribes and files feeds through Miniflux)."""
    said: dict[str, object] = {}

    def step(name: str, what: str, action: Callable[[FrontEnd], object]) -> object:
        doer = world.doer(fe, what)
        answer = action(doer)
        if doer is fe:
            said[name] = answer
        return answer

    step("subscribe to a feed", "subscribe", lambda f: f.subscribe(world.url("/feeds/news.xml")))
    step("subscribe to a page", "subscribe", lambda f: f.subscribe(world.url("/site/")))
    step("a page without a feed", "subscribe", lambda f: f.subscribe(world.url("/blog/")))
    step("a 404", "subscribe", lambda f: f.subscribe(world.url("/missing.xml")))
    step("over the limit", "subscribe", lambda f: f.subscribe(world.url("/feeds/searched.xml")))
    feeds = fe.feeds()
    said["feeds"] = feeds
    news = next(i for i, url in feeds.items() if url.endswith("/feeds/news.xml"))
    unread = fe.entry_ids(unread_only=True)
    said["unread"] = sorted(unread)
    said["unread of the news"] = news_unread = sorted(fe.entry_ids(unread_only=True, feed=news))
    fe.mark_read(news_unread[:2])
    fe.star(sorted(unread)[-1:])
    said["unread after marking"] = sorted(fe.entry_ids(unread_only=True))
    said["starred"] = sorted(fe.entry_ids(unread_only=False, starred=True))
    step("add a category", "add_category", lambda f: f.add_category("Reading", news))
    step("a long category", "add_category", lambda f: f.add_category(LONG_NAME, news))
    said["categories"] = fe.categories()
    return said


@dataclass(frozen=True)
class State:
    """What the store holds for the reader after a sequence."""

    subscriptions: list[tuple[int, str, str, list[str]]]  # id, URL, title, categories
    unread: list[int]
    starred: list[int]
    categories: list[str]


def state(world: World) -> State:
    return State(
        subscriptions=world.subscriptions(),
        unread=sorted(world.unread()),
        starred=sorted(world.starred()),
        categories=sorted(c.name for c in world.store.reading.categories(world.user_id)),
    )


def fresh_database(request: pytest.FixtureRequest, database_url: str, name: str) -> str:
    """An empty migrated database for one run: a copy of the template on SQLite, the run's
    schema emptied (ids restarted) on PostgreSQL."""
    if database_url.startswith("sqlite"):
        path = Path(database_url.removeprefix("sqlite:///")).with_name(f"{name}.db")
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    empty_postgres(database_url)
    return database_url


def test_the_front_ends_leave_the_same_state(
    request: pytest.FixtureRequest, database_url: str, origin: str
) -> None:
    states: dict[str, State] = {}
    answers: dict[str, dict[str, object]] = {}
    for name in FRONT_ENDS:
        url = fresh_database(request, database_url, name)
        with (
            Store.open(url) as store,
            world_of(store, origin, site_settings(max_subscriptions_per_user=2)) as world,
        ):
            answers[name] = sequence(world, world[name])
            states[name] = state(world)
    # The state is what was asked for...
    web = states["web"]
    assert [s[1:] for s in web.subscriptions] == [
        (f"{origin}/feeds/announced.xml", "Announced", []),  # by title
        (f"{origin}/feeds/news.xml", "Loopback news", ["Reading"]),
    ]
    assert len(web.unread) == len(NEWS_TITLES) + len(ANNOUNCED_TITLES) - 2
    assert len(web.starred) == 1 and web.categories == ["Reading"]
    # ...and the same whichever front end asked.
    for name in FRONT_ENDS[1:]:
        assert states[name] == web, name
    for step in answers["web"]:
        told = {name: answers[name][step] for name in FRONT_ENDS if step in answers[name]}
        assert all(answer == told["web"] for answer in told.values()), (step, told)
    assert answers["web"]["a long category"] == NAME_RULE
    assert answers["web"]["over the limit"] == "You have reached the limit of 2 subscriptions."
