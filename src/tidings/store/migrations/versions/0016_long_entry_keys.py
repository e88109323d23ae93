"""Entry keys past 1,024 UTF-8 bytes become "sha256:" and the hex digest of their bytes.

Revision ID: 0016
Revises: 0015

The parser now gives such ids that form (`tidings.parse.entries.bounded_key`): PostgreSQL refuses
an index entry past about 2,700 bytes, so a feed with a 12 KB guid or link could never be stored
there. Keys stored before (any length on SQLite, up to that limit on PostgreSQL) are given the
same form here, so that their entries are still known at the next check instead of coming back
as new ones. The rule is written out here, not imported: a migration does what it did when it
was written. There is no way back: the long ids are not kept (downgrade leaves the keys as they
are, which the older code reads as ids it has never seen; none is lost).
"""

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

_MAX_KEY_BYTES = 1024


def upgrade() -> None:
    conn = op.get_bind()
    size = "octet_length(key)" if conn.dialect.name == "postgresql" else "length(CAST(key AS BLOB))"
    # 256 characters are at most 1,024 bytes: the byte count is taken of the few longer keys only.
    long_keys = conn.execute(
        sa.text(f"SELECT id, feed_id, key FROM entries WHERE length(key) > 256 AND {size} > :max"),
        {"max": _MAX_KEY_BYTES},
    ).all()
    for entry_id, feed_id, key in long_keys:
        digest = "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
        taken = conn.execute(
            sa.text("SELECT 1 FROM entries WHERE feed_id = :feed AND key = :key"),
            {"feed": feed_id, "key": digest},
        ).first()
        if taken is None:  # else the feed had both: the entry keeps its long key, as before
            conn.execute(
                sa.text("UPDATE entries SET key = :key WHERE id = :id"),
                {"key": digest, "id": entry_id},
            )


def downgrade() -> None:
    pass
