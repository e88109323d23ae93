"""Full articles: `entries.full_content`.

Revision ID: 0010
Revises: 0008

The main content of an entry's page (tidings.articles), fetched on demand or by the refresher,
cleaned by the same allowlist as feed content. It is kept beside `content`: the feed's own text is
never replaced, and a reader can always see it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("entries", sa.Column("full_content", sa.Text))


def downgrade() -> None:
    # No index or trigger reads the column, so SQLite (3.35+) drops it in place.
    op.drop_column("entries", "full_content")
