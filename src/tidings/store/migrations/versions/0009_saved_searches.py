"""Saved searches: a user's named searches, listed in the reader's sidebar with unread counts.

Revision ID: 0009
Revises: 0008

`saved_searches`: one row per named search of a user, in the user's order (`position`). Its
output feeds are the personal search feeds of its query (feed tokens, revision 0007).
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "saved_searches",
        sa.Column("id", BigId, nullable=False),
        sa.Column("user_id", BigId, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("query", sa.Text, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_saved_searches"),
        sa.UniqueConstraint("user_id", "name", name="uq_saved_searches_user_id_name"),
    )


def downgrade() -> None:
    op.drop_table("saved_searches")
