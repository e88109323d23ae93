"""Turning result rows into model records (rows never leave the storage package)."""

from __future__ import annotations

from typing import Any

from tidings.model import Category, Enclosure, Entry, Feed, FetchLogRecord, User
from tidings.store.schema import entries, feeds

# A result row. SQLAlchemy 2.1 types rows by their column types; converters take any row.
Row = Any

FEED_COLUMNS = tuple(c for c in feeds.c if c.name not in {"lease_owner", "lease_until"})


def feed_from_row(row: Row, entry_count: int = 0) -> Feed:
    """The Feed of a row holding FEED_COLUMNS."""
    m = row._mapping
    return Feed(**{c.name: m[c.name] for c in FEED_COLUMNS}, entry_count=entry_count)


def entry_from_row(row: Row) -> Entry:
    """The Entry of a row holding every column of `entries`."""
    m = row._mapping
    values = {c.name: m[c.name] for c in entries.c}
    values["categories"] = tuple(values["categories"] or ())
    values["enclosures"] = tuple(
        Enclosure(e["url"], e.get("type"), e.get("length"), e.get("duration"))
        for e in values["enclosures"] or ()
    )
    return Entry(**values)


def category_from_row(row: Row, feed_count: int = 0) -> Category:
    return Category(id=row.id, name=row.name, feed_count=feed_count)


def user_from_row(row: Row) -> User:
    return User(id=row.id, name=row.name, is_admin=bool(row.is_admin), created_at=row.created_at)


def fetch_log_from_row(row: Row) -> FetchLogRecord:
    return FetchLogRecord(
        feed_id=row.feed_id,
        at=row.at,
        status=row.status,
        duration_ms=row.duration_ms,
        bytes=row.bytes,
        new_count=row.new_count,
        updated_count=row.updated_count,
        error=row.error,
    )
