"""Driving due feeds through the stages: claim -> fetch -> parse -> plan -> store.

`Refresher.refresh_due()` checks every feed that is due once; `Refresher.run_forever()` keeps doing
so (inside `tidings serve` and `tidings worker`). Fetching is asyncio; parsing is CPU work and runs
in parse processes with a time limit (refresh/pool.py), so the event loop keeps fetching while both
cores parse and no document can hold this process; database calls run in threads (one writer
thread on SQLite, where writes are serialised anyway).

Finished checks are written in batches: whatever finished while the previous batch was being
written goes into the next one, one transaction with a SAVEPOINT per feed (see
`store.updates.UpdateBatch`). Planning runs there too, right after reading the stored hashes.

A check that stored new entries is handed to the ArticleCrawler (refresh/articles.py), which
gets their full articles beside the checks, never in their way; leaving the Refresher waits for
those crawls, unless it is left by an error or a cancellation (which ends them).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections import deque
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import TracebackType
from typing import Self, TypeVar

from sqlalchemy import exc as sa_exc

from tidings.config import Settings
from tidings.fetch import BodyRoom, Fetcher, LargeBodies
from tidings.model import Feed, FeedToFetch, FeedUpdate, FetchResult, ParsedFeed
from tidings.parse.bounds import cut_line
from tidings.refresh.articles import ArticleCrawler
from tidings.refresh.parsing import ParsedDocument, body_hash, parse_document
from tidings.refresh.plan import PlanSettings, plan_update, retention_cutoff
from tidings.refresh.pool import Parser, ProcessDied, TimedOut, parse_pool, parse_workers
from tidings.rules.engine import RuleBook, rule_book
from tidings.site_settings import apply_site_settings
from tidings.store import Store
from tidings.store.updates import Retention, UpdateBatch

__all__ = ["OnDocument", "RefreshSummary", "Refresher", "parse_document", "run_refresher"]

# Told of every document a check parsed (the WebSub service looks for a hub in it).
OnDocument = Callable[[Feed, FetchResult, ParsedFeed], None]
# Told of every feed a check or a push gave new entries (the WebSub service pings our hub).
OnNewEntries = Callable[[Feed], None]

log = logging.getLogger(__name__)

IDLE_POLL_SECONDS = 5.0  # how soon an idle refresher notices a feed made due ("update now")
WRITE_BATCH = 64  # checks written per transaction, at most

T = TypeVar("T")


@dataclass(slots=True)
class RefreshSummary:
    """Counts of one refresh run, for the CLI's summary line and the logs."""

    feeds: int = 0
    new_entries: int = 0
    updated_entries: int = 0
    not_modified: int = 0  # a 304, or the same body as last time: "unchanged"
    errors: int = 0
    error_feeds: list[int] = field(default_factory=list)

    def line(self) -> str:
        """One line for a user: "checked 3 feeds: 12 new entries, 1 updated, 1 unchanged, ..."."""
        return (
            f"checked {self.feeds} feeds: {self.new_entries} new entries, "
            f"{self.updated_entries} updated, {self.not_modified} unchanged, {self.errors} errors"
        )


def plan_settings(settings: Settings) -> PlanSettings:
    """The refresh decisions' knobs from the site settings."""
    return PlanSettings(disable_after=settings.disable_after_days * 86400)


def new_owner_id() -> str:
    """A lease owner name that tells an operator which process holds a feed."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True, slots=True)
class _Outcome:
    """What one check wrote: the update, the entries really inserted, and "unchanged"."""

    update: FeedUpdate
    new: int = 0
    unchanged: bool = False
    seen_at: datetime | None = None  # the new entries' first_seen_at


@dataclass(slots=True)
class _Job:
    """A fetched (and perhaps parsed) feed waiting to be planned and written."""

    feed: Feed
    result: FetchResult
    now: datetime
    document: ParsedDocument | None = None
    parse_error: str | None = None
    digest: str | None = None  # the body's hash, when there is a body
    unchanged: bool = False  # the same body as last time: not parsed
    recording_failure: bool = False  # this job records an unexpected failure of the feed
    pushed: bool = False  # a hub's delivery (WebSub), not a fetch: the schedule stays
    future: asyncio.Future[_Outcome] | None = None


class Refresher:
    """Checks due feeds of one Store. Use as a context manager (it owns a fetcher and database
    threads; the parse processes are shared, see refresh/pool.py)."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        fetcher: Fetcher | None = None,
        parser: Parser | None = None,
        owner: str | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        on_document: OnDocument | None = None,
        on_new_entries: OnNewEntries | None = None,
    ) -> None:
        self.store = store
        self.on_document = on_document
        self.on_new_entries = on_new_entries
        self.configured = settings
        self.settings = settings  # with the site settings applied, anew in each refresh_due()
        self.owner = owner or new_owner_id()
        self._clock = clock
        self._plan = plan_settings(settings)
        self._fetcher = fetcher or Fetcher.from_settings(settings)
        # Every parse runs in a parse process with a time limit, never in this process: a
        # hostile document must not hold the GIL the web server and the writer need.
        self._parser = parser or parse_pool(settings)
        self._articles: ArticleCrawler | None = None  # made in __aenter__, bound to its loop
        # Large documents held at once, from the end of their fetch until stored: two per parse
        # process keeps each busy; the rest wait, unread, on their servers' side of the socket.
        workers = parse_workers(settings)
        self._large_slots = 2 * workers
        self._large = LargeBodies(self._large_slots)
        # SQLite takes one writer at a time: one thread avoids queueing on the file lock.
        db_threads = 1 if store.dialect == "sqlite" else 4
        self._db = ThreadPoolExecutor(db_threads, thread_name_prefix="tidings-db")
        # The rules are read on a thread (and connection) of their own: on SQLite's one database
        # thread, reading them held back the claims behind them, and with them every fetch (a
        # later round of 1,000 feeds took 0.2 s longer with 2,000 rules, most of it waiting).
        self._rules_reader = ThreadPoolExecutor(1, thread_name_prefix="tidings-rules")
        self._log_retention = Retention(log_size=settings.fetch_log_size)
        self._rules: RuleBook | None = None
        # The round's rules while their thread reads them; the writer waits for them.
        self._rules_loading: asyncio.Future[RuleBook] | None = None
        self._pushed: set[int] = set()  # claimed feeds with a live WebSub subscription
        self._crawled: set[int] = set()  # claimed feeds a subscriber wants full articles of
        self._pending: deque[_Job] = deque()
        self._writer: asyncio.Task[None] | None = None
        self._wake_writer = asyncio.Event()
        self._entered = False

    async def __aenter__(self) -> Self:
        await self._fetcher.__aenter__()
        self._wake_writer = asyncio.Event()  # bound to this event loop
        self._large = LargeBodies(self._large_slots)
        self._articles = ArticleCrawler(self.store, self.settings, self._fetcher, self._parser)
        self._entered = True
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            # A normal exit (a command's refresh, a subscription's first check) waits for the
            # articles; an error or a cancellation (the server stopping) ends them.
            if self._articles is not None:
                await self._articles.close(wait=exc_type is None)
                self._articles = None
        finally:
            if self._writer is not None:
                self._writer.cancel()
                await asyncio.gather(self._writer, return_exceptions=True)
                self._writer = None
        await self._fetcher.__aexit__(exc_type, exc, tb)
        try:
            await self._in_db(self.store.updates.release, self.owner)
        finally:
            self._db.shutdown(wait=True)
            self._rules_reader.shutdown(wait=True)

    def _load_rules(self) -> RuleBook:
        """The enabled rules, compiled: looked at once a round (a rule saved meanwhile counts
        from the next round on), read and compiled only when their signature is not the last
        one's (`engine.rule_book`). Who reads each feed is read by the write batches (see
        _write_batch)."""
        # The signature is read before the rules: a rule changed in between gives the next
        # round a signature unlike this one, so that round reads the rules again.
        rules = self.store.rules
        book = rule_book(rules.enabled_signature(), rules.enabled)
        for rule, why in book.broken:
            log.warning(
                "rule %s of user %s is left out of this round: %s", rule.id, rule.user_id, why
            )
        return book

    def _read_rules(self) -> asyncio.Future[RuleBook]:
        """Start reading the round's rules (`_load_rules`) on the rules' own thread."""
        loop = asyncio.get_running_loop()
        return asyncio.ensure_future(loop.run_in_executor(self._rules_reader, self._load_rules))

    async def _in_db(self, function: Callable[..., T], *args: object) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._db, function, *args)

    async def refresh_due(
        self,
        feed_ids: Collection[int] | None = None,
        on_feed: Callable[[Feed, FeedUpdate], None] | None = None,
    ) -> RefreshSummary:
        """Check every due feed (only `feed_ids` if given) once; gives back what happened.

        Feeds are claimed as checks finish, so that about twice the fetch concurrency are held
        at a time: enough to keep every fetch slot busy, few enough that no lease is held long
        for a feed this worker will not reach soon.
        """
        if not self._entered:
            raise RuntimeError("use `async with Refresher(...)`")
        # The site settings page may have changed allowed_html or discard_after meanwhile.
        stored = await self._in_db(self.store.site_settings.get_all)
        self.settings = apply_site_settings(self.configured, stored)
        summary = RefreshSummary()
        rules_loaded = False
        most = max(2 * self.settings.concurrency, 1)
        refill = max(most // 2, 1)  # claim again when this few are left in flight
        running: dict[asyncio.Task[_Outcome], Feed] = {}
        finished: asyncio.Queue[asyncio.Task[_Outcome]] = asyncio.Queue()
        exhausted = False
        try:
            while True:
                if not exhausted and len(running) <= refill:
                    claimed = await self._in_db(
                        self.store.updates.claim_due,
                        self.owner,
                        self._clock(),
                        most - len(running),
                        self.settings.lease_seconds,
                        feed_ids,
                    )
                    exhausted = not claimed
                    if claimed:
                        # Feeds a hub pushes are polled more slowly (one query per claim).
                        self._pushed |= await self._in_db(
                            self.store.websub.live_feeds, [f.id for f in claimed], self._clock()
                        )
                        # Whose new entries get their articles (one query per claim, so that
                        # a round's other feeds cost no crawl task nor query).
                        self._crawled |= await self._in_db(
                            self.store.articles.wanted, [f.id for f in claimed]
                        )
                    if claimed and not rules_loaded:
                        # The rules as they are now, read once a round that has feeds to check
                        # (an idle round, every few seconds, reads nothing): a rule saved
                        # meanwhile applies from the next round on. Only writing needs them, so
                        # the feeds are fetched and parsed while their own thread reads and
                        # compiles them (0.1-0.25 s for 2,000 rules, before the first fetch
                        # before).
                        self._rules_loading = self._read_rules()
                        rules_loaded = True
                    for feed in claimed:
                        task = asyncio.create_task(self._check(feed))
                        task.add_done_callback(finished.put_nowait)
                        running[task] = feed
                if not running:
                    return summary
                task = await finished.get()
                if self._rules_loading is not None and self._rules_loading.done():
                    self._rules_loading.result()  # the round stops if the rules cannot be read
                feed = running.pop(task)
                self._pushed.discard(feed.id)
                crawled = feed.id in self._crawled
                self._crawled.discard(feed.id)
                outcome = task.result()
                self._count(summary, outcome)
                if outcome.new:
                    self._tell_new(feed)
                    if crawled:
                        self._crawl(feed, outcome)
                if on_feed is not None:
                    on_feed(feed, outcome.update)
        finally:
            for task in running:
                task.cancel()
            if running:
                await asyncio.gather(*running, return_exceptions=True)

    @staticmethod
    def _count(summary: RefreshSummary, outcome: _Outcome) -> None:
        update = outcome.update
        summary.feeds += 1
        summary.new_entries += outcome.new
        summary.updated_entries += len(update.changed_entries)
        if outcome.unchanged:
            summary.not_modified += 1
        if update.feed.last_error:
            summary.errors += 1
            summary.error_feeds.append(update.feed.id)

    async def _check(self, feed: Feed) -> _Outcome:
        """One feed through fetch, parse, plan and store.

        Whatever goes wrong with one feed is recorded on that feed; it never stops the others.
        """
        room = self._large.room()
        try:
            return await self._write(await self._fetch_and_parse(feed, room))
        except Exception as exc:
            log.exception("refreshing feed %s (%s) failed", feed.id, feed.url)
            failure = _failure(feed, exc, self._clock())
            try:
                return await self._write(failure)
            except Exception:
                log.exception("recording the failure of feed %s failed too", feed.id)
                update = plan_update(feed, failure.result, None, None, {}, failure.now, self._plan)
                return _Outcome(update)
        finally:
            room.release()  # the body and its parse are stored (or dropped): room for another

    async def _fetch_and_parse(self, feed: Feed, room: BodyRoom) -> _Job:
        request = FeedToFetch(feed.id, feed.url, feed.etag, feed.last_modified)
        result = await self._fetcher.fetch(request, room)
        job = _Job(feed, result, now=self._clock())
        if result.error is not None or result.body is None:
            job.unchanged = result.error is None and result.not_modified
            return job
        job.digest = body_hash(result.body)
        if job.digest == feed.body_hash:
            job.unchanged = True  # the same bytes as last time: nothing to parse or write
            return job
        await self._parse(job)
        if job.document is not None and self.on_document is not None:
            try:
                self.on_document(feed, result, job.document.feed)
            except Exception:
                log.exception("the document hook failed for feed %s", feed.id)
        return job

    async def deliver(self, feed_id: int, body: bytes, content_type: str | None) -> int:
        """Parse a document a hub pushed for the feed and write it as a check does (the same
        plan, deduplication and rules); gives the number of new entries.

        The feed's poll schedule, validators and body hash stay: they belong to its own fetches.
        """
        if not self._entered:
            raise RuntimeError("use `async with Refresher(...)`")
        loading = self._rules_loading
        failed = (
            loading is not None
            and loading.done()
            and (loading.cancelled() or loading.exception() is not None)
        )
        if (self._rules is None and loading is None) or failed:
            # None read yet, or the last reading failed: a push between rounds reads them again.
            self._rules_loading = self._read_rules()
        feed = await self._in_db(self.store.feeds.get, feed_id)
        headers = {"content-type": content_type} if content_type else {}
        result = FetchResult(feed.url, feed.url, 200, headers=headers, body=body)
        job = _Job(feed, result, now=self._clock(), pushed=True, digest=body_hash(body))
        await self._parse(job)
        if job.document is None:
            log.warning("a push for feed %s could not be parsed: %s", feed_id, job.parse_error)
            return 0
        outcome = await self._write(job)
        if outcome.new:
            self._tell_new(feed)
            self._crawl(feed, outcome)
        return outcome.new

    def _crawl(self, feed: Feed, outcome: _Outcome) -> None:
        """Start getting the full articles of the check's new entries (the crawl asks again
        whether anyone wants them: a push's feed was not claimed)."""
        if outcome.seen_at is not None and self._articles is not None:
            self._articles.crawl(feed.id, outcome.seen_at, self.settings)

    async def wait_for_articles(self) -> None:
        """Return once the full articles of every check so far are stored (or have failed)."""
        if self._articles is not None:
            await self._articles.wait()

    def _tell_new(self, feed: Feed) -> None:
        if self.on_new_entries is not None:
            try:
                self.on_new_entries(feed)
            except Exception:
                log.exception("the new-entries hook failed for feed %s", feed.id)

    async def _parse(self, job: _Job) -> None:
        """Parse the job's body in a parse process: sets its document or its parse error."""
        feed, result = job.feed, job.result
        assert result.body is not None
        try:
            outcome = await self._parser.run(
                parse_document,
                result.body,
                result.final_url,
                result.headers.get("content-type"),
                self.settings.allowed_html,
                self.settings.max_entries_per_document,
                True,  # the search index and rules read the text (computed off the writer)
                self.settings.max_entry_bytes,
                self.settings.max_title_length,
            )
        except TimedOut:
            log.warning("parsing feed %s (%s) took too long; stopped it", feed.id, feed.url)
            outcome = too_slow(self.settings.parse_timeout)
        except ProcessDied:
            log.warning("the parse process died while parsing feed %s (%s)", feed.id, feed.url)
            outcome = "the feed could not be parsed: the parse process stopped before it finished."
        job.now = self._clock()
        if isinstance(outcome, str):
            job.parse_error = outcome
        else:
            job.document = outcome

    # --- writing -------------------------------------------------------------------------------

    async def _write(self, job: _Job) -> _Outcome:
        """Plan and write `job` with the next batch; gives what was written."""
        job.future = asyncio.get_running_loop().create_future()
        self._pending.append(job)
        self._wake_writer.set()
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_batches())
        return await job.future

    async def _write_batches(self) -> None:
        """Write whatever is pending, one batch at a time, until cancelled."""
        while True:
            await self._wake_writer.wait()
            self._wake_writer.clear()
            while self._pending:
                count = min(WRITE_BATCH, len(self._pending))
                jobs = [self._pending.popleft() for _ in range(count)]
                try:
                    if self._rules_loading is not None and any(
                        j.document is not None for j in jobs
                    ):
                        # Raises for every batch while the round's rules could not be read:
                        # nothing is written without them (a blocked entry would show). Shielded:
                        # the writer's cancellation is not the reading's. A batch without a
                        # parsed document (304s, unchanged bodies, errors) has no new entry for
                        # them, and is written meanwhile.
                        self._rules = await asyncio.shield(self._rules_loading)
                        self._rules_loading = None
                    outcomes = await self._in_db(self._write_batch, jobs)
                except asyncio.CancelledError:
                    for job in jobs:
                        if job.future is not None and not job.future.done():
                            job.future.cancel()
                    raise
                except Exception as exc:  # the transaction failed as a whole (e.g. at commit)
                    for job in jobs:
                        if job.future is not None and not job.future.done():
                            job.future.set_exception(exc)
                else:
                    for job, outcome in zip(jobs, outcomes, strict=True):
                        if job.future is not None and not job.future.done():
                            job.future.set_result(outcome)

    def _write_batch(self, jobs: list[_Job]) -> list[_Outcome]:
        """Runs in the database thread: one transaction, one savepoint per feed."""
        with self.store.updates.batch(self._rules) as batch:
            # The readers with rules of the feeds that may have new entries, in one go.
            batch.read_rule_readers([j.feed.id for j in jobs if j.document is not None])
            return [self._write_one(batch, job) for job in jobs]

    def _write_one(self, batch: UpdateBatch, job: _Job) -> _Outcome:
        if not job.recording_failure:
            try:
                return self._write_check(batch, job)
            except Exception as exc:
                log.exception("refreshing feed %s (%s) failed", job.feed.id, job.feed.url)
                job = _failure(job.feed, exc, job.now)
        update = plan_update(job.feed, job.result, None, None, {}, job.now, self._plan)
        try:
            batch.apply(update, owner=self.owner, now=job.now, retention=self._log_retention)
        except Exception:
            log.exception("recording the failure of feed %s failed too", job.feed.id)
        return _Outcome(update)

    def _write_check(self, batch: UpdateBatch, job: _Job) -> _Outcome:
        document, now = job.document, job.now
        parsed = document.feed if document is not None else None
        if job.pushed and document is not None:
            # A push carries the newest entries only: compare them all, remove nothing.
            retention = self._log_retention
            keys: Collection[str] = [entry.id for entry in document.feed.entries]
        elif document is not None and job.feed.checked_at is not None:
            # Retention only after a parse: an unparsed (304, unchanged) check does not know which
            # entries are still in the document, and removing one would make it come back as new.
            retention = Retention(
                discard_before=retention_cutoff(now, self.settings.discard_after),
                max_entries=self.settings.max_entries_per_feed,
                log_size=self.settings.fetch_log_size,
            )
            keys = [entry.id for entry in document.feed.entries]
        else:
            # Nothing to compare with or to remove: an unparsed check, or a feed never checked
            # before, which has no entries stored (only the refresher writes `checked_at`, always,
            # and only the lease holder writes; every entry it stores now is in the document).
            retention, keys = self._log_retention, ()

        def plan(existing: dict[str, str]) -> FeedUpdate:
            update = plan_update(
                job.feed,
                job.result,
                parsed,
                job.parse_error,
                existing,
                now,
                self._plan,
                hashes=document.hashes if document is not None else None,
                texts=document.texts if document is not None else None,
                new_body_hash=job.digest,
                pushed=job.feed.id in self._pushed,
            )
            if not job.pushed:
                return update
            # The poll's own state stays: its validators, body hash and next check time.
            kept = replace(
                update.feed,
                etag=job.feed.etag,
                last_modified=job.feed.last_modified,
                body_hash=job.feed.body_hash,
                next_check_at=job.feed.next_check_at,
            )
            return replace(update, feed=kept)

        # A push holds no lease: it is written whoever holds the feed (see docs/push.md).
        owner = None if job.pushed else self.owner
        update, new = batch.write(
            job.feed.id, keys, plan, owner=owner, now=now, retention=retention
        )
        unchanged = job.unchanged and not update.feed.last_error
        return _Outcome(update, new, unchanged=unchanged, seen_at=now)

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


def too_slow(limit: float) -> str:
    """The error of a check whose document took longer than `limit` seconds to parse."""
    return f"the feed took too long to parse (over {limit:g} s)"


def failure_sentence(exc: BaseException) -> str:
    """The error a reader is shown for an unexpected failure while checking a feed.

    Never a database error's text: that is the SQL statement with its parameters (the feed's own
    data, at times someone else's), which says nothing to a reader. The log has it all.
    """
    if _is_database_error(exc):
        return "The feed could not be stored (database error)."
    return f"tidings could not process this feed ({cut_line(str(exc), 300)})."


def _is_database_error(exc: BaseException | None) -> bool:
    """True for an error of SQLAlchemy or of a database driver, or one caused by such."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, sa_exc.SQLAlchemyError):
            return True
        if type(exc).__module__.split(".")[0] in ("sqlite3", "psycopg", "psycopg2"):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def _failure(feed: Feed, exc: Exception, now: datetime) -> _Job:
    """A job that records an unexpected failure while checking `feed`."""
    error = failure_sentence(exc)
    result = FetchResult(feed.url, feed.url, None, error=error)
    return _Job(feed, result, now, recording_failure=True)


async def run_refresher(store: Store, settings: Settings) -> None:
    """Check due feeds of `store` until cancelled (the background task of serve and worker)."""
    async with Refresher(store, settings) as refresher:
        await refresher.run_forever()


# How often refresh_now looks whether another refresher has checked the feed it could not claim.
CHECKED_POLL_SECONDS = 0.1


async def refresh_now(
    store: Store, settings: Settings, feed_id: int, on_document: OnDocument | None = None
) -> None:
    """Check the feed now and return once a check of it started after this call is stored.

    Subscribing and Miniflux's refresh wait for this (within their deadline), so a client that
    lists entries right after sees them. The feed is made due, then checked here; when another
    refresher holds its lease (the background one of `serve`, a worker), this waits for that
    check instead. The caller bounds the wait (asyncio.wait_for). `on_document` is told of the
    parsed document as the background refresher's is (`serve` notes its WebSub hub: a feed
    whose document did not change after subscribing was otherwise never subscribed at it).
    """
    started = datetime.now(UTC)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, store.feeds.schedule_now, [feed_id])
    async with Refresher(store, settings, on_document=on_document) as refresher:
        await refresher.refresh_due([feed_id])
    while True:
        feed = await loop.run_in_executor(None, store.feeds.get, feed_id)
        if feed.disabled_reason or (feed.checked_at is not None and feed.checked_at >= started):
            return
        await asyncio.sleep(CHECKED_POLL_SECONDS)
