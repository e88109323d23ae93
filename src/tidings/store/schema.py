"""The tables, as SQLAlchemy Core metadata: one schema for SQLite and PostgreSQL.

Queries in this package are built from these Table objects. Migrations (Alembic, in
`migrations/`) create the same shape; a test compares the migrated database with this metadata.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, overload

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

    # On SQLite, one function each way instead of ours chained with SQLAlchemy's DATETIME
    # processors (a wrapper, a replace() and a %-format per value): the writer binds four
    # datetimes per new entry, and pages read two per row. Same text as SQLAlchemy stores.
    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        if dialect.name == "sqlite":
            return sqlite_text
        return super().bind_processor(dialect)

    def result_processor(self, dialect: Dialect, coltype: Any) -> Callable[[Any], Any] | None:
        if dialect.name == "sqlite":
            return _sqlite_datetime
        return super().result_processor(dialect, coltype)


@overload
def sqlite_text(value: datetime) -> str: ...
@overload
def sqlite_text(value: datetime | None) -> str | None: ...
def sqlite_text(value: datetime | None) -> str | None:
    """Return an aware datetime as SQLite stores it: naive UTC, "YYYY-MM-DD HH:MM:SS.ffffff"
    (SQLAlchemy's DATETIME format, so comparisons in SQL and older rows agree)."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime given to storage; use timezone-aware UTC")
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None).isoformat(" ", "microseconds")


def _sqlite_datetime(value: str | None) -> datetime | None:
    """Return the aware UTC datetime of a value SQLite stored (see sqlite_text)."""
    if value is None:
        return None
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


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
    # Shown on the public site: true for the sources admins add, false for a feed that exists
    # only because readers subscribed to it (revision 0002).
    sa.Column("is_public", sa.Boolean, nullable=False, server_default=sa.true()),
    # CSS selectors whose matches are the full article of the feed's entries, instead of
    # trafilatura's guess (revision 0015, tidings.scraper); NULL = none.
    sa.Column("scraper_rules", sa.Text),
    # Why the full articles of the feed's last crawled entries could not all be got; NULL when
    # they were (revision 0015, refresh/articles.py).
    sa.Column("article_error", sa.Text),
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
    # Blocked by a site rule (revision 0008): never on the public pages or output feeds.
    sa.Column("withheld", sa.Boolean, nullable=False, server_default=sa.false()),
    # The full article fetched from `link` (revision 0010, tidings.articles), cleaned like
    # `content`; kept beside the feed's own content, which is never overwritten by it.
    sa.Column("full_content", sa.Text),
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
    # The API password of Google Reader and Fever clients (revision 0004): its argon2 hash, and
    # the md5 hex of "name:api password" that Fever clients send as their key.
    sa.Column("api_password_hash", sa.Text),
    sa.Column("fever_key", sa.Text),
    sa.Index("ix_users_fever_key", "fever_key", unique=True),
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
    # The entry's feed, copied (revision 0006): entries never change feed. With the index, a
    # user's read entries per feed are an index count (reading._unread_per_feed).
    sa.Column("feed_id", BigId, nullable=False),
    # Blocked by one of the user's rules (revision 0008): read, and in no list of theirs.
    sa.Column("hidden", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Index("ix_entry_states_user_id_feed_id_read", "user_id", "feed_id", "read"),
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

# --- personal reading (revision 0002) ---------------------------------------------------------
# A user's own subscriptions and categories. A feed URL is one `feeds` row however many users
# subscribe to it, so it is fetched once; what is personal (title, categories, read and starred
# state in `entry_states`) is keyed by user.

subscriptions = sa.Table(
    "subscriptions",
    metadata,
    sa.Column("user_id", BigId, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "feed_id",
        BigId,
        sa.ForeignKey("feeds.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
    sa.Column("title", sa.Text),  # the user's own; NULL = the feed's
    sa.Column("created_at", UTCDateTime, nullable=False),
    # The reader wants the full article of each new entry (revision 0015): the refresher fetches
    # them when any subscriber does, since the article is the entry's, shared by all.
    sa.Column("crawler", sa.Boolean, nullable=False, server_default=sa.false()),
)

user_categories = sa.Table(
    "user_categories",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("user_id", BigId, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.UniqueConstraint("user_id", "name"),
    # The target of subscription_categories' (user_id, category_id) key: a subscription can only
    # be put in a category of the same user, whatever the query does.
    sa.UniqueConstraint("user_id", "id"),
)

subscription_categories = sa.Table(
    "subscription_categories",
    metadata,
    sa.Column("user_id", BigId, primary_key=True),
    sa.Column("feed_id", BigId, primary_key=True),
    sa.Column("category_id", BigId, primary_key=True),
    sa.ForeignKeyConstraint(
        ["user_id", "feed_id"],
        ["subscriptions.user_id", "subscriptions.feed_id"],
        ondelete="CASCADE",
    ),
    sa.ForeignKeyConstraint(
        ["user_id", "category_id"],
        ["user_categories.user_id", "user_categories.id"],
        ondelete="CASCADE",
    ),
    sa.Index("ix_subscription_categories_user_id_category_id", "user_id", "category_id"),
)

# --- full-text search (revisions 0002, 0005) -------------------------------------------------
# The search index is not in this metadata: each database keeps it its own way, and queries reach
# it through tidings.store.search only. It indexes the text a reader sees, never the markup (a
# search for `noopener`, `lazy` or an image's host must not match every entry with a link).
#   SQLite: `entries_fts`, an external-content FTS5 table over entries(title, summary_text,
#           content_text, full_text: revision 0010), kept in step by the triggers
#           `entries_fts_ai/_ad/_au` (FTS5 adds shadow
#           tables named `entries_fts_*`). `summary_text` and `content_text` (revision 0005) are
#           plain-text columns of `entries`: the visible text of `summary` and `content`
#           (tidings.plaintext.html_text), written by the refresher with the HTML
#           (store.updates). FTS5 needs the text it indexed stored somewhere, for its deletes
#           and snippets, so it cannot be a value computed on the fly.
#   PostgreSQL: `entries.search_vector`, a generated stored tsvector column over title,
#           summary, content and full_content (tags stripped by regexp_replace), with the GIN
#           index `ix_entries_search_vector`.
# These columns are left out of `entries` on purpose: every `select(entries)` would fetch them,
# and the text columns would add most of the size of the HTML to every page read.

SEARCH_TABLE_PREFIX = "entries_fts"
SEARCH_COLUMN = "search_vector"
SEARCH_INDEX = "ix_entries_search_vector"
SEARCH_TEXT_COLUMNS = ("summary_text", "content_text")  # both databases since revision 0008
# The visible text of `full_content` (revision 0010), written with it (EntryQueries.
# set_full_content); SQLite's entries_fts indexes it as its fourth column, PostgreSQL's
# search_vector reads `full_content` itself.
ARTICLE_TEXT_COLUMN = "full_text"


api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column(
        "user_id", BigId, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    sa.Column("name", sa.Text, nullable=False),
    # sha256 of the token: tokens are 256 random bits, so a fast hash is enough and lets a
    # request find its key with one indexed lookup. The token itself is shown once, never kept.
    sa.Column("token_hash", sa.Text, nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("last_used_at", UTCDateTime),
)

# --- sessions and feed tokens (revision 0007) -------------------------------------------------
# A signed-in browser: its cookie carries a random token, this row its sha256. The request is
# signed in while the row exists and has not expired; ending a session is deleting its row.
user_sessions = sa.Table(
    "user_sessions",
    metadata,
    sa.Column("token_hash", sa.Text, primary_key=True),
    sa.Column(
        "user_id", BigId, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False, index=True),
    sa.Column("user_agent", sa.Text, nullable=False, server_default=""),
)

# A personal search feed's credential: read-only, good for one search (`query`) of one user.
feed_tokens = sa.Table(
    "feed_tokens",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column(
        "user_id", BigId, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    sa.Column("query", sa.Text, nullable=False),
    sa.Column("token_hash", sa.Text, nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("last_used_at", UTCDateTime),
)

# A user's named searches (revision 0009), in the sidebar in `position` order.
saved_searches = sa.Table(
    "saved_searches",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("user_id", BigId, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("query", sa.Text, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("user_id", "name"),
)

# A user's services to send entries to (revision 0013); `config` is JSON, secrets sealed.
integrations = sa.Table(
    "integrations",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("user_id", BigId, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("enabled", sa.Boolean, nullable=False),
    sa.Column("config", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("user_id", "name"),
)

# One entry sent to one integration (revision 0013): the worker's queue and the delivery log.
integration_deliveries = sa.Table(
    "integration_deliveries",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("user_id", BigId, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column(
        "integration_id",
        BigId,
        sa.ForeignKey("integrations.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("entry_id", BigId, nullable=False),
    sa.Column("state", sa.Text, nullable=False),  # queued, sent, failed
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("due_at", UTCDateTime, nullable=True, index=True),  # None once over
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Index("ix_integration_deliveries_user_id_id", "user_id", "id"),
)

# A user's labels on entries (revision 0008): many per entry, names as written (case counts).
entry_labels = sa.Table(
    "entry_labels",
    metadata,
    sa.Column("user_id", BigId, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("entry_id", BigId, sa.ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("label", sa.Text, primary_key=True),
    sa.Index("ix_entry_labels_user_id_label", "user_id", "label"),
    sa.Index("ix_entry_labels_entry_id", "entry_id"),
)

# Rules (revision 0008): a query in the search language, a scope and actions, per user, in order.
# scope: "all" (the user's feeds), "feed" or "category" (scope_id), "site" (administrators: every
# feed, for the public site). actions: names joined by spaces ("block", "keep", "read", "star",
# "label"); labels: the names the "label" action adds, one per line.
rules = sa.Table(
    "rules",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column(
        "user_id", BigId, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("query", sa.Text, nullable=False),
    sa.Column("scope", sa.Text, nullable=False),
    sa.Column("scope_id", BigId),
    sa.Column("actions", sa.Text, nullable=False),
    sa.Column("labels", sa.Text, nullable=False, server_default=""),
    sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)


# WebSub subscriptions (revision 0012): at most one per feed, to the hub its document announces.
# The callback URL carries `token`; `secret` signs the hub's deliveries (X-Hub-Signature).
# `state`: pending_subscribe, subscribed, pending_unsubscribe or denied. When the feed is deleted
# (its last subscriber left) `feed_id` becomes NULL: the row stays until the hub is told.
websub_subscriptions = sa.Table(
    "websub_subscriptions",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("feed_id", BigId, sa.ForeignKey("feeds.id", ondelete="SET NULL"), unique=True),
    sa.Column("hub", sa.Text, nullable=False),
    sa.Column("topic", sa.Text, nullable=False),
    sa.Column("token", sa.Text, nullable=False, unique=True),
    sa.Column("secret", sa.Text, nullable=False),
    sa.Column("state", sa.Text, nullable=False),
    sa.Column("requested_at", UTCDateTime, nullable=False),
    sa.Column("lease_until", UTCDateTime, index=True),
    sa.Column("last_push_at", UTCDateTime),
    sa.Column("last_error", sa.Text),
)


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Alembic's filter: leave the search index, which only migrations know, out of comparisons."""
    if type_ == "table" and name is not None and name.startswith(SEARCH_TABLE_PREFIX):
        return False
    if type_ == "column" and (
        name in (SEARCH_COLUMN, ARTICLE_TEXT_COLUMN) or name in SEARCH_TEXT_COLUMNS
    ):
        return False
    return not (type_ == "index" and name == SEARCH_INDEX)


# Site icons (revision 0011): one row per distinct image, shared by the feeds of a site.
icons = sa.Table(
    "icons",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("hash", sa.Text, nullable=False, unique=True),  # sha256 of data: the ETag too
    sa.Column("mime_type", sa.Text, nullable=False),  # sniffed from the bytes
    sa.Column("data", sa.LargeBinary, nullable=False),
)

# When each feed's icon was looked for, for which site link; icon_id NULL = none usable.
feed_icons = sa.Table(
    "feed_icons",
    metadata,
    sa.Column("feed_id", BigId, sa.ForeignKey("feeds.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("icon_id", BigId, sa.ForeignKey("icons.id", ondelete="SET NULL"), index=True),
    sa.Column("site_url", sa.Text),
    sa.Column("checked_at", UTCDateTime, nullable=False),
)

# Where each user stopped playing an entry's enclosure (revision 0014; Miniflux's
# media_progression). Enclosures live in the entry's JSON column, so one is named by its entry and
# its place in that list (`position`, from 0); the API's enclosure id is made of both
# (tidings.reading.enclosures). Gone with the user or the entry.
media_progressions = sa.Table(
    "media_progressions",
    metadata,
    sa.Column("user_id", BigId, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("entry_id", BigId, sa.ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("seconds", sa.Integer, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    # Retention deletes entries by the thousand; the cascade finds their rows by this index.
    sa.Index("ix_media_progressions_entry_id", "entry_id"),
)
