"""Site icons.

Revision ID: 0011
Revises: 0013

`icons`: one row per distinct image (by sha256), so the feeds of one site share a row.
`feed_icons`: when a feed's icon was last looked for, for which site link, and what was found
(`icon_id` NULL: nothing usable, asked again after the same long interval).
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0013"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "icons",
        sa.Column("id", BigId, nullable=False),
        sa.Column("hash", sa.Text, nullable=False),
        sa.Column("mime_type", sa.Text, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_icons"),
        sa.UniqueConstraint("hash", name="uq_icons_hash"),
    )
    op.create_table(
        "feed_icons",
        sa.Column("feed_id", BigId, sa.ForeignKey("feeds.id", ondelete="CASCADE"), nullable=False),
        sa.Column("icon_id", BigId, sa.ForeignKey("icons.id", ondelete="SET NULL")),
        sa.Column("site_url", sa.Text),
        sa.Column("checked_at", When, nullable=False),
        sa.PrimaryKeyConstraint("feed_id", name="pk_feed_icons"),
    )
    op.create_index("ix_feed_icons_icon_id", "feed_icons", ["icon_id"])


def downgrade() -> None:
    op.drop_table("feed_icons")
    op.drop_table("icons")
