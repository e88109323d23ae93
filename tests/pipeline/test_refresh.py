"""The whole refresh pipeline (claim -> fetch -> parse -> plan -> store) against a loopback server.

Every test runs on SQLite and on PostgreSQL (the `store` fixture) and drives a real Refresher over
real HTTP; nothing in tidings is replaced except, in one test, a counting wrapper around the
parse step to prove it did not run.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from pipeline_support import (
    Doc,
    FeedServer,
    InlineParser,
    Item,
    drip_handler,
    endless_handler,
    make_settings,
    redirect_handler,
    refresh,
    reset_handler,
    rss,
    status_handler,
)

import tidings.refresh.run as run_module
from tidings.cli import cli
from tidings.model import Feed
from tidings.store import Store
from tidings.store.schema import entries, entry_states, users

NOW = datetime.now(UTC).replace(microsecond=0)


def entry_rows(store: Store, feed_id: int) -> list[dict[str, Any]]:
    """Every stored entry of the feed as a plain dict, by key."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(entries).where(entries.c.feed_id == feed_id).order_by(entries.c.key)
        ).all()
    return [dict(row._mapping) for row in rows]


def items(count: int, prefix: str = "g", age: timedelta = timedelta(hours=1)) -> list[Item]:
    return [
        Item(f"{prefix}{i}", f"Title {prefix}{i}", NOW - age - timedelta(minutes=i))
        for i in range(count)
    ]


def without_check_times(feed: Feed) -> Feed:
    return dataclasses.replace(feed, checked_at=None, next_check_at=None)


# --- conditional requests and unchanged documents ---------------------------------------------


def test_first_refresh_stores_all_entries_then_a_304_writes_only_check_times(
    store: Store, feed_server: FeedServer
) -> None:
    feed_server.routes["/feed"] = Doc(rss(items(5)), etag='"v1"', last_modified="x-lm")
    feed = store.feeds.add(feed_server.url("/feed"))
    settings = make_settings()

    first = refresh(store, settings)

    assert (first.feeds, first.new_entries, first.errors) == (1, 5, 0)
    stored = entry_rows(store, feed.id)
    assert [row["key"] for row in stored] == ["g0", "g1", "g2", "g3", "g4"]
    after_first = store.feeds.get(feed.id)
    assert (after_first.etag, after_first.last_modified) == ('"v1"', "x-lm")
    assert after_first.feed_title == "Test feed"

    store.feeds.schedule_now([feed.id])
    second = refresh(store, settings)

    assert (second.feeds, second.new_entries, second.not_modified) == (1, 0, 1)
    assert feed_server.counts["/feed"] == 2
    conditional = feed_server.request_headers["/feed"][1]
    assert conditional.get("if-none-match") == '"v1"'
    assert conditional.get("if-modified-since") == "x-lm"
    assert entry_rows(store, feed.id) == stored
    after_second = store.feeds.get(feed.id)
    assert after_second.checked_at is not None and after_first.checked_at is not None
    assert after_second.checked_at > after_first.checked_at
    assert without_check_times(after_second) == without_check_times(after_first)
    log = store.updates.log(feed.id)
    assert [(line.status, line.new_count, line.error) for line in log] == [
        (304, 0, None),
        (200, 5, None),
    ]


def test_same_body_without_validators_is_unchanged_by_hash_and_not_parsed(
    store: Store, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed_server.routes["/plain"] = Doc(rss(items(3)))  # no ETag, no Last-Modified
    feed = store.feeds.add(feed_server.url("/plain"))
    settings = make_settings()
    parses: list[str] = []
    real_parse = run_module.parse_document

    def counting_parse(body: bytes, url: str, *args: Any) -> Any:
        parses.append(url)
        return real_parse(body, url, *args)

    monkeypatch.setattr(run_module, "parse_document", counting_parse)

    assert refresh(store, settings, parser=InlineParser()).new_entries == 3
    stored = entry_rows(store, feed.id)
    after_first = store.feeds.get(feed.id)
    assert after_first.body_hash
    store.feeds.schedule_now([feed.id])
    second = refresh(store, settings, parser=InlineParser())

    assert parses == [feed_server.url("/plain")]  # once: the second check did not parse
    assert (second.feeds, second.new_entries, second.updated_entries, second.errors) == (1, 0, 0, 0)
    assert second.not_modified == 1  # the same body counts as unchanged, as a 304 does
    assert feed_server.counts["/plain"] == 2
    assert "if-none-match" not in feed_server.request_headers["/plain"][1]
    assert entry_rows(store, feed.id) == stored
    assert without_check_times(store.feeds.get(feed.id)) == without_check_times(after_first)
    assert [(line.status, line.new_count) for line in store.updates.log(feed.id)] == [
        (200, 0),
        (200, 3),
    ]


def test_changed_entry_is_updated_in_place_and_keeps_read_and_star_state(
    store: Store, feed_server: FeedServer
) -> None:
    original = items(3)
    feed_server.routes["/feed"] = Doc(rss(original), etag='"1"')
    feed = store.feeds.add(feed_server.url("/feed"))
    settings = make_settings()
    refresh(store, settings)
    before = {row["key"]: row for row in entry_rows(store, feed.id)}
    with store.engine.begin() as conn:
        user_id = conn.execute(
            users.insert()
            .values(name="ann", password_hash="-", created_at=NOW)
            .returning(users.c.id)
        ).scalar_one()
        conn.execute(
            entry_states.insert().values(
                user_id=user_id,
                entry_id=before["g1"]["id"],
                feed_id=feed.id,
                read=True,
                starred=True,
                read_at=NOW,
                starred_at=NOW,
            )
        )

    changed = [*original]
    changed[1] = dataclasses.replace(original[1], title="A corrected title")
    feed_server.routes["/feed"] = Doc(rss(changed), etag='"2"')
    store.feeds.schedule_now([feed.id])
    summary = refresh(store, settings)

    assert (summary.new_entries, summary.updated_entries) == (0, 1)
    after = {row["key"]: row for row in entry_rows(store, feed.id)}
    assert set(after) == {"g0", "g1", "g2"}
    assert after["g1"]["id"] == before["g1"]["id"]
    assert after["g1"]["title"] == "A corrected title"
    assert after["g1"]["content_hash"] != before["g1"]["content_hash"]
    assert after["g1"]["first_seen_at"] == before["g1"]["first_seen_at"]
    assert after["g0"] == before["g0"] and after["g2"] == before["g2"]
    with store.engine.connect() as conn:
        state = conn.execute(sa.select(entry_states)).one()
    assert (state.entry_id, state.read, state.starred) == (before["g1"]["id"], True, True)
    assert store.updates.log(feed.id)[0].updated_count == 1


def test_entries_are_searched_by_the_text_the_parse_step_computed(
    store: Store, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    description = (
        '<p><img src="https://cdn.imgpile.example/1.jpg" alt="x > y">Harbour '
        '<a href="https://news.example.org/7">council</a> &amp; budget</p>'
    )
    first = [dataclasses.replace(item, description=description) for item in items(2)]
    feed_server.routes["/feed"] = Doc(rss(first), etag='"1"')
    ann = store.users.add("ann", "x").id
    feed_id = store.reading.subscribe(ann, feed_server.url("/feed")).feed_id

    def not_on_the_writer(fragment: str | None) -> str | None:
        raise AssertionError("the writer computed the text the parse step should have given")

    # The writer's own fallback must not run for the refresher's entries (SQLite).
    monkeypatch.setattr("tidings.store.updates.html_text", not_on_the_writer)
    assert refresh(store, make_settings()).new_entries == 2

    def found(query: str) -> list[str]:
        return sorted(hit.entry.entry.key for hit in store.search.search(ann, query))

    assert found("harbour council budget") == ["g0", "g1"]
    for word in ("noopener", "noreferrer", "lazy", "href", "imgpile", "news"):
        assert found(word) == [], word
    if store.dialect == "sqlite":
        with store.engine.connect() as conn:
            texts = conn.exec_driver_sql("SELECT DISTINCT summary_text FROM entries").all()
        assert texts == [("Harbour council & budget",)]

    changed = [first[0], dataclasses.replace(first[1], description="<p>Ferries <b>late</b></p>")]
    feed_server.routes["/feed"] = Doc(rss(changed), etag='"2"')
    store.feeds.schedule_now([feed_id])
    assert refresh(store, make_settings()).updated_entries == 1
    assert (found("harbour"), found("ferries late")) == (["g0"], ["g1"])


def test_entry_without_a_date_keeps_its_first_seen_time(
    store: Store, feed_server: FeedServer
) -> None:
    t0 = datetime.now(UTC)
    clock = [t0]
    undated = [
        Item("no-date", "Undated"),
        Item(None, "Undated, no guid either", link="https://example.org/undated"),
    ]
    feed_server.routes["/feed"] = Doc(rss(undated))
    feed = store.feeds.add(feed_server.url("/feed"), now=t0)
    settings = make_settings()
    assert refresh(store, settings, clock=lambda: clock[0]).new_entries == 2
    first = {row["title"]: row for row in entry_rows(store, feed.id)}
    assert {row["first_seen_at"] for row in first.values()} == {t0}
    assert {row["sort_at"] for row in first.values()} == {t0}
    assert {row["published_at"] for row in first.values()} == {None}

    # Two days later the undated entry changed and a new one appeared.
    clock[0] = t1 = t0 + timedelta(days=2)
    later = [
        Item("no-date", "Undated, edited"),
        undated[1],
        Item("new", "New and also undated"),
    ]
    feed_server.routes["/feed"] = Doc(rss(later))
    store.feeds.schedule_now([feed.id], now=t1)
    summary = refresh(store, settings, clock=lambda: clock[0])

    assert (summary.new_entries, summary.updated_entries) == (1, 1)
    second = {row["key"]: row for row in entry_rows(store, feed.id)}
    assert len(second) == 3
    edited = second["no-date"]
    assert edited["title"] == "Undated, edited"
    assert (edited["first_seen_at"], edited["sort_at"]) == (t0, t0)
    untouched = next(r for r in second.values() if r["title"] == "Undated, no guid either")
    assert (untouched["first_seen_at"], untouched["sort_at"]) == (t0, t0)
    assert (second["new"]["first_seen_at"], second["new"]["sort_at"]) == (t1, t1)


def test_feed_that_suddenly_lists_no_items_deletes_nothing(
    store: Store, feed_server: FeedServer
) -> None:
    feed_server.routes["/feed"] = Doc(rss(items(4)))
    feed = store.feeds.add(feed_server.url("/feed"))
    settings = make_settings()
    refresh(store, settings)
    stored = entry_rows(store, feed.id)
    assert len(stored) == 4

    feed_server.routes["/feed"] = Doc(rss([]))
    store.feeds.schedule_now([feed.id])
    summary = refresh(store, settings)

    assert (summary.feeds, summary.errors) == (1, 0)
    assert entry_rows(store, feed.id) == stored
    assert store.feeds.get(feed.id).last_error is None


def test_retention_removes_old_entries_gone_from_the_document_but_keeps_starred(
    store: Store, feed_server: FeedServer
) -> None:
    old, recent = timedelta(days=10), timedelta(minutes=5)
    first_doc = [
        Item("old-gone", "Old, will leave the feed", NOW - old),
        Item("old-starred", "Old, starred, will leave", NOW - old),
        Item("old-stays", "Old, stays in the feed", NOW - old),
        Item("recent-gone", "Recent, will leave the feed", NOW - recent),
    ]
    feed_server.routes["/feed"] = Doc(rss(first_doc))
    feed = store.feeds.add(feed_server.url("/feed"))
    settings = make_settings(discard_after=3600)
    refresh(store, settings)
    stored = {row["key"]: row for row in entry_rows(store, feed.id)}
    assert set(stored) == {"old-gone", "old-starred", "old-stays", "recent-gone"}
    with store.engine.begin() as conn:
        user_id = conn.execute(
            users.insert()
            .values(name="bob", password_hash="-", created_at=NOW)
            .returning(users.c.id)
        ).scalar_one()
        conn.execute(
            entry_states.insert().values(
                user_id=user_id, entry_id=stored["old-starred"]["id"], feed_id=feed.id, starred=True
            )
        )

    feed_server.routes["/feed"] = Doc(rss([first_doc[2], Item("fresh", "Fresh", NOW)]))
    store.feeds.schedule_now([feed.id])
    refresh(store, settings)

    assert {row["key"] for row in entry_rows(store, feed.id)} == {
        "old-starred",  # starred: never removed
        "old-stays",  # still in the document: removing it would bring it back as new
        "recent-gone",  # younger than discard_after
        "fresh",
    }


# --- faults: one failing feed never stops the others ------------------------------------------


HTML_PAGE = (
    b"<!doctype html><html><head><title>A blog</title>"
    b'<link rel="alternate" type="application/rss+xml" title="Posts" href="/good-a">'
    b"</head><body><h1>Welcome</h1><p>This is a web page.</p></body></html>"
)


def test_faulty_feeds_are_recorded_and_never_stop_the_good_ones(
    store: Store, feed_server: FeedServer
) -> None:
    routes = feed_server.routes
    routes["/good-a"] = Doc(rss(items(3, "a")), etag='"a"')
    routes["/good-b"] = Doc(rss(items(2, "b")))
    routes["/e500"] = status_handler(500, b"oops")
    routes["/e404"] = status_handler(404, b"gone where?")
    routes["/e410"] = status_handler(410, b"gone")
    routes["/html"] = Doc(HTML_PAGE, content_type="text/html; charset=utf-8")
    routes["/garbage"] = Doc(
        random.Random(7).randbytes(3000), content_type="application/octet-stream"
    )
    routes["/reset"] = reset_handler
    routes["/drip"] = drip_handler
    routes["/endless"] = endless_handler
    routes["/loop-a"] = redirect_handler(302, "/loop-b")
    routes["/loop-b"] = redirect_handler(301, "/loop-a")
    routes["/moved"] = redirect_handler(301, "/new-home")
    routes["/new-home"] = Doc(rss(items(2, "m")))
    routes["/temp"] = redirect_handler(302, "/temp-target")
    routes["/temp-target"] = Doc(rss(items(2, "t")))
    paths = [
        "/e500", "/e404", "/e410", "/html", "/garbage", "/reset", "/drip", "/endless",
        "/loop-a", "/good-a", "/good-b", "/moved", "/temp",
    ]  # fmt: skip
    feeds = {path: store.feeds.add(feed_server.url(path)) for path in paths}
    settings = make_settings(fetch_timeout=1.0, max_body_bytes=50_000)

    summary = refresh(store, settings)

    def feed(path: str) -> Feed:
        return store.feeds.get(feeds[path].id)

    faulty = ["/e500", "/e404", "/e410", "/html", "/garbage", "/reset", "/drip", "/endless"]
    faulty.append("/loop-a")
    assert summary.feeds == len(paths)
    assert summary.errors == len(faulty)
    assert sorted(summary.error_feeds) == sorted(feeds[path].id for path in faulty)
    assert summary.new_entries == 3 + 2 + 2 + 2

    # The good ones, redirected or not, are stored completely.
    for path, count in (("/good-a", 3), ("/good-b", 2), ("/moved", 2), ("/temp", 2)):
        assert len(entry_rows(store, feeds[path].id)) == count, path
        assert feed(path).last_error is None, path
        assert feed(path).error_count == 0, path
    assert feed("/moved").url == feed_server.url("/new-home")  # 301: the new address is kept
    assert feed("/temp").url == feed_server.url("/temp")  # 302: the old address stays

    # Every faulty one: counted, explained, logged, backed off, and no entries.
    for path in faulty:
        checked = feed(path)
        assert checked.error_count == 1, path
        assert checked.last_error, path
        assert checked.first_error_at == checked.checked_at, path
        assert entry_rows(store, checked.id) == [], path
        log = store.updates.log(checked.id)
        assert len(log) == 1 and log[0].error == checked.last_error, path
        if path != "/e410":
            assert checked.disabled_reason is None, path
            assert checked.next_check_at is not None and checked.checked_at is not None
            # one error doubles the default hour (with +-10% jitter); a success waits ~1 hour
            assert checked.next_check_at - checked.checked_at > timedelta(hours=1.5), path

    e500 = feed("/e500")
    assert "500" in (e500.last_error or "")
    assert store.updates.log(e500.id)[0].status == 500
    assert "404" in (feed("/e404").last_error or "")
    gone = feed("/e410")
    assert gone.disabled_reason and "410" in gone.disabled_reason
    assert gone.next_check_at is None
    html_error = feed("/html").last_error or ""
    assert "web page" in html_error and feed_server.url("/good-a") in html_error
    assert "not a feed" in (feed("/garbage").last_error or "")
    assert store.updates.log(feeds["/reset"].id)[0].status is None
    assert "1 second" in (feed("/drip").last_error or "")
    assert "larger than" in (feed("/endless").last_error or "")
    assert "loop" in (feed("/loop-a").last_error or "")
    assert feed_server.counts["/loop-a"] == 1 and feed_server.counts["/loop-b"] == 1

    # Disabled is not due: a second round asks neither the gone feed nor the healthy ones again.
    store.feeds.schedule_now()
    again = refresh(store, settings, feed_ids=[feeds["/e410"].id, feeds["/good-a"].id])
    assert again.feeds == 1
    assert again.not_modified == 1
    assert feed_server.counts["/e410"] == 1


def test_an_unexpected_crash_in_one_feed_is_recorded_and_the_others_go_on(
    store: Store, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed_server.routes["/crashes"] = Doc(rss(items(2, "c")))
    feed_server.routes["/fine"] = Doc(rss(items(2, "f")))
    crashing = store.feeds.add(feed_server.url("/crashes"))
    fine = store.feeds.add(feed_server.url("/fine"))
    real_parse = run_module.parse_document

    def parse_or_crash(body: bytes, url: str, *args: Any) -> Any:
        if url.endswith("/crashes"):
            raise RuntimeError("a bug in the parser")
        return real_parse(body, url, *args)

    monkeypatch.setattr(run_module, "parse_document", parse_or_crash)
    logged: list[str] = []
    monkeypatch.setattr(run_module.log, "exception", lambda msg, *a: logged.append(msg % a))

    summary = refresh(store, make_settings(), parser=InlineParser())

    assert (summary.feeds, summary.new_entries, summary.errors) == (2, 2, 1)
    assert len(entry_rows(store, fine.id)) == 2
    failed = store.feeds.get(crashing.id)
    assert failed.error_count == 1
    assert "could not process" in (failed.last_error or "")
    assert "a bug in the parser" in (failed.last_error or "")
    assert failed.next_check_at is not None
    assert entry_rows(store, crashing.id) == []
    assert len(logged) == 1 and "/crashes" in logged[0]


def test_an_unexpected_crash_keeps_the_fetch_log_to_its_configured_size(
    store: Store, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed_server.routes["/crashes"] = Doc(rss(items(1)))
    feed = store.feeds.add(feed_server.url("/crashes"))

    def crash(*args: Any) -> Any:
        raise RuntimeError("a bug in the parser")

    monkeypatch.setattr(run_module, "parse_document", crash)
    monkeypatch.setattr(run_module.log, "exception", lambda *a: None)
    settings = make_settings(fetch_log_size=2)
    for _ in range(3):
        store.feeds.schedule_now([feed.id])
        refresh(store, settings, parser=InlineParser())

    assert feed_server.counts["/crashes"] == 3
    assert len(store.updates.log(feed.id)) == 2


# --- the process pool -------------------------------------------------------------------------


def test_parsing_in_a_process_pool_stores_every_feed(
    store: Store, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = []
    for n in range(6):
        feed_server.routes[f"/f{n}"] = Doc(rss(items(4, f"f{n}-")), etag=f'"{n}"')
        ids.append(store.feeds.add(feed_server.url(f"/f{n}")).id)
    settings = make_settings(parse_workers=2)

    summary = refresh(store, settings)

    assert (summary.feeds, summary.new_entries, summary.errors) == (6, 24, 0)
    for n, feed_id in enumerate(ids):
        keys = [row["key"] for row in entry_rows(store, feed_id)]
        assert keys == [f"f{n}-{i}" for i in range(4)]
        assert store.feeds.get(feed_id).etag == f'"{n}"'


# --- the command line -------------------------------------------------------------------------


def cli_env(database_url: str) -> dict[str, str]:
    return {
        "TIDINGS_DATABASE_URL": database_url,
        "TIDINGS_ALLOW_PRIVATE_NETWORKS": "true",
        "TIDINGS_PARSE_WORKERS": "1",
    }


def test_cli_refresh_prints_the_summary_line(
    database_url: str, store: Store, feed_server: FeedServer
) -> None:
    feed_server.routes["/feed"] = Doc(rss(items(3)), etag='"x"')
    feed_server.routes["/broken"] = status_handler(500)
    store.feeds.add(feed_server.url("/feed"))
    store.feeds.add(feed_server.url("/broken"))
    runner = CliRunner()

    result = runner.invoke(cli, ["refresh"], env=cli_env(database_url))

    assert result.exit_code == 0, result.output
    assert result.output == "checked 2 feeds: 3 new entries, 0 updated, 0 unchanged, 1 errors\n"


def test_cli_refresh_of_an_unknown_feed_is_one_line(database_url: str, store: Store) -> None:
    result = CliRunner().invoke(cli, ["refresh", "999"], env=cli_env(database_url))

    assert result.exit_code == 1
    assert result.output == "Error: no feed with id 999\n"


def test_cli_refresh_all_checks_feeds_that_are_not_due(
    database_url: str, store: Store, feed_server: FeedServer
) -> None:
    feed_server.routes["/feed"] = Doc(rss(items(2)), etag='"x"')
    feed = store.feeds.add(feed_server.url("/feed"))
    runner = CliRunner()
    env = cli_env(database_url)

    first = runner.invoke(cli, ["refresh"], env=env)
    not_due = runner.invoke(cli, ["refresh"], env=env)
    forced = runner.invoke(cli, ["refresh", "--all"], env=env)
    one = runner.invoke(cli, ["refresh", str(feed.id)], env=env)

    assert first.output == "checked 1 feeds: 2 new entries, 0 updated, 0 unchanged, 0 errors\n"
    assert not_due.output == "checked 0 feeds: 0 new entries, 0 updated, 0 unchanged, 0 errors\n"
    assert forced.output == "checked 1 feeds: 0 new entries, 0 updated, 1 unchanged, 0 errors\n"
    assert one.output == forced.output
    assert feed_server.counts["/feed"] == 3
    assert len(entry_rows(store, feed.id)) == 2
