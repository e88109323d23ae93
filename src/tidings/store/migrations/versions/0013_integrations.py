"""Integrations: a user's configured services to send entries to, and the delivery log.

Revision ID: 0013
Revises: 0010

`integrations`: one row per configured service of a user; `config` is JSON whose secret values
are sealed (tidings.integrations.sealing). `integration_deliveries`: one row per entry sent
(queued, sent or failed), with its attempts and the next attempt's time: the worker's queue
and the user's delivery log.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0010"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "integrations",
        sa.Column("id", BigId, nullable=False),
        sa.Column("user_id", BigId, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("config", sa.Text, nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_integrations"),
        sa.UniqueConstraint("user_id", "name", name="uq_integrations_user_id_name"),
    )
    op.create_table(
        "integration_deliveries",
        sa.Column("id", BigId, nullable=False),
        sa.Column("user_id", BigId, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column(
            "integration_id",
            BigId,
            sa.ForeignKey("integrations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("entry_id", BigId, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("due_at", When, nullable=True),
        sa.Column("created_at", When, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_integration_deliveries"),
    )
    op.create_index("ix_integration_deliveries_due_at", "integration_deliveries", ["due_at"])
    op.create_index(
        "ix_integration_deliveries_user_id_id", "integration_deliveries", ["user_id", "id"]
    )


def downgrade() -> None:
    op.drop_table("integration_deliveries")
    op.drop_table("integrations")
