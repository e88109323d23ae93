"""Sessions that can be ended, and read-only tokens for personal search feeds.

Revision ID: 0007
Revises: 0006

`user_sessions`: one row per signed-in browser. The session cookie carries a random token whose
sha256 is the row's key; a request is signed in only while its row exists and has not expired.
Signing out deletes the row; a password change, an admin's reset and "sign out everywhere"
delete the user's rows; removing the user deletes them by cascade. (Before, the cookie carried
only the user id, signed: it could not be ended, and on SQLite, which reuses the largest
deleted id, a removed user's cookie became the next user created.)

`feed_tokens`: a personal search feed's credential, scoped to that one search and good for
reading it only (before, such feeds took a full API key in their URL, and so into access logs).
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "user_sessions",
        sa.Column("token_hash", sa.Text, nullable=False),
        sa.Column("user_id", BigId, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.Column("expires_at", When, nullable=False),
        sa.Column("user_agent", sa.Text, nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("token_hash", name="pk_user_sessions"),
    )
    op.create_index("ix_user_sessions_user_id", "user_sessions", ["user_id"])
    op.create_index("ix_user_sessions_expires_at", "user_sessions", ["expires_at"])
    op.create_table(
        "feed_tokens",
        sa.Column("id", BigId, nullable=False),
        sa.Column("user_id", BigId, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("query", sa.Text, nullable=False),
        sa.Column("token_hash", sa.Text, nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.Column("last_used_at", When),
        sa.PrimaryKeyConstraint("id", name="pk_feed_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_feed_tokens_token_hash"),
    )
    op.create_index("ix_feed_tokens_user_id", "feed_tokens", ["user_id"])


def downgrade() -> None:
    op.drop_table("feed_tokens")
    op.drop_table("user_sessions")
