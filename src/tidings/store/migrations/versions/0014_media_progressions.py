"""Playback positions.

Revision ID: 0014
Revises: 0011

`media_progressions`: where a user stopped playing an enclosure, in whole seconds (Miniflux's
`media_progression`). An enclosure is named by its entry and its place in the entry's list of
enclosures (the JSON column `entries.enclosures`), so no enclosure table is needed.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0011"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "media_progressions",
        sa.Column("user_id", BigId, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column(
            "entry_id", BigId, sa.ForeignKey("entries.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("seconds", sa.Integer, nullable=False),
        sa.Column("updated_at", When, nullable=False),
        sa.PrimaryKeyConstraint("user_id", "entry_id", "position", name="pk_media_progressions"),
    )
    op.create_index("ix_media_progressions_entry_id", "media_progressions", ["entry_id"])


def downgrade() -> None:
    op.drop_table("media_progressions")
