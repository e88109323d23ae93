"""Rules, labels, and the plain text of entries on PostgreSQL too.

Revision ID: 0008
Revises: 0007

`rules`: a user's saved queries with actions (tidings.rules), in order. `entry_labels`: a user's
labels on entries. `entry_states.hidden`: the entry was blocked by one of the user's rules (it is
also read). `entries.withheld`: blocked by a site rule, never published.

PostgreSQL gets `entries.summary_text` and `entries.content_text`, the visible text of summary
and content that SQLite has had since revision 0005 (filled here for stored entries, in batches,
by the same function the refresher uses): `content:` conditions and regular expressions of the
query language read that text on both databases, so a rule matches the same entries on each.
"""

import sqlalchemy as sa
from alembic import op

from tidings.plaintext import html_text

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = sa.DateTime(timezone=True)
_BATCH = 1000


def _fill_text() -> None:
    """Write the text of every stored entry, _BATCH entries at a time, in id order."""
    conn = op.get_bind()
    last = 0
    while True:
        rows = conn.exec_driver_sql(
            "SELECT id, summary, content FROM entries WHERE id > %(last)s ORDER BY id "
            "LIMIT %(batch)s",
            {"last": last, "batch": _BATCH},
        ).all()
        if not rows:
            return
        conn.exec_driver_sql(
            "UPDATE entries SET summary_text = %(s)s, content_text = %(c)s WHERE id = %(id)s",
            [
                {"s": html_text(summary), "c": html_text(content), "id": id_}
                for id_, summary, content in rows
            ],
        )
        last = rows[-1][0]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.add_column("entries", sa.Column("summary_text", sa.Text))
        op.add_column("entries", sa.Column("content_text", sa.Text))
        _fill_text()
    op.add_column(
        "entries", sa.Column("withheld", sa.Boolean, nullable=False, server_default=sa.false())
    )
    op.add_column(
        "entry_states", sa.Column("hidden", sa.Boolean, nullable=False, server_default=sa.false())
    )
    op.create_table(
        "entry_labels",
        sa.Column("user_id", BigId, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column(
            "entry_id", BigId, sa.ForeignKey("entries.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("label", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("user_id", "entry_id", "label", name="pk_entry_labels"),
    )
    op.create_index("ix_entry_labels_user_id_label", "entry_labels", ["user_id", "label"])
    op.create_index("ix_entry_labels_entry_id", "entry_labels", ["entry_id"])
    op.create_table(
        "rules",
        sa.Column("id", BigId, nullable=False),
        sa.Column("user_id", BigId, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("query", sa.Text, nullable=False),
        sa.Column("scope", sa.Text, nullable=False),
        sa.Column("scope_id", BigId),
        sa.Column("actions", sa.Text, nullable=False),
        sa.Column("labels", sa.Text, nullable=False, server_default=""),
        sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", When, nullable=False),
        sa.Column("updated_at", When, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rules"),
    )
    op.create_index("ix_rules_user_id", "rules", ["user_id"])


def downgrade() -> None:
    op.drop_table("rules")
    op.drop_table("entry_labels")
    # Plain ALTER TABLE on SQLite too: a batch migration would recreate `entries` and drop the
    # search triggers (see 0005).
    op.execute("ALTER TABLE entry_states DROP COLUMN hidden")
    op.execute("ALTER TABLE entries DROP COLUMN withheld")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_column("entries", "content_text")
        op.drop_column("entries", "summary_text")
