"""The refresher's full articles (refresh/articles.py) against a loopback server, on both
databases: a feed a subscriber has `crawler` on for gets the articles of its new entries (not of
the entries it had), through scraper rules when the feed has some; a failing page is recorded on
the feed and not asked again; a slow article page holds no feed's check."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import UTC, datetime, timedelta

from pipeline_support import Doc, FeedServer, Item, RequestHandler, make_settings, refresh, rss

from support.decoys import make_decoys
from tidings.refresh.run import Refresher
from tidings.store import Store

NOW = datetime.now(UTC).replace(microsecond=0)
HTML = "text/html; charset=utf-8"
STORY = "Owls hunt at night by sound alone, even under a deep layer of fresh snow. "


def page(words: str) -> Doc:
    """An article page: a menu, an ad, the story (in `.story`) and comments."""
    body = (
        "<html><head><title>Owls</title></head><body><nav><a href='/'>Home</a> News</nav>"
        "<div class='ad'>Buy the owl calendar now</div><article><h1>Owls</h1>"
        f"<div class='story'>{''.join(f'<p>{words} {n}</p>' for n in range(6))}</div>"
        "</article><div class='comments'>First comment!</div></body></html>"
    )
    return Doc(body.encode(), content_type=HTML)


def item(server: FeedServer, n: int) -> Item:
    return Item(f"g{n}", f"Owls {n}", NOW - timedelta(minutes=n), link=server.url(f"/a/{n}"))


def subscribed(store: Store, url: str, *, crawler: bool, rules: str | None = None) -> int:
    """A reader's subscription to `url` (after the decoy rows): the feed's id."""
    make_decoys(store)
    reader = store.users.add("reader", "!").id
    feed = store.reading.subscribe(reader, url, crawler=crawler, scraper_rules=rules).feed_id
    assert feed != reader
    return feed


def articles(store: Store, feed_id: int) -> dict[str, str | None]:
    """The stored article of each of the feed's entries, by link path."""
    return {
        (e.link or "").split("/", 3)[3]: e.full_content
        for e in store.entries.newest(feed_id=feed_id, limit=100, include_private=True)
    }


def test_new_entries_get_their_article_and_the_entries_before_do_not(
    store: Store, feed_server: FeedServer
) -> None:
    for n in range(4):
        feed_server.routes[f"/a/{n}"] = page(STORY)
    feed_server.routes["/feed"] = Doc(rss([item(feed_server, 1), item(feed_server, 2)]))
    feed_id = subscribed(store, feed_server.url("/feed"), crawler=False)
    settings = make_settings()

    refresh(store, settings, [feed_id])  # the first check, before anyone wants articles
    assert set(articles(store, feed_id).values()) == {None}
    reader = store.users.credentials("reader")
    assert reader is not None
    store.reading.update_subscription(reader[0].id, feed_id, crawler=True)
    new = [item(feed_server, n) for n in (0, 1, 2)]
    feed_server.routes["/feed"] = Doc(rss(new))
    store.feeds.schedule_now([feed_id])

    summary = refresh(store, settings, [feed_id])  # leaving the Refresher waits for the articles

    assert (summary.new_entries, summary.errors) == (1, 0)
    stored = articles(store, feed_id)
    assert stored["a/1"] is None and stored["a/2"] is None
    assert stored["a/0"] is not None and "Owls hunt at night" in stored["a/0"]
    assert "Buy the owl calendar" not in stored["a/0"]  # trafilatura's main content
    assert (feed_server.counts["/a/0"], feed_server.counts["/a/1"]) == (1, 0)
    assert store.feeds.get(feed_id).article_error is None
    # The feed's own content is kept beside the article, and the article is searchable.
    (entry,) = [
        e for e in store.entries.newest(feed_id=feed_id, include_private=True) if e.key == "g0"
    ]
    assert entry.content or entry.summary
    hits = store.search.search(reader[0].id, "snow")
    assert [hit.entry.entry.id for hit in hits] == [entry.id]

    store.feeds.schedule_now([feed_id])
    refresh(store, settings, [feed_id])  # the same document: no new entry, no page asked again
    assert feed_server.counts["/a/0"] == 1


def test_scraper_rules_choose_the_article(store: Store, feed_server: FeedServer) -> None:
    feed_server.routes["/a/0"] = page("Short words here.")
    feed_server.routes["/feed"] = Doc(rss([item(feed_server, 0)]))
    feed_id = subscribed(store, feed_server.url("/feed"), crawler=True, rules=".story, .ad")

    refresh(store, make_settings(), [feed_id])

    article = articles(store, feed_id)["a/0"]
    assert article is not None
    assert "Short words here. 5" in article and "Buy the owl calendar" in article
    assert "Home" not in article and "First comment" not in article and "<h1>" not in article
    assert article.index("Buy the owl") < article.index("Short words")  # the page's order


def test_a_failing_page_is_recorded_and_not_asked_again(
    store: Store, feed_server: FeedServer
) -> None:
    feed_server.routes["/a/0"] = page(STORY)
    feed_server.routes["/a/2"] = page("Nothing the rules want.")
    # /a/1 has no route: a 404.
    feed_server.routes["/feed"] = Doc(rss([item(feed_server, n) for n in range(3)]))
    feed_id = subscribed(store, feed_server.url("/feed"), crawler=True, rules=".story")
    settings = make_settings()

    summary = refresh(store, settings, [feed_id])

    assert (summary.new_entries, summary.errors) == (3, 0)  # the feed's check is fine
    stored = articles(store, feed_id)
    assert stored["a/0"] is not None and stored["a/1"] is None
    error = store.feeds.get(feed_id).article_error
    assert error is not None and error.startswith("1 of 3 full articles could not be got")
    assert feed_server.url("/a/1") in error and "404" in error
    assert store.feeds.get(feed_id).last_error is None
    store.feeds.schedule_now([feed_id])
    refresh(store, settings, [feed_id])
    assert feed_server.counts["/a/1"] == 1


def test_a_slow_article_page_holds_no_other_feeds_check(
    store: Store, feed_server: FeedServer
) -> None:
    release = threading.Event()

    def slow_page(request: RequestHandler) -> None:
        # Answers once the test has seen the other feed's entries stored (or the server stops).
        while not release.wait(0.05) and not request.server.owner.stopping.is_set():
            pass
        request.serve_doc(page(STORY))

    feed_server.routes["/a/0"] = slow_page
    feed_server.routes["/slow-site"] = Doc(rss([item(feed_server, 0)]))
    feed_server.routes["/other"] = Doc(rss([Item("o1", "Other", NOW)]))
    slow = subscribed(store, feed_server.url("/slow-site"), crawler=True)
    settings = make_settings()

    async def run() -> None:
        async with Refresher(store, settings) as refresher:
            # The first round checks the slow site; its article page does not answer.
            await asyncio.wait_for(refresher.refresh_due([slow]), 30)
            deadline = time.monotonic() + 30
            while feed_server.counts["/a/0"] == 0:  # the article's request has started
                assert time.monotonic() < deadline
                await asyncio.sleep(0.01)
            # Another feed's check, meanwhile, is done and stored within its own time.
            other = store.feeds.add(feed_server.url("/other"))
            summary = await asyncio.wait_for(refresher.refresh_due([other.id]), 30)
            assert (summary.feeds, summary.new_entries) == (1, 1)
            stored = store.entries.newest(feed_id=other.id, include_private=True)
            assert [e.title for e in stored] == ["Other"]
            assert articles(store, slow)["a/0"] is None  # still waiting for its page
            release.set()
            await asyncio.wait_for(refresher.wait_for_articles(), 30)
            assert articles(store, slow)["a/0"] is not None

    try:
        asyncio.run(run())
    finally:
        release.set()


def test_a_hubs_push_gets_the_articles_of_its_new_entries_too(
    store: Store, feed_server: FeedServer
) -> None:
    feed_server.routes["/a/0"] = page("Pushed words.")
    feed_id = subscribed(store, feed_server.url("/pushed"), crawler=True, rules=".story")

    async def run() -> int:
        async with Refresher(store, make_settings()) as refresher:
            return await refresher.deliver(
                feed_id, rss([item(feed_server, 0)]), "application/rss+xml"
            )

    assert asyncio.run(run()) == 1
    article = articles(store, feed_id)["a/0"]
    assert article is not None and "Pushed words. 0" in article
