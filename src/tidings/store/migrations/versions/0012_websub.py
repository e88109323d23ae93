"""WebSub subscriptions: one per feed whose document announces a hub.

Revision ID: 0012
Revises: 0009

`websub_subscriptions`: the hub and topic subscribed to, the random token of the callback URL
(`/websub/{token}`), the secret the hub signs deliveries with, the state of the subscription
(pending_subscribe, subscribed, pending_unsubscribe, denied), the lease's end and the last push.
Removing the feed (its last subscriber left) sets `feed_id` to NULL: the row stays until the
hub has been sent an unsubscribe.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0009"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "websub_subscriptions",
        sa.Column("id", BigId, nullable=False),
        sa.Column("feed_id", BigId, sa.ForeignKey("feeds.id", ondelete="SET NULL")),
        sa.Column("hub", sa.Text, nullable=False),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("token", sa.Text, nullable=False),
        sa.Column("secret", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("requested_at", When, nullable=False),
        sa.Column("lease_until", When),
        sa.Column("last_push_at", When),
        sa.Column("last_error", sa.Text),
        sa.PrimaryKeyConstraint("id", name="pk_websub_subscriptions"),
        sa.UniqueConstraint("feed_id", name="uq_websub_subscriptions_feed_id"),
        sa.UniqueConstraint("token", name="uq_websub_subscriptions_token"),
    )
    op.create_index("ix_websub_subscriptions_lease_until", "websub_subscriptions", ["lease_until"])


def downgrade() -> None:
    op.drop_table("websub_subscriptions")
