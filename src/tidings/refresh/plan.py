"""What one check of a feed changes: new and changed entries, errors, and the next check time.

`plan_update` is pure. It takes the stored feed, what the fetcher and the parser gave, the stored
content hashes of the document's entries and the time, and gives the FeedUpdate that storage
writes in one transaction. It reads no clock, no database and no network.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from tidings.intervals import DAY, format_refresh
from tidings.model import (
    EntryData,
    Feed,
    FeedUpdate,
    FetchLogRecord,
    FetchResult,
    ParsedEntry,
    ParsedFeed,
)
from tidings.reading.limits import feed_url_fits
from tidings.refresh.parsing import body_hash, content_hash
from tidings.refresh.schedule import DEFAULT_SETTINGS, PlanSettings, next_check_at

__all__ = [
    "PlanSettings",
    "body_hash",
    "content_hash",
    "plan_update",
    "retention_cutoff",
]

GONE_REASON = "The server says this feed is gone for good (410 Gone)."
UNREADABLE = "The feed could not be read."
THROTTLED_STATUSES = frozenset({429, 503})


def retention_cutoff(now: datetime, discard_after_seconds: int | None) -> datetime | None:
    """Give the time before which entries may be discarded, or None to keep them forever."""
    if not discard_after_seconds or discard_after_seconds <= 0:
        return None
    return now - timedelta(seconds=discard_after_seconds)


def jitter_value(feed_id: int, now: datetime) -> float:
    """Give a number in [0, 1) that looks random but depends only on the feed and the time."""
    digest = hashlib.sha256(f"{feed_id}:{now.isoformat()}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


@dataclass(frozen=True, slots=True)
class _Entries:
    new: tuple[EntryData, ...] = ()
    changed: tuple[EntryData, ...] = ()
    seen_keys: tuple[str, ...] = ()


def plan_update(
    feed: Feed,
    result: FetchResult,
    parsed: ParsedFeed | None,
    parse_error: str | None,
    existing: Mapping[str, str],
    now: datetime,
    settings: PlanSettings = DEFAULT_SETTINGS,
    *,
    recent_entry_dates: Sequence[datetime] | None = None,
    random_value: float | None = None,
    hashes: Sequence[str] | None = None,
    texts: Sequence[tuple[str | None, str | None]] | None = None,
    new_body_hash: str | None = None,
    pushed: bool = False,
) -> FeedUpdate:
    """Give everything one check of `feed` writes.

    `existing` maps the keys of this document's entries that storage already has to their stored
    content hashes. `recent_entry_dates` (the newest stored entries' dates) lets the auto
    interval learn even from a 304; without it the parsed entries' dates are used.
    `random_value` in [0, 1) places the jitter; by default it is derived from the feed id and
    `now`, which spreads feeds apart and keeps this function pure.
    `hashes` are the content hashes of `parsed.entries`, in order, when the parse step computed
    them already (`parsing.parse_document`); `texts` likewise the (summary, content) text of each
    entry (without them storage computes the text itself); `new_body_hash` the hash of the body.
    `pushed`: a hub pushes this feed (WebSub), so it is polled more slowly.
    """
    context = _Check(feed, result, now, settings, recent_entry_dates, random_value, pushed)
    if result.error is not None or result.status is None:
        return context.failed(result.error or UNREADABLE)
    if result.not_modified:
        return context.succeeded(parsed=None, entries=_Entries())
    new_hash = new_body_hash or body_hash(result.body or b"")
    if new_hash == feed.body_hash:
        seen = _Entries(seen_keys=_keys(parsed)) if parsed is not None else _Entries()
        return context.succeeded(parsed=parsed, entries=seen, new_body_hash=new_hash)
    if parse_error is not None or parsed is None:
        # The broken document's hash and validators are not kept: the next check must parse
        # again rather than take "unchanged" or "304" for a recovery.
        return context.failed(parse_error or UNREADABLE)
    return context.succeeded(
        parsed=parsed, entries=_diff(parsed, existing, hashes, texts), new_body_hash=new_hash
    )


def _keys(parsed: ParsedFeed) -> tuple[str, ...]:
    return tuple(dict.fromkeys(entry.id for entry in parsed.entries if entry.id))


def _diff(
    parsed: ParsedFeed,
    existing: Mapping[str, str],
    hashes: Sequence[str] | None = None,
    texts: Sequence[tuple[str | None, str | None]] | None = None,
) -> _Entries:
    """Give the new and changed entries of a document; a key seen twice counts once (the first)."""
    if hashes is not None and len(hashes) != len(parsed.entries):
        raise ValueError("one content hash per parsed entry is needed")
    if texts is not None and len(texts) != len(parsed.entries):
        raise ValueError("one text per parsed entry is needed")
    new: list[EntryData] = []
    changed: list[EntryData] = []
    seen: dict[str, None] = {}
    for index, entry in enumerate(parsed.entries):
        if not entry.id or entry.id in seen:
            continue
        seen[entry.id] = None
        digest = hashes[index] if hashes is not None else content_hash(entry)
        stored = existing.get(entry.id)
        if stored is None or stored != digest:
            text = texts[index] if texts is not None else (None, None)
            (new if stored is None else changed).append(_entry_data(entry, digest, text))
    return _Entries(tuple(new), tuple(changed), tuple(seen))


def _entry_data(entry: ParsedEntry, digest: str, text: tuple[str | None, str | None]) -> EntryData:
    return EntryData(
        key=entry.id,
        title=entry.title,
        link=entry.link,
        author=entry.author,
        summary=entry.summary,
        content=entry.content,
        published_at=entry.published,  # None: storage shows first_seen instead
        updated_at=entry.updated,
        content_hash=digest,
        categories=entry.categories,
        enclosures=entry.enclosures,
        image=entry.image,
        summary_text=text[0],  # None, None: storage computes the text
        content_text=text[1],
    )


class _Check:
    """The parts of one plan shared by its outcomes: the schedule and the log line."""

    def __init__(
        self,
        feed: Feed,
        result: FetchResult,
        now: datetime,
        settings: PlanSettings,
        recent_entry_dates: Sequence[datetime] | None,
        random_value: float | None,
        pushed: bool = False,
    ) -> None:
        self.pushed = pushed
        self.feed = feed
        self.result = result
        self.now = now
        self.settings = settings
        self.recent_entry_dates = recent_entry_dates
        self.random_value = jitter_value(feed.id, now) if random_value is None else random_value

    def _next(self, *, parsed: ParsedFeed | None = None, error_count: int = 0) -> datetime | None:
        if self.recent_entry_dates is not None:
            dates: Sequence[datetime] = self.recent_entry_dates
        elif parsed is not None:
            dates = [d for e in parsed.entries if (d := e.published or e.updated) is not None]
        else:
            dates = ()
        return next_check_at(
            self.now,
            self.feed.refresh_interval,
            entry_dates=dates,
            headers=self.result.headers,
            ttl_minutes=parsed.ttl if parsed is not None else None,
            error_count=error_count,
            random_value=self.random_value,
            settings=self.settings,
            pushed=self.pushed,
        )

    def _moved_to(self) -> str | None:
        """The address a permanent redirect moved the feed to; None when there is none, or when
        it is no address a reader could have typed: too long to store, or holding control or
        format characters (normalize_feed_url's rules). The feed then keeps its address and is
        still checked through the redirect."""
        moved = self.result.final_url
        if not self.result.permanent_redirect or not feed_url_fits(moved):
            return None
        return moved if moved.isprintable() else None

    def _log(self, error: str | None, entries: _Entries = _Entries()) -> FetchLogRecord:
        return FetchLogRecord(
            feed_id=self.feed.id,
            at=self.now,
            status=self.result.status,
            duration_ms=round(self.result.elapsed * 1000),
            bytes=len(self.result.body or b""),
            new_count=len(entries.new),
            updated_count=len(entries.changed),
            error=error,
        )

    def succeeded(
        self,
        *,
        parsed: ParsedFeed | None,
        entries: _Entries,
        new_body_hash: str | None = None,
    ) -> FeedUpdate:
        feed, headers = self.feed, self.result.headers
        if self.result.not_modified:
            # A 304 may repeat or refresh the validators; it never removes them.
            etag = headers.get("etag") or feed.etag
            last_modified = headers.get("last-modified") or feed.last_modified
        else:
            etag, last_modified = headers.get("etag"), headers.get("last-modified")
        updated = replace(
            feed,
            url=self._moved_to() or feed.url,
            etag=etag,
            last_modified=last_modified,
            body_hash=new_body_hash or feed.body_hash,
            checked_at=self.now,
            next_check_at=self._next(parsed=parsed),
            error_count=0,
            last_error=None,
            first_error_at=None,
            disabled_reason=None,
        )
        if parsed is not None:
            updated = replace(
                updated,
                feed_title=parsed.title or feed.feed_title,
                site_url=parsed.link or feed.site_url,
                description=parsed.description or feed.description,
                image_url=parsed.image or feed.image_url,
            )
        return FeedUpdate(
            feed=updated,
            new_entries=entries.new,
            changed_entries=entries.changed,
            seen_keys=entries.seen_keys,
            log=self._log(None, entries),
        )

    def failed(self, error: str) -> FeedUpdate:
        feed, status = self.feed, self.result.status
        first_error_at = feed.first_error_at or self.now
        throttled = status in THROTTLED_STATUSES and "retry-after" in self.result.headers
        # A server that says "come back at ..." gets exactly that, without extra backoff.
        error_count = feed.error_count if throttled else feed.error_count + 1
        disabled_reason = None
        if status == 410:
            disabled_reason = GONE_REASON
        elif self.now - first_error_at >= timedelta(seconds=self.settings.disable_after):
            disabled_reason = f"Disabled after {self._failing_for()} of errors. Last error: {error}"
        updated = replace(
            feed,
            checked_at=self.now,
            next_check_at=(
                None if disabled_reason else self._next(error_count=0 if throttled else error_count)
            ),
            error_count=error_count,
            last_error=error,
            first_error_at=first_error_at,
            disabled_reason=disabled_reason,
        )
        return FeedUpdate(feed=updated, log=self._log(error))

    def _failing_for(self) -> str:
        seconds = self.settings.disable_after
        if seconds % DAY == 0:
            days = seconds // DAY
            return f"{days} day" if days == 1 else f"{days} days"
        return format_refresh(seconds)
