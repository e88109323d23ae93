"""Full articles fetched by the refresher: `subscriptions.crawler`, `feeds.scraper_rules`,
`feeds.article_error`.

Revision ID: 0015
Revises: 0014

`crawler`: the reader wants the full article of every new entry of the feed (Miniflux's
"crawler"); the refresher fetches them when any subscriber wants them, since the article is
stored once per entry, for everyone (docs/articles.md).
`scraper_rules`: CSS selectors whose matched elements are the article instead of trafilatura's
guess; a fact about the feed's pages, so it is the feed's (who may set it: docs/articles.md).
`article_error`: why articles of the feed's last crawled entries could not be got, NULL when they
all were; shown on the reader's settings page of the subscription.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "subscriptions",
        sa.Column("crawler", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.add_column("feeds", sa.Column("scraper_rules", sa.Text))
    op.add_column("feeds", sa.Column("article_error", sa.Text))


def downgrade() -> None:
    # ALTER TABLE … DROP COLUMN on both (SQLite since 3.35): no column dropped here is indexed
    # or constrained, so SQLite need not rebuild the tables.
    op.drop_column("feeds", "article_error")
    op.drop_column("feeds", "scraper_rules")
    op.drop_column("subscriptions", "crawler")
