"""Driving due feeds through the stages: claim -> fetch -> parse -> plan -> store.

`Refresher.refresh_due()` checks every feed that is due once; `Refresher.run_forever()` keeps doing
so (inside `tidings serve` and `tidings worker`). Fetching is asyncio; parsing is CPU work and runs
in a process pool so the event loop keeps fetching while both cores parse; database calls run in
threads (one writer thread on SQLite, where writes are serialised anyway).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import socket
import uuid
from collections.abc import Callable, Collection
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Self, TypeVar

from tidings.config import Settings
from tidings.fetch import Fetcher
from tidings.model import Feed, FeedToFetch, FeedUpdate, FetchResult, ParsedFeed
from tidings.parse import FeedParseError, parse_feed
from tidings.refresh.plan import PlanSettings, body_hash, plan_update, retention_cutoff
from tidings.store import Store
from tidings.store.updates import Retention

log = logging.getLogger(__name__)

CLAIM_BATCH = 200  # feeds claimed per round trip; more in flight than the fetch concurrency
IDLE_POLL_SECONDS = 5.0  # how soon an idle refresher notices a feed made due ("update now")

T = TypeVar("T")


@dataclass(slots=True)
class RefreshSummary:
    """Counts of one refresh run, for the CLI's summary line and the logs."""

    feeds: int = 0
    new_entries: int = 0
    updated_entries: int = 0
    not_modified: int = 0
    errors: int = 0
    error_feeds: list[int] = field(default_factory=list)

    def line(self) -> str:
        """One line for a user: "checked 3 feeds: 12 new entries, 1 updated, 1 unchanged, ..."."""
        return (
            f"checked {self.feeds} feeds: {self.new_entries} new entries, "
            f"{self.updated_entries} updated, {self.not_modified} unchanged, {self.errors} errors"
        )


def parse_document(
    body: bytes, url: str, content_type: str | None, allowed_html: str, max_entries: int
) -> ParsedFeed | str:
    """The parsed feed, or the parse error as a sentence (runs in a worker process)."""
    try:
        return parse_feed(
            body, url, content_type, allowed_html=allowed_html, max_entries=max_entries
        )
    except FeedParseError as exc:
        if exc.feed_links:
            return f"This is a web page, not a feed. It announces: {', '.join(exc.feed_links)}"
        return f"This is not a feed: {exc}"


def plan_settings(settings: Settings) -> PlanSettings:
    """The refresh decisions' knobs from the site settings."""
    return PlanSettings(disable_after=settings.disable_after_days * 86400)


def new_owner_id() -> str:
    """A lease owner name that tells an operator which process holds a feed."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Refresher:
    """Checks due feeds of one Store. Use as a context manager (it owns a process pool)."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        fetcher: Fetcher | None = None,
        owner: str | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.settings = settings
        self.owner = owner or new_owner_id()
        self._clock = clock
        self._plan = plan_settings(settings)
        self._fetcher = fetcher or Fetcher.from_settings(settings)
        workers = settings.parse_workers or os.cpu_count() or 1
        # "spawn": forking a process that runs threads and an event loop can copy held locks.
        self._parse_pool: Executor = (
            ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
            if workers > 1
            else ThreadPoolExecutor(1, thread_name_prefix="tidings-parse")
        )
        # SQLite takes one writer at a time: one thread avoids queueing on the file lock.
        db_threads = 1 if store.dialect == "sqlite" else 4
        self._db = ThreadPoolExecutor(db_threads, thread_name_prefix="tidings-db")
        self._entered = False

    async def __aenter__(self) -> Self:
        await self._fetcher.__aenter__()
        self._entered = True
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._fetcher.__aexit__(exc_type, exc, tb)
        self._parse_pool.shutdown(wait=True, cancel_futures=True)
        try:
            await self._in_db(self.store.updates.release, self.owner)
        finally:
            self._db.shutdown(wait=True)

    async def _in_db(self, function: Callable[..., T], *args: object) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._db, function, *args)

    async def refresh_due(
        self,
        feed_ids: Collection[int] | None = None,
        on_feed: Callable[[Feed, FeedUpdate], None] | None = None,
    ) -> RefreshSummary:
        """Check every due feed (only `feed_ids` if given) once; gives back what happened."""
        if not self._entered:
            raise RuntimeError("use `async with Refresher(...)`")
        summary = RefreshSummary()
        while True:
            claimed = await self._in_db(
                self.store.updates.claim_due,
                self.owner,
                self._clock(),
                CLAIM_BATCH,
                self.settings.lease_seconds,
                feed_ids,
            )
            if not claimed:
                return summary
            results = await asyncio.gather(*(self._check(feed) for feed in claimed))
            for feed, (update, new) in zip(claimed, results, strict=True):
                self._count(summary, update, new)
                if on_feed is not None:
                    on_feed(feed, update)

    @staticmethod
    def _count(summary: RefreshSummary, update: FeedUpdate, new: int) -> None:
        summary.feeds += 1
        summary.new_entries += new
        summary.updated_entries += len(update.changed_entries)
        if update.log and update.log.status == 304:
            summary.not_modified += 1
        if update.feed.last_error:
            summary.errors += 1
            summary.error_feeds.append(update.feed.id)

    async def _check(self, feed: Feed) -> tuple[FeedUpdate, int]:
        """One feed through fetch, parse, plan and store; gives the update and the new count.

        Whatever goes wrong with one feed is recorded on that feed; it never stops the others.
        """
        try:
            return await self._check_stages(feed)
        except Exception as exc:
            log.exception("refreshing feed %s (%s) failed", feed.id, feed.url)
            failure = FetchResult(
                feed.url, feed.url, None, error=f"tidings could not process this feed ({exc})."
            )
            now = self._clock()
            update = plan_update(feed, failure, None, None, {}, now, self._plan)
            try:
                await self._in_db(self._apply, update, now, Retention())
            except Exception:
                log.exception("recording the failure of feed %s failed too", feed.id)
            return update, 0

    async def _check_stages(self, feed: Feed) -> tuple[FeedUpdate, int]:
        request = FeedToFetch(feed.id, feed.url, feed.etag, feed.last_modified)
        result = await self._fetcher.fetch(request)
        parsed, parse_error = await self._parse(feed, result)
        existing: dict[str, str] = {}
        if parsed is not None:
            keys = [entry.id for entry in parsed.entries]
            existing = await self._in_db(self.store.updates.stored_hashes, feed.id, keys)
        now = self._clock()
        update = plan_update(feed, result, parsed, parse_error, existing, now, self._plan)
        # Retention only after a parse: an unparsed (304, unchanged) check does not know which
        # entries are still in the document, and removing one would make it come back as new.
        retention = Retention(
            discard_before=retention_cutoff(now, self.settings.discard_after)
            if parsed is not None
            else None,
            max_entries=self.settings.max_entries_per_feed if parsed is not None else 0,
            log_size=self.settings.fetch_log_size,
        )
        new = await self._in_db(self._apply, update, now, retention)
        return update, new

    def _apply(self, update: FeedUpdate, now: datetime, retention: Retention) -> int:
        return self.store.updates.apply(update, owner=self.owner, now=now, retention=retention)

    async def _parse(self, feed: Feed, result: FetchResult) -> tuple[ParsedFeed | None, str | None]:
        """The parsed document, or the reason it could not be parsed; (None, None) to skip."""
        if result.error is not None or result.body is None or result.not_modified:
            return None, None
        if feed.body_hash is not None and body_hash(result.body) == feed.body_hash:
            return None, None  # the same bytes as last time: nothing to parse or write
        outcome = await asyncio.get_running_loop().run_in_executor(
            self._parse_pool,
            parse_document,
            result.body,
            result.final_url,
            result.headers.get("content-type"),
            self.settings.allowed_html,
            self.settings.max_entries_per_document,
        )
        if isinstance(outcome, str):
            return None, outcome
        return outcome, None

    async def run_forever(self, idle_poll: float = IDLE_POLL_SECONDS) -> None:
        """Check due feeds until cancelled; a failing round is logged, never fatal."""
        while True:
            try:
                summary = await self.refresh_due()
                if summary.feeds:
                    log.info("refresh: %s", summary.line())
            except asyncio.CancelledError:
                raise
            except Exception:
                # A database outage must not kill the server; the next round tries again.
                log.exception("refresh round failed; retrying in %.0f s", idle_poll)
            await asyncio.sleep(idle_poll)


async def run_refresher(store: Store, settings: Settings) -> None:
    """Check due feeds of `store` until cancelled (the background task of serve and worker)."""
    async with Refresher(store, settings) as refresher:
        await refresher.run_forever()
