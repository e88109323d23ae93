"""The tables, as SQLAlchemy Core metadata: one schema for SQLite and PostgreSQL.

Queries in this package are built from these Table objects. Migrations (Alembic, in
`migrations/`) create the same shape; a test compares the migrated database with this metadata.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on both databases.

    SQLite has no time zones: values are stored as naive UTC and given back as aware UTC, so
    callers never meet a naive datetime.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to storage; use timezone-aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]


metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# Large enough for any id on PostgreSQL, and still SQLite's rowid alias (INTEGER PRIMARY KEY).
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

feeds = sa.Table(
    "feeds",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("url", sa.Text, nullable=False, unique=True),
    sa.Column("title", sa.Text),  # the admin's; NULL = use feed_title
    sa.Column("feed_title", sa.Text),
    sa.Column("site_url", sa.Text),
    sa.Column("description", sa.Text),
    sa.Column("image_url", sa.Text),
    sa.Column("refresh_interval", sa.Integer),  # seconds; NULL = auto, 0 = never
    sa.Column("etag", sa.Text),
    sa.Column("last_modified", sa.Text),
    sa.Column("body_hash", sa.Text),
    sa.Column("checked_at", UTCDateTime),
    sa.Column("next_check_at", UTCDateTime, index=True),
    sa.Column("error_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text),
    sa.Column("first_error_at", UTCDateTime),
    sa.Column("disabled_reason", sa.Text),
    sa.Column("created_at", UTCDateTime, nullable=False),
    # A worker's claim on the feed while it refreshes it; expired leases are free to take.
    sa.Column("lease_owner", sa.Text),
    sa.Column("lease_until", UTCDateTime),
)

entries = sa.Table(
    "entries",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("feed_id", BigId, sa.ForeignKey("feeds.id", ondelete="CASCADE"), nullable=False),
    sa.Column("key", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("link", sa.Text),
    sa.Column("author", sa.Text),
    sa.Column("summary", sa.Text),
    sa.Column("content", sa.Text),
    sa.Column("published_at", UTCDateTime),
    sa.Column("updated_at", UTCDateTime),
    sa.Column("first_seen_at", UTCDateTime, nullable=False),
    # published_at, else first_seen_at: one indexed column so "newest first" is an index scan.
    sa.Column("sort_at", UTCDateTime, nullable=False),
    sa.Column("content_hash", sa.Text, nullable=False),
    sa.Column("categories", sa.JSON, nullable=False),
    sa.Column("enclosures", sa.JSON, nullable=False),
    sa.Column("image", sa.Text),
    sa.UniqueConstraint("feed_id", "key"),
    sa.Index("ix_entries_sort_at_id", "sort_at", "id"),
    sa.Index("ix_entries_feed_id_sort_at_id", "feed_id", "sort_at", "id"),
)

categories = sa.Table(
    "categories",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
)

feed_categories = sa.Table(
    "feed_categories",
    metadata,
    sa.Column("feed_id", BigId, sa.ForeignKey("feeds.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "category_id",
        BigId,
        sa.ForeignKey("categories.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("is_admin", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

entry_states = sa.Table(
    "entry_states",
    metadata,
    sa.Column("user_id", BigId, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "entry_id",
        BigId,
        sa.ForeignKey("entries.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
    sa.Column("read", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("starred", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("read_at", UTCDateTime),
    sa.Column("starred_at", UTCDateTime),
)

site_settings = sa.Table(
    "site_settings",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("value", sa.JSON, nullable=False),
)

fetch_log = sa.Table(
    "fetch_log",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("feed_id", BigId, sa.ForeignKey("feeds.id", ondelete="CASCADE"), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("status", sa.Integer),
    sa.Column("duration_ms", sa.Integer, nullable=False),
    sa.Column("bytes", sa.Integer, nullable=False),
    sa.Column("new_count", sa.Integer, nullable=False),
    sa.Column("updated_count", sa.Integer, nullable=False),
    sa.Column("error", sa.Text),
    sa.Index("ix_fetch_log_feed_id_at", "feed_id", "at"),
)
