"""A check that fails in the database leaves a sentence on the feed, never SQL or its data."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from support.live_server import serving_pages
from tidings.config import load_settings
from tidings.model import FeedUpdate
from tidings.refresh.run import Refresher, failure_sentence
from tidings.store import Store
from tidings.store.updates import UpdateBatch

SECRET = "hunter2-parameter"


def rss(prefix: str) -> bytes:
    items = "".join(f"<item><guid>{prefix}{n}</guid><title>t</title></item>" for n in range(2))
    return f"<rss version='2.0'><channel><title>x</title>{items}</channel></rss>".encode()


def test_a_database_error_while_writing_is_stored_as_a_sentence(
    store: Store, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real_write = UpdateBatch.write
    failed_once: list[int] = []

    def write(
        self: UpdateBatch, feed_id: int, keys: Any, plan: Callable[..., FeedUpdate], **kw: Any
    ) -> Any:
        def failing_plan(existing: dict[str, str]) -> FeedUpdate:
            if feed_id == broken.id and not failed_once:  # a statement the database refuses
                failed_once.append(feed_id)
                self._conn.execute(sa.text("INSERT INTO no_such_table VALUES (:v)"), {"v": SECRET})
            return plan(existing)

        return real_write(self, feed_id, keys, failing_plan, **kw)

    monkeypatch.setattr(UpdateBatch, "write", write)
    pages = {
        "/broken": (200, "application/rss+xml", rss("b")),
        "/fine": (200, "application/rss+xml", rss("f")),
    }
    settings = load_settings(environ={}, allow_private_networks=True, parse_workers=1)
    with serving_pages(pages) as base:
        broken = store.feeds.add(base + "/broken")
        fine = store.feeds.add(base + "/fine")

        async def run() -> Any:
            async with Refresher(store, settings) as refresher:
                return await refresher.refresh_due()

        with caplog.at_level(logging.ERROR, logger="tidings.refresh.run"):
            summary = asyncio.run(run())

    assert (summary.feeds, summary.errors, summary.new_entries) == (2, 1, 2)
    failed = store.feeds.get(broken.id)
    assert failed.last_error == "The feed could not be stored (database error)."
    assert failed.error_count == 1
    assert store.feeds.get(fine.id).last_error is None
    assert store.updates.log(broken.id)[0].error == failed.last_error
    # The administrator's log has the whole story.
    assert "no_such_table" in caplog.text and SECRET in caplog.text


@pytest.mark.parametrize(
    ("error", "sentence"),
    [
        (sa.exc.OperationalError("SELECT 1", {"p": SECRET}, Exception("boom")), "database error"),
        (sa.exc.IntegrityError("INSERT", {"p": SECRET}, Exception("dup")), "database error"),
        (RuntimeError("a bug"), "tidings could not process this feed (a bug)."),
    ],
)
def test_failure_sentences(error: Exception, sentence: str) -> None:
    text = failure_sentence(error)
    assert sentence in text and SECRET not in text and "SELECT" not in text


def test_an_error_caused_by_a_driver_error_is_a_database_error() -> None:
    import sqlite3

    outer = RuntimeError("wrapped: no such table: x")
    outer.__cause__ = sqlite3.OperationalError("no such table: x")
    assert failure_sentence(outer) == "The feed could not be stored (database error)."
