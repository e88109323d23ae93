"""Rules applied by the refresher to the entries it writes, on SQLite and PostgreSQL, through a
real Refresher over a loopback feed; ids never line up across tables (decoys first)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from pipeline_support import Doc, FeedServer, Item, make_settings, refresh, rss

from support.decoys import make_decoys
from tidings.model import EntryData
from tidings.reading.filters import EntryFilter
from tidings.refresh.run import Refresher
from tidings.rules.model import Rule, RuleDraft, checked_rule
from tidings.store import Store, updates
from tidings.store.schema import entries, entry_labels, feeds, rules, users
from tidings.store.updates import UpdateBatch

NOW = datetime.now(UTC)
TITLES = [
    "Rust 1.80 released",
    "Big SALE today",
    "Weekly digest",
    "Sponsored: buy now",
    "Other news",
]


def add_rule(store: Store, user_id: int, draft: RuleDraft, *, admin: bool = False) -> None:
    store.rules.add(user_id, checked_rule(draft, is_admin=admin))


def titles(store: Store, user_id: int, **kw: object) -> list[str]:
    found = store.reading.entries(user_id, EntryFilter(**kw), limit=100)  # type: ignore[arg-type]
    return sorted(e.entry.title for e in found)


def test_rules_act_on_new_entries_in_the_refresh_that_writes_them(
    store: Store, feed_server: FeedServer
) -> None:
    make_decoys(store)
    admin = store.users.add("admin", "x", is_admin=True).id
    ann = store.users.add("ann", "x").id
    bob = store.users.add("bob", "x").id
    items = [
        Item(f"g{i}", title, NOW - timedelta(minutes=i), description=f"<p>About {title}.</p>")
        for i, title in enumerate(TITLES)
    ]
    feed_server.routes["/feed"] = Doc(rss(items))
    feed = store.feeds.add(feed_server.url("/feed"))
    store.reading.subscribe(ann, feed.url, categories=["Tech"])
    store.reading.subscribe(bob, feed.url)
    add_rule(store, ann, RuleDraft("no sales", "title:/sale/i", actions=("block",)))
    add_rule(
        store,
        ann,
        RuleDraft(
            "rust",
            "rust",
            scope="feed",
            scope_id=feed.id,
            actions=("star", "label"),
            labels=("lang", "later"),
        ),
    )
    add_rule(store, ann, RuleDraft("digests", "title:digest", actions=("read",)))
    # A later rule sees the labels an earlier one added.
    add_rule(store, ann, RuleDraft("later", "label:later", actions=("read",)))
    add_rule(store, ann, RuleDraft("off", "news", actions=("block",), enabled=False))
    add_rule(
        store,
        admin,
        RuleDraft("ads", "title:/^sponsored/i", scope="site", actions=("block",)),
        admin=True,
    )

    summary = refresh(store, make_settings())

    assert summary.new_entries == 5
    everything = sorted(TITLES)
    assert titles(store, ann) == sorted(t for t in TITLES if "SALE" not in t)
    assert titles(store, ann, status="unread") == ["Other news", "Sponsored: buy now"]
    assert titles(store, ann, starred=True) == ["Rust 1.80 released"]
    assert titles(store, bob) == everything  # Bob has no rules
    assert titles(store, bob, status="unread") == everything
    with store.engine.connect() as conn:
        labels = conn.execute(
            sa.select(entry_labels.c.user_id, entry_labels.c.label).order_by(entry_labels.c.label)
        ).all()
    assert [tuple(row) for row in labels] == [(ann, "lang"), (ann, "later")]
    public = sorted(e.title for e in store.entries.newest(limit=10))
    assert public == sorted(t for t in TITLES if not t.startswith("Sponsored"))
    assert sorted(
        e.title for e in store.entries.newest(limit=10, feed_id=feed.id, include_private=True)
    ) == (everything)


def test_preview_and_applying_a_rule_to_stored_entries(
    store: Store, feed_server: FeedServer
) -> None:
    make_decoys(store)
    ann = store.users.add("ann", "x").id
    items = [Item(f"g{i}", t, NOW - timedelta(minutes=i)) for i, t in enumerate(TITLES)]
    feed_server.routes["/feed"] = Doc(rss(items))
    feed = store.feeds.add(feed_server.url("/feed"))
    store.reading.subscribe(ann, feed.url)
    refresh(store, make_settings())
    draft = checked_rule(RuleDraft("keep rust", "rust", actions=("keep",)), is_admin=False)
    rule = store.rules.add(ann, draft)

    preview = store.rules.preview(ann, rule.parsed, rule.scope, rule.scope_id, negate=True)

    assert preview.total == 4
    assert [(c.feed_id, c.count) for c in preview.per_feed] == [(feed.id, 4)]
    assert sorted(e.entry.title for e in preview.newest) == sorted(TITLES[1:])
    assert titles(store, ann) == sorted(TITLES)  # a preview changes nothing

    assert store.rules.apply(ann, rule) == 4
    assert titles(store, ann) == ["Rust 1.80 released"]
    assert titles(store, ann, status="unread") == ["Rust 1.80 released"]


def test_only_a_feed_whose_readers_have_rules_has_its_new_ids_given_back(
    store: Store, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_decoys(store)
    ann = store.users.add("ann", "x").id
    bob = store.users.add("bob", "x").id
    items = [Item(f"g{i}", t, NOW - timedelta(minutes=i)) for i, t in enumerate(TITLES)]
    feed_server.routes["/ann"] = Doc(rss(items))
    feed_server.routes["/bob"] = Doc(rss(items))
    ann_feed = store.feeds.add(feed_server.url("/ann"))
    store.reading.subscribe(ann, ann_feed.url)
    bob_feed = store.feeds.add(feed_server.url("/bob"))
    store.reading.subscribe(bob, bob_feed.url)
    add_rule(store, ann, RuleDraft("no sales", "title:/sale/i", actions=("block",)))
    inserts: list[tuple[int, bool, int]] = []  # (feed, ids asked for, ids given back)
    insert = UpdateBatch._insert

    def spy(
        self: UpdateBatch, feed_id: int, new: Any, now: datetime, *, returning: bool
    ) -> tuple[int, dict[str, int]]:
        count, ids = insert(self, feed_id, new, now, returning=returning)
        inserts.append((feed_id, returning, len(ids)))
        return count, ids

    monkeypatch.setattr(UpdateBatch, "_insert", spy)

    summary = refresh(store, make_settings())

    assert summary.new_entries == 10
    ours = sorted(i for i in inserts if i[0] in (ann_feed.id, bob_feed.id))  # not the decoys'
    assert ours == sorted([(ann_feed.id, True, 5), (bob_feed.id, False, 0)])
    assert "Big SALE today" not in titles(store, ann)
    assert titles(store, bob) == sorted(TITLES)


@pytest.mark.parametrize("follow", [True, False], ids=["ids-follow", "ids-returned"])
@pytest.mark.parametrize("stored_first", [0, 2, 4], ids=["none", "two", "four"])
def test_the_ids_the_insert_gives_back_are_those_of_the_rows_it_stored(
    store: Store, stored_first: int, follow: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite's ids follow from the last one when every row was stored, else are read back
    (and are returned when the table's ids may not follow one another); PostgreSQL returns
    them. Some keys stored already (a race the lease rules out, but the statement skips
    them): the others' ids are still the right ones."""
    if not follow:
        monkeypatch.setattr(updates, "SQLITE_IDS_FOLLOW_BELOW", 0)
    make_decoys(store)
    feed = store.feeds.add("https://e.org/feed")
    now = datetime.now(UTC)

    def data(key: str) -> EntryData:
        return EntryData(key=key, title=f"title {key}", content_hash=key)

    keys = [f"k{i}" for i in range(5)]
    with store.updates.batch() as batch:
        batch._insert(feed.id, [data(k) for k in keys[:stored_first]], now, returning=False)
    with store.updates.batch() as batch:
        count, ids = batch._insert(feed.id, [data(k) for k in keys], now, returning=True)

    with store.engine.connect() as conn:
        query = sa.select(entries.c.key, entries.c.id).where(entries.c.feed_id == feed.id)
        stored = {row.key: row.id for row in conn.execute(query)}
    assert count == 5 - stored_first
    assert ids == {k: stored[k] for k in keys[stored_first:]}


def reader_of_one_feed_with_a_rule(store: Store, feed_server: FeedServer) -> int:
    """Ann, who subscribes to /feed (the five TITLES) and blocks titles with "sale"; her id."""
    make_decoys(store)
    ann = store.users.add("ann", "x").id
    items = [Item(f"g{i}", t, NOW - timedelta(minutes=i)) for i, t in enumerate(TITLES)]
    feed_server.routes["/feed"] = Doc(rss(items))
    store.reading.subscribe(ann, store.feeds.add(feed_server.url("/feed")).url)
    add_rule(store, ann, RuleDraft("no sales", "title:/sale/i", actions=("block",)))
    return ann


def test_the_rules_are_read_while_the_feeds_are_fetched(
    store: Store, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading and compiling the rules (a quarter of a second for 2,000) delays no fetch: only
    the writer waits for them. Here they can be read only once the feed has been served, which
    never happens when they are read first."""
    ann = reader_of_one_feed_with_a_rule(store, feed_server)
    enabled = store.rules.enabled

    def after_the_fetch() -> list[Rule]:
        deadline = time.monotonic() + 10
        while not feed_server.served["/feed"]:
            if time.monotonic() > deadline:
                raise AssertionError("the rules were read before the feed was fetched")
            time.sleep(0.01)
        return enabled()

    monkeypatch.setattr(store.rules, "enabled", after_the_fetch)

    summary = refresh(store, make_settings())

    assert summary.new_entries == 5
    assert "Big SALE today" not in titles(store, ann)


def test_checks_without_new_entries_are_written_while_the_rules_are_read(
    store: Store, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A round's 304s need no rules: they are written while the rules are read, on a thread of
    their own (on SQLite's one database thread, reading them held back every claim and write
    behind them). Here the rules can be read only once the 304 is written."""
    ann = reader_of_one_feed_with_a_rule(store, feed_server)
    feed_server.routes["/feed"] = Doc(rss([Item("g0", "Big SALE today", NOW)]), etag='"v1"')
    assert refresh(store, make_settings()).new_entries == 1
    feed = store.feeds.find_by_url(feed_server.url("/feed"))
    assert feed is not None and feed.checked_at is not None
    with store.engine.begin() as conn:  # due again
        due = sa.update(feeds).where(feeds.c.id == feed.id)
        conn.execute(due.values(next_check_at=datetime.now(UTC)))
    enabled = store.rules.enabled

    def after_the_304_is_written() -> list[Rule]:
        deadline = time.monotonic() + 10
        while True:
            again = store.feeds.get(feed.id)
            if again.checked_at is not None and again.checked_at > feed.checked_at:
                return enabled()
            if time.monotonic() > deadline:
                raise AssertionError("the 304 waited for the rules")
            time.sleep(0.01)

    monkeypatch.setattr(store.rules, "enabled", after_the_304_is_written)

    summary = refresh(store, make_settings(), feed_ids=[feed.id])

    assert (summary.feeds, summary.not_modified, summary.errors) == (1, 1, 0)
    assert titles(store, ann) == []  # the one entry stays blocked


def test_rules_that_cannot_be_read_stop_the_round_and_nothing_is_written_without_them(
    store: Store, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    ann = reader_of_one_feed_with_a_rule(store, feed_server)

    def unreadable() -> list[Rule]:
        raise RuntimeError("the rules table is unreadable")

    monkeypatch.setattr(store.rules, "enabled", unreadable)

    with pytest.raises(RuntimeError, match="unreadable"):
        refresh(store, make_settings())

    assert titles(store, ann) == []  # not written: the blocked entry would have shown


def test_a_push_after_the_rules_could_not_be_read_reads_them_again(
    store: Store, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    ann = reader_of_one_feed_with_a_rule(store, feed_server)
    feed = store.feeds.find_by_url(feed_server.url("/feed"))
    assert feed is not None
    feed_id = feed.id
    enabled = store.rules.enabled
    failures = [RuntimeError("the rules table is unreadable")]

    def once_unreadable() -> list[Rule]:
        if failures:
            raise failures.pop()
        return enabled()

    monkeypatch.setattr(store.rules, "enabled", once_unreadable)
    items = [Item(f"g{i}", t, NOW - timedelta(minutes=i)) for i, t in enumerate(TITLES)]

    async def push_twice() -> tuple[str, int]:
        async with Refresher(store, make_settings()) as refresher:
            try:
                await refresher.deliver(feed_id, rss(items[:2]), "application/rss+xml")
                first = "written"
            except RuntimeError as exc:
                first = str(exc)
            return first, await refresher.deliver(feed_id, rss(items), "application/rss+xml")

    first, new = asyncio.run(push_twice())

    assert first == "the rules table is unreadable"  # nothing written without the rules
    assert new == 5
    assert "Big SALE today" not in titles(store, ann)


def test_a_stored_rule_that_no_longer_compiles_is_left_out_and_the_others_apply(
    store: Store, feed_server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    """A query is checked when stored; one a later version reads otherwise (here written
    around the checks) stops nobody's refresh: it is left out, with a warning, and the rest
    of the rules act."""
    ann = reader_of_one_feed_with_a_rule(store, feed_server)  # decoys first
    add_rule(store, ann, RuleDraft("digests", "title:digest", actions=("star",)))
    with store.engine.begin() as conn:
        conn.execute(sa.update(rules).where(rules.c.name == "digests").values(query="title:/(/"))
    broken_id = next(r.id for r in store.rules.enabled() if r.name == "digests")

    with caplog.at_level("WARNING", logger="tidings.refresh.run"):
        summary = refresh(store, make_settings())

    assert summary.new_entries == 5
    assert "Big SALE today" not in titles(store, ann)  # the other rule acted
    assert titles(store, ann, starred=True) == []
    assert f"rule {broken_id} of user {ann} is left out" in caplog.text


def _due_with(store: Store, feed_server: FeedServer, feed_id: int, titles_: list[str]) -> None:
    """/feed serves `titles_` (newest first, each its own guid) above the five TITLES, and the
    feed is due again."""
    items = [
        Item(f"new-{t}", t, NOW + timedelta(minutes=len(titles_) - i))
        for i, t in enumerate(titles_)
    ]
    items += [Item(f"g{i}", t, NOW - timedelta(minutes=i)) for i, t in enumerate(TITLES)]
    feed_server.routes["/feed"] = Doc(rss(items))
    with store.engine.begin() as conn:
        due = sa.update(feeds).where(feeds.c.id == feed_id)
        conn.execute(due.values(next_check_at=datetime.now(UTC)))


def _counting_reads(store: Store, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the reads of the rules themselves (`store.rules.enabled`): the list's one item."""
    enabled = store.rules.enabled
    reads = [0]

    def counted() -> list[Rule]:
        reads[0] += 1
        return enabled()

    monkeypatch.setattr(store.rules, "enabled", counted)
    return reads


def _rounds(
    store: Store, monkeypatch: pytest.MonkeyPatch, before_each: list[Callable[[], object]]
) -> tuple[list[int], list[int]]:
    """Rounds of one Refresher, as a server's are: each function of `before_each`, then a
    round. Gives back the new entries of each round, and how many times the rules themselves
    had been read before each round and after the last."""
    reads = _counting_reads(store, monkeypatch)

    async def run() -> tuple[list[int], list[int]]:
        async with Refresher(store, make_settings()) as refresher:
            new, read = [], []
            for change in before_each:
                change()
                read.append(reads[0])
                new.append((await refresher.refresh_due()).new_entries)
            return new, [*read, reads[0]]

    return asyncio.run(run())


def _edit(store: Store, user_id: int, rule_id: int) -> None:
    edited = RuleDraft("no digests", "title:/digest/i", actions=("block",))
    store.rules.update(user_id, rule_id, checked_rule(edited, is_admin=False))


# What changes Ann's "no sales" rule between two rounds, and whether the next round's "Third
# SALE" is then blocked for her (None: Ann is gone).
RULE_CHANGES: dict[str, tuple[Callable[[Store, int, int], object], bool | None]] = {
    "disabled": (lambda s, ann, rule: s.rules.set_enabled(ann, rule, False), False),
    "removed": (lambda s, ann, rule: s.rules.remove(ann, rule), False),
    "edited": (_edit, False),
    "moved": (lambda s, ann, rule: s.rules.move(ann, rule, 1), True),
    "its user removed": (lambda s, ann, rule: s.users.remove(ann), None),
}


@pytest.mark.parametrize("change", list(RULE_CHANGES))
def test_a_round_reads_the_rules_again_only_when_they_changed(
    store: Store, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    """A later round looks at the rules' signature (every field the engine reads: 3 ms for
    2,000 rules) and reads and compiles the rules only when it differs from the last round's;
    any change to a rule that a round applies is seen by the next round."""
    ann = reader_of_one_feed_with_a_rule(store, feed_server)
    add_rule(store, ann, RuleDraft("weekly", "title:weekly", actions=("star",)))
    rule_id = next(r.id for r in store.rules.of_user(ann) if r.name == "no sales")
    feed = store.feeds.find_by_url(feed_server.url("/feed"))
    assert feed is not None and rule_id not in (ann, feed.id)
    changed, blocked = RULE_CHANGES[change]

    new, reads = _rounds(
        store,
        monkeypatch,
        [
            lambda: None,
            lambda: _due_with(store, feed_server, feed.id, ["First SALE"]),
            lambda: _due_with(store, feed_server, feed.id, ["Second SALE", "First SALE"]),
            lambda: (
                changed(store, ann, rule_id),
                _due_with(store, feed_server, feed.id, ["Third SALE", "Second SALE", "First SALE"]),
            ),
        ],
    )

    assert new == [5, 1, 1, 1]
    # Read in the first round; not in the next two, whose rules are the same; again after the
    # change.
    assert reads == [0, 1, 1, 1, 2]
    if blocked is None:
        return
    seen = titles(store, ann)
    assert "First SALE" not in seen and "Second SALE" not in seen  # the same rules still acted
    assert ("Third SALE" not in seen) is blocked


def test_a_site_rule_stops_acting_the_round_after_its_author_is_no_longer_an_administrator(
    store: Store, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Site rules act only while their author is an administrator: revoking that changes the
    rules' signature as well, though no rule row changed."""
    ann = reader_of_one_feed_with_a_rule(store, feed_server)
    admin = store.users.add("admin", "x", is_admin=True).id
    add_rule(
        store,
        admin,
        RuleDraft("no sales here", "title:/sale/i", scope="site", actions=("block",)),
        admin=True,
    )
    feed = store.feeds.find_by_url(feed_server.url("/feed"))
    assert feed is not None and admin != ann

    def revoke() -> None:
        with store.engine.begin() as conn:
            conn.execute(sa.update(users).where(users.c.id == admin).values(is_admin=False))

    new, reads = _rounds(
        store,
        monkeypatch,
        [
            lambda: None,
            lambda: _due_with(store, feed_server, feed.id, ["First SALE"]),
            lambda: (
                revoke(),
                _due_with(store, feed_server, feed.id, ["Second SALE", "First SALE"]),
            ),
        ],
    )

    assert new == [5, 1, 1]
    assert reads == [0, 1, 1, 2]
    public = {e.title for e in store.entries.newest(limit=20)}
    assert "First SALE" not in public and "Big SALE today" not in public
    assert "Second SALE" in public


def test_a_refresher_made_for_one_check_uses_the_book_the_last_one_compiled(
    store: Store, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Subscribing and Miniflux's refresh check a feed with a Refresher of their own
    (`refresh_now`): it finds the rules as the background one left them, and neither reads nor
    compiles them again."""
    ann = reader_of_one_feed_with_a_rule(store, feed_server)
    feed = store.feeds.find_by_url(feed_server.url("/feed"))
    assert feed is not None
    reads = _counting_reads(store, monkeypatch)
    assert refresh(store, make_settings()).new_entries == 5
    _due_with(store, feed_server, feed.id, ["First SALE"])

    assert refresh(store, make_settings(), feed_ids=[feed.id]).new_entries == 1

    assert reads == [1]
    assert "First SALE" not in titles(store, ann)
