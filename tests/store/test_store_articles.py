"""Full-article settings in the store (store/articles.py, revision 0015): a subscription's
`crawler`, a feed's scraper rules and who may change them, and which new entries a crawl gets.
On both databases, with decoy rows so that no id of one kind equals one of another."""

from __future__ import annotations

from datetime import timedelta

import pytest

from support.decoys import NOW, make_decoys
from support.entries import apply_check
from tidings.errors import InvalidInput
from tidings.model import EntryData
from tidings.store import NotFound, Store
from tidings.store.articles import SHARED_RULES


def _users(store: Store) -> tuple[int, int, int]:
    make_decoys(store)
    ids = tuple(store.users.add(name, "!").id for name in ("ann", "bob", "root"))
    return ids[0], ids[1], ids[2]


def test_crawler_is_the_users_own_and_rules_are_the_feeds(store: Store) -> None:
    ann, bob, _ = _users(store)
    feed = store.reading.subscribe(ann, "https://owls.example/feed", crawler=True).feed_id
    assert feed not in (ann, bob)
    store.reading.update_subscription(ann, feed, scraper_rules="article .body")
    store.reading.subscribe(bob, "https://owls.example/feed")
    mine, theirs = store.reading.subscription(ann, feed), store.reading.subscription(bob, feed)
    assert (mine.crawler, theirs.crawler) == (True, False)
    assert mine.scraper_rules == theirs.scraper_rules == "article .body"
    store.reading.update_subscription(bob, feed, crawler=True)
    store.reading.update_subscription(ann, feed, crawler=False)
    assert not store.reading.subscription(ann, feed).crawler
    assert store.reading.subscription(bob, feed).crawler


def test_a_reader_changes_rules_only_of_a_feed_nobody_else_follows(store: Store) -> None:
    ann, bob, root = _users(store)
    feed = store.reading.subscribe(ann, "https://owls.example/feed").feed_id
    store.reading.update_subscription(ann, feed, scraper_rules=".post")
    store.reading.subscribe(bob, "https://owls.example/feed")
    for user in (ann, bob):
        with pytest.raises(InvalidInput, match="Only an administrator"):
            store.reading.update_subscription(user, feed, scraper_rules=".other")
        with pytest.raises(InvalidInput):
            store.reading.update_subscription(user, feed, scraper_rules=None)
        # The same rules again are no change: a client sends back the feed it was given.
        store.reading.update_subscription(user, feed, scraper_rules=".post", title="Mine")
    with pytest.raises(NotFound):  # through one's own subscription only, admin or not
        store.reading.update_subscription(root, feed, scraper_rules=".other", admin=True)
    store.reading.subscribe(root, "https://owls.example/feed")
    store.reading.update_subscription(root, feed, scraper_rules=".other", admin=True)
    assert store.reading.subscription(bob, feed).scraper_rules == ".other"
    store.reading.unsubscribe(root, feed)
    store.reading.unsubscribe(ann, feed)
    store.reading.update_subscription(bob, feed, scraper_rules=None)
    assert store.reading.subscription(bob, feed).scraper_rules is None


def test_a_refused_change_changes_nothing(store: Store) -> None:
    ann, bob, _ = _users(store)
    feed = store.reading.subscribe(ann, "https://owls.example/feed").feed_id
    store.reading.subscribe(bob, "https://owls.example/feed")
    with pytest.raises(InvalidInput, match=SHARED_RULES):
        store.reading.update_subscription(
            bob, feed, title="Renamed", crawler=True, scraper_rules=".x"
        )
    after = store.reading.subscription(bob, feed)
    assert (after.title, after.crawler, after.scraper_rules) == (None, False, None)
    # Subscribing with rules to a shared feed is refused as a whole: no subscription is left.
    carl = store.users.add("carl", "!").id
    with pytest.raises(InvalidInput):
        store.reading.subscribe(carl, "https://owls.example/feed", scraper_rules=".x")
    with pytest.raises(NotFound):
        store.reading.subscription(carl, feed)


def test_rules_of_a_public_feed_are_the_admins(store: Store) -> None:
    ann, _, _ = _users(store)
    public = store.feeds.add("https://site.example/feed")
    store.reading.subscribe(ann, public.url)
    with pytest.raises(InvalidInput):
        store.reading.update_subscription(ann, public.id, scraper_rules=".x")
    store.reading.update_subscription(ann, public.id, scraper_rules=".x", admin=True)
    assert store.feeds.get(public.id).scraper_rules == ".x"


def test_to_crawl_gives_one_checks_new_entries_when_someone_wants_them(store: Store) -> None:
    ann, bob, _ = _users(store)
    feed = store.reading.subscribe(ann, "https://owls.example/feed").feed_id
    store.reading.subscribe(bob, "https://owls.example/feed")
    old = tuple(
        EntryData(key=f"old{n}", title="o", link=f"https://owls.example/o{n}", content_hash="h")
        for n in range(2)
    )
    apply_check(store, feed, old, now=NOW, fetched=None)
    later = NOW + timedelta(hours=1)
    new = (EntryData(key="new", title="n", link="https://owls.example/n", content_hash="h"),)
    apply_check(store, feed, new, now=later, fetched=None)
    assert store.articles.to_crawl(feed, later) is None  # nobody has crawler on
    other = store.reading.subscribe(ann, "https://bats.example/feed", crawler=True).feed_id
    assert store.articles.wanted([feed, other, ann, bob]) == {other}
    store.reading.update_subscription(bob, feed, crawler=True)
    assert store.articles.wanted([feed, other]) == {feed, other}
    assert store.articles.wanted([]) == set()
    request = store.articles.to_crawl(feed, later)
    assert request is not None and request.rules is None
    assert [c.link for c in request.candidates] == ["https://owls.example/n"]
    (candidate,) = request.candidates
    assert store.entries.get(candidate.entry_id).feed_id == feed
    store.entries.set_full_content(candidate.entry_id, "<p>article</p>")
    assert store.articles.to_crawl(feed, later) == type(request)(feed, None, ())
    first = store.articles.to_crawl(feed, NOW)
    assert first is not None and len(first.candidates) == 2


def test_the_feeds_article_error_is_recorded_and_cleared(store: Store) -> None:
    ann, _, _ = _users(store)
    feed = store.reading.subscribe(ann, "https://owls.example/feed").feed_id
    store.articles.record_error(feed, "1 of 1 full articles could not be got.")
    assert store.reading.subscription(ann, feed).article_error == (
        "1 of 1 full articles could not be got."
    )
    assert store.feeds.get(feed).article_error == "1 of 1 full articles could not be got."
    store.articles.record_error(feed, None)
    assert store.reading.subscription(ann, feed).article_error is None
