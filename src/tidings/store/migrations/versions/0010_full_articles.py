"""Full articles: `entries.full_content`, and its text in the search index.

Revision ID: 0010
Revises: 0012

`full_content`: the main content of an entry's page (tidings.articles), fetched on demand,
cleaned by the same allowlist as feed content. It is kept beside `content`: the feed's own text is
never replaced, and a reader can always see it.

Search covers it: SQLite gets `entries.full_text` (its visible text, written with it) and
`entries_fts` is rebuilt over (title, summary_text, content_text, full_text); PostgreSQL's
generated `search_vector` is recreated with `full_content` in its weight-B text.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0012"
branch_labels = None
depends_on = None

_TRIGGERS = ("entries_fts_ai", "entries_fts_ad", "entries_fts_au")


def _fts(*texts: str) -> tuple[str, ...]:
    """The FTS5 table and its three triggers over (title, *texts) of entries."""
    columns = ", ".join(("title", *texts))
    values = ", ".join(f"new.{c}" for c in ("title", *texts))
    olds = ", ".join(f"old.{c}" for c in ("title", *texts))
    new = f"INSERT INTO entries_fts(rowid, {columns}) VALUES (new.id, {values});"
    old = (
        f"INSERT INTO entries_fts(entries_fts, rowid, {columns}) VALUES ('delete', old.id, {olds});"
    )
    return (
        f"CREATE VIRTUAL TABLE entries_fts USING fts5({columns}, content='entries', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER entries_fts_ai AFTER INSERT ON entries BEGIN {new} END",
        f"CREATE TRIGGER entries_fts_ad AFTER DELETE ON entries BEGIN {old} END",
        f"CREATE TRIGGER entries_fts_au AFTER UPDATE OF {columns} ON entries BEGIN {old} {new} END",
    )


def _vector(*html: str) -> str:
    """PostgreSQL's search_vector expression: the title (A) and the tag-stripped `html` (B)."""
    joined = " || ' ' || ".join(f"coalesce({c}, '')" for c in html)
    return (
        "setweight(to_tsvector('simple'::regconfig, coalesce(title, '')), 'A') || "
        "setweight(to_tsvector('simple'::regconfig, left(regexp_replace("
        f"{joined}, '<[^>]*>', ' ', 'g'), 400000)), 'B')"
    )


def _sqlite_fts(statements: tuple[str, ...]) -> None:
    for trigger in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS entries_fts")
    for statement in statements:
        op.execute(statement)
    op.execute("INSERT INTO entries_fts(entries_fts) VALUES ('rebuild')")


def _pg_vector(expression: str) -> None:
    op.execute("DROP INDEX IF EXISTS ix_entries_search_vector")
    op.execute("ALTER TABLE entries DROP COLUMN IF EXISTS search_vector")
    op.execute(
        f"ALTER TABLE entries ADD COLUMN search_vector tsvector "
        f"GENERATED ALWAYS AS ({expression}) STORED"
    )
    op.execute("CREATE INDEX ix_entries_search_vector ON entries USING gin (search_vector)")


def upgrade() -> None:
    op.add_column("entries", sa.Column("full_content", sa.Text))
    op.add_column("entries", sa.Column("full_text", sa.Text))
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_fts(_fts("summary_text", "content_text", "full_text"))
    else:
        _pg_vector(_vector("summary", "content", "full_content"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_fts(_fts("summary_text", "content_text"))
    else:
        _pg_vector(_vector("summary", "content"))
    # No index or trigger reads these columns any more, so SQLite (3.35+) drops them in place.
    op.drop_column("entries", "full_text")
    op.drop_column("entries", "full_content")
