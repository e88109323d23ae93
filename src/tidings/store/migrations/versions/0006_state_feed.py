"""Unread counts from two index counts: a read state row names its entry's feed.

Revision ID: 0006
Revises: 0005

`entry_states.feed_id` is a copy of the entry's feed (entries never change feed, and a state row
is deleted with its entry), and state rows are indexed by (user_id, feed_id, read). A user's
unread entries in a feed are then the feed's entries, counted on ix_entries_feed_id_sort_at_id,
less the user's read rows of the feed, counted on the new index: two index counts per
subscription instead of one probe into entry_states per entry. (Not a partial index "WHERE
read": SQLite uses one only when the query repeats its condition word for word, and SQLAlchemy
writes the condition `read = 1` there.)

On SQLite the column is added by recreating `entry_states` (a batch migration: it has no triggers
to lose, unlike `entries`), so that it can be NOT NULL.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
INDEX = "ix_entry_states_user_id_feed_id_read"


def upgrade() -> None:
    op.add_column("entry_states", sa.Column("feed_id", BigId, nullable=True))
    op.execute(
        "UPDATE entry_states SET feed_id = "
        "(SELECT entries.feed_id FROM entries WHERE entries.id = entry_states.entry_id)"
    )
    with op.batch_alter_table("entry_states") as batch:
        batch.alter_column("feed_id", existing_type=BigId, nullable=False)
    op.create_index(INDEX, "entry_states", ["user_id", "feed_id", "read"])


def downgrade() -> None:
    op.drop_index(INDEX, table_name="entry_states")
    with op.batch_alter_table("entry_states") as batch:
        batch.drop_column("feed_id")
