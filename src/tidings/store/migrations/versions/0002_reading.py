"""Personal reading: public feeds, per-user subscriptions and categories, full-text search.

Revision ID: 0002
Revises: 0001

SQLite keeps the search index in `entries_fts`, an external-content FTS5 table over
entries(title, summary, content) kept in step by triggers; PostgreSQL in `entries.search_vector`,
a generated stored tsvector column with a GIN index. Neither is in schema.py's metadata (see
`schema.include_object`). Existing entries are indexed here: FTS5 'rebuild' on SQLite; on
PostgreSQL adding a stored generated column computes it for every row.

Beware: a later batch migration that recreates `entries` on SQLite drops its triggers; such a
migration must create them again (see `_SQLITE_TRIGGERS`).
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = sa.DateTime(timezone=True)

_SQLITE_FTS = (
    "CREATE VIRTUAL TABLE entries_fts USING fts5("
    "title, summary, content, content='entries', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')"
)
_FTS_NEW = "INSERT INTO entries_fts(rowid, title, summary, content) VALUES (new.id, new.title, new.summary, new.content);"  # noqa: E501
_FTS_OLD = "INSERT INTO entries_fts(entries_fts, rowid, title, summary, content) VALUES ('delete', old.id, old.title, old.summary, old.content);"  # noqa: E501
_SQLITE_TRIGGERS = (
    f"CREATE TRIGGER entries_fts_ai AFTER INSERT ON entries BEGIN {_FTS_NEW} END",
    f"CREATE TRIGGER entries_fts_ad AFTER DELETE ON entries BEGIN {_FTS_OLD} END",
    "CREATE TRIGGER entries_fts_au AFTER UPDATE OF title, summary, content ON entries "
    f"BEGIN {_FTS_OLD} {_FTS_NEW} END",
)

# Title weighs 'A', the text 'B' (ts_rank ranks a title match above a body-only match). Tags are
# stripped from the cleaned HTML; the text is capped below tsvector's 1 MB limit.
_PG_VECTOR = (
    "setweight(to_tsvector('simple'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, left(regexp_replace("
    "coalesce(summary, '') || ' ' || coalesce(content, ''), '<[^>]*>', ' ', 'g'), 400000)), 'B')"
)


def upgrade() -> None:
    with op.batch_alter_table("feeds") as batch:
        batch.add_column(
            sa.Column("is_public", sa.Boolean, nullable=False, server_default=sa.true())
        )

    op.create_table(
        "subscriptions",
        sa.Column("user_id", BigId, sa.ForeignKey("users.id", ondelete="CASCADE")),
        sa.Column("feed_id", BigId, sa.ForeignKey("feeds.id", ondelete="CASCADE")),
        sa.Column("title", sa.Text),
        sa.Column("created_at", When, nullable=False),
        sa.PrimaryKeyConstraint("user_id", "feed_id", name="pk_subscriptions"),
    )
    op.create_index("ix_subscriptions_feed_id", "subscriptions", ["feed_id"])

    op.create_table(
        "user_categories",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("user_id", BigId, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_user_categories"),
        sa.UniqueConstraint("user_id", "name", name="uq_user_categories_user_id_name"),
        sa.UniqueConstraint("user_id", "id", name="uq_user_categories_user_id_id"),
    )

    op.create_table(
        "subscription_categories",
        sa.Column("user_id", BigId),
        sa.Column("feed_id", BigId),
        sa.Column("category_id", BigId),
        sa.PrimaryKeyConstraint(
            "user_id", "feed_id", "category_id", name="pk_subscription_categories"
        ),
        sa.ForeignKeyConstraint(
            ["user_id", "feed_id"],
            ["subscriptions.user_id", "subscriptions.feed_id"],
            ondelete="CASCADE",
            name="fk_subscription_categories_user_id_subscriptions",
        ),
        sa.ForeignKeyConstraint(
            ["user_id", "category_id"],
            ["user_categories.user_id", "user_categories.id"],
            ondelete="CASCADE",
            name="fk_subscription_categories_user_id_user_categories",
        ),
    )
    op.create_index(
        "ix_subscription_categories_user_id_category_id",
        "subscription_categories",
        ["user_id", "category_id"],
    )

    if op.get_bind().dialect.name == "sqlite":
        op.execute(_SQLITE_FTS)
        for trigger in _SQLITE_TRIGGERS:
            op.execute(trigger)
        op.execute("INSERT INTO entries_fts(entries_fts) VALUES ('rebuild')")
    else:
        op.execute(
            f"ALTER TABLE entries ADD COLUMN search_vector tsvector "
            f"GENERATED ALWAYS AS ({_PG_VECTOR}) STORED"
        )
        op.execute("CREATE INDEX ix_entries_search_vector ON entries USING gin (search_vector)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("entries_fts_ai", "entries_fts_ad", "entries_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS entries_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_entries_search_vector")
        op.execute("ALTER TABLE entries DROP COLUMN IF EXISTS search_vector")
    op.drop_table("subscription_categories")
    op.drop_table("user_categories")
    op.drop_index("ix_subscriptions_feed_id", table_name="subscriptions")
    op.drop_table("subscriptions")
    with op.batch_alter_table("feeds") as batch:
        batch.drop_column("is_public")
