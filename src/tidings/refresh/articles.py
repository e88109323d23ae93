"""The refresher's full articles: for a feed some subscriber has `crawler` on for, the pages of
a check's new entries are fetched and their articles stored (docs/articles.md).

Off the writer's path: the refresher hands a check that stored new entries to `ArticleCrawler`
and goes on; the crawl runs as its own task, reads and writes through a database thread of its
own (never the writer's queue), fetches through the refresher's Fetcher (the same pool, network
guard and per-host limits as feeds) and extracts in the parse processes. It takes at most half of
each of these, so feeds always have room: a slow article page holds an article slot, never a
feed's check.

Each new entry is tried once: a failure is logged and written on the feed (`article_error`,
shown on the reader's settings page of the subscription), never retried by the refresher; the
reader's "Full article" button tries again on demand.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from tidings.articles import ArticleError, fetch_page, read_article
from tidings.config import Settings
from tidings.fetch import Fetcher
from tidings.parse.bounds import cut_line
from tidings.refresh.pool import Parser, parse_workers
from tidings.store import NotFound, Store
from tidings.store.articles import ArticleCandidate

log = logging.getLogger(__name__)

# The newest new entries of one check that get their article: a feed's first check (or one
# after a long silence) can bring a hundred entries, and fetching every page would be a burst
# on one site for articles nobody reads.
ARTICLES_PER_CHECK = 10

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ArticleOutcome:
    """What became of one entry's article: its page's address, and why not, when it failed."""

    url: str
    error: str | None = None


def pick_articles(candidates: Sequence[ArticleCandidate], limit: int) -> list[ArticleCandidate]:
    """The newest `limit` candidates whose link is a web page, one per link, newest first."""
    chosen: list[ArticleCandidate] = []
    links: set[str] = set()
    for candidate in sorted(candidates, key=lambda c: (c.sort_at, c.entry_id), reverse=True):
        link = candidate.link
        if len(chosen) >= limit:
            break
        if not link or not link.lower().startswith(("http://", "https://")) or link in links:
            continue
        links.add(link)
        chosen.append(candidate)
    return chosen


def crawl_error(outcomes: Sequence[ArticleOutcome]) -> str | None:
    """The sentence stored on the feed after a crawl: None when every article was got."""
    failed = [o for o in outcomes if o.error is not None]
    if not failed:
        return None
    first = failed[0]
    reason = cut_line(f"{first.url}: {first.error}", 400)
    if len(failed) == 1 and len(outcomes) == 1:
        return f"The full article could not be got ({reason})."
    return f"{len(failed)} of {len(outcomes)} full articles could not be got (first: {reason})."


class ArticleCrawler:
    """Fetches and stores the articles of new entries, each feed's as a task of its own."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        fetcher: Fetcher,
        parser: Parser,
        *,
        per_check: int = ARTICLES_PER_CHECK,
    ) -> None:
        self._store = store
        self._settings = settings
        self._fetcher = fetcher
        self._parser = parser
        self._per_check = per_check
        workers = parse_workers(settings)
        # Half of the fetch slots and of the parse processes at most: the rest stay the feeds'.
        self._pages = asyncio.Semaphore(max(1, settings.concurrency // 2))
        self._reading = asyncio.Semaphore(max(1, workers // 2))
        self._db = ThreadPoolExecutor(1, thread_name_prefix="tidings-articles")
        self._tasks: set[asyncio.Task[None]] = set()

    def crawl(self, feed_id: int, first_seen_at: datetime, settings: Settings) -> None:
        """Start getting the articles of the feed's entries first seen at `first_seen_at` (one
        check's new entries), if a subscriber wants them; returns at once."""
        self._settings = settings  # the round's, with the site settings applied
        task = asyncio.create_task(self._crawl(feed_id, first_seen_at))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @property
    def pending(self) -> int:
        """The feeds whose crawl has not finished."""
        return len(self._tasks)

    async def wait(self) -> None:
        """Return once every crawl started so far has finished (each is bounded in time by the
        fetch and parse timeouts)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def close(self, *, wait: bool) -> None:
        """Finish (`wait`) or cancel the crawls, then stop the database thread."""
        try:
            if not wait:
                for task in self._tasks:
                    task.cancel()
            await self.wait()
        finally:
            self._db.shutdown(wait=True)

    async def _in_db(self, function: Callable[..., T], *args: object) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._db, function, *args)

    async def _crawl(self, feed_id: int, first_seen_at: datetime) -> None:
        try:
            request = await self._in_db(self._store.articles.to_crawl, feed_id, first_seen_at)
            if request is None:
                return  # nobody wants this feed's articles
            chosen = pick_articles(request.candidates, self._per_check)
            if not chosen:
                return
            outcomes = await asyncio.gather(*(self._article(c, request.rules) for c in chosen))
            await self._in_db(self._store.articles.record_error, feed_id, crawl_error(outcomes))
        except asyncio.CancelledError:
            raise
        except Exception:
            # One feed's crawl must not end the others, nor the refresher.
            log.exception("getting the full articles of feed %s failed", feed_id)

    async def _article(self, candidate: ArticleCandidate, rules: str | None) -> ArticleOutcome:
        url = candidate.link or ""
        try:
            async with self._pages:
                page = await fetch_page(self._fetcher, url)
                async with self._reading:
                    content = await read_article(self._settings, page, url, rules, self._parser)
            await self._in_db(self._store.entries.set_full_content, candidate.entry_id, content)
        except ArticleError as exc:
            log.warning("the full article of entry %s failed: %s", candidate.entry_id, exc)
            return ArticleOutcome(url, str(exc))
        except NotFound:
            pass  # the entry went meanwhile (retention, unsubscribing): nothing to store
        return ArticleOutcome(url)
