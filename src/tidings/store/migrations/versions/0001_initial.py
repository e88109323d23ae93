"""The first schema: feeds, entries, categories, users, per-user state, settings, fetch log.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = sa.DateTime(timezone=True)


def _fk(column: str, target: str, **kw: object) -> sa.Column[int]:
    return sa.Column(column, BigId, sa.ForeignKey(target, ondelete="CASCADE"), **kw)  # type: ignore[arg-type]


def upgrade() -> None:
    op.create_table(
        "feeds",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("url", sa.Text, nullable=False),
        *(sa.Column(name, sa.Text) for name in ("title", "feed_title", "site_url")),
        *(sa.Column(name, sa.Text) for name in ("description", "image_url")),
        sa.Column("refresh_interval", sa.Integer),
        *(sa.Column(name, sa.Text) for name in ("etag", "last_modified", "body_hash")),
        sa.Column("checked_at", When),
        sa.Column("next_check_at", When),
        sa.Column("error_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text),
        sa.Column("first_error_at", When),
        sa.Column("disabled_reason", sa.Text),
        sa.Column("created_at", When, nullable=False),
        sa.Column("lease_owner", sa.Text),
        sa.Column("lease_until", When),
        sa.PrimaryKeyConstraint("id", name="pk_feeds"),
        sa.UniqueConstraint("url", name="uq_feeds_url"),
    )
    op.create_index("ix_feeds_next_check_at", "feeds", ["next_check_at"])

    op.create_table(
        "entries",
        sa.Column("id", BigId, primary_key=True),
        _fk("feed_id", "feeds.id", nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        *(sa.Column(name, sa.Text) for name in ("link", "author", "summary", "content")),
        sa.Column("published_at", When),
        sa.Column("updated_at", When),
        sa.Column("first_seen_at", When, nullable=False),
        sa.Column("sort_at", When, nullable=False),
        sa.Column("content_hash", sa.Text, nullable=False),
        sa.Column("categories", sa.JSON, nullable=False),
        sa.Column("enclosures", sa.JSON, nullable=False),
        sa.Column("image", sa.Text),
        sa.PrimaryKeyConstraint("id", name="pk_entries"),
        sa.UniqueConstraint("feed_id", "key", name="uq_entries_feed_id_key"),
    )
    op.create_index("ix_entries_sort_at_id", "entries", ["sort_at", "id"])
    op.create_index("ix_entries_feed_id_sort_at_id", "entries", ["feed_id", "sort_at", "id"])

    op.create_table(
        "categories",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_categories"),
        sa.UniqueConstraint("name", name="uq_categories_name"),
    )
    op.create_table(
        "feed_categories",
        _fk("feed_id", "feeds.id", primary_key=True),
        _fk("category_id", "categories.id", primary_key=True),
        sa.PrimaryKeyConstraint("feed_id", "category_id", name="pk_feed_categories"),
    )
    op.create_index("ix_feed_categories_category_id", "feed_categories", ["category_id"])

    op.create_table(
        "users",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("is_admin", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", When, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("name", name="uq_users_name"),
    )
    op.create_table(
        "entry_states",
        _fk("user_id", "users.id", primary_key=True),
        _fk("entry_id", "entries.id", primary_key=True),
        sa.Column("read", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("starred", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("read_at", When),
        sa.Column("starred_at", When),
        sa.PrimaryKeyConstraint("user_id", "entry_id", name="pk_entry_states"),
    )
    op.create_index("ix_entry_states_entry_id", "entry_states", ["entry_id"])

    op.create_table(
        "site_settings",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("value", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_site_settings"),
    )
    op.create_table(
        "fetch_log",
        sa.Column("id", BigId, primary_key=True),
        _fk("feed_id", "feeds.id", nullable=False),
        sa.Column("at", When, nullable=False),
        sa.Column("status", sa.Integer),
        sa.Column("duration_ms", sa.Integer, nullable=False),
        sa.Column("bytes", sa.Integer, nullable=False),
        sa.Column("new_count", sa.Integer, nullable=False),
        sa.Column("updated_count", sa.Integer, nullable=False),
        sa.Column("error", sa.Text),
        sa.PrimaryKeyConstraint("id", name="pk_fetch_log"),
    )
    op.create_index("ix_fetch_log_feed_id_at", "fetch_log", ["feed_id", "at"])


def downgrade() -> None:
    for table in (
        "fetch_log",
        "site_settings",
        "entry_states",
        "users",
        "feed_categories",
        "categories",
        "entries",
        "feeds",
    ):
        op.drop_table(table)
