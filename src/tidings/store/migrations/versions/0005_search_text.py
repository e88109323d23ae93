"""Search the text, not the markup, on SQLite.

Revision ID: 0005
Revises: 0004

Revision 0002's FTS5 table indexed entries(title, summary, content), the cleaned HTML, so a word
that occurs only in markup (`noopener`, `lazy`, `href`, an image's host name) matched every entry
with a link or an image. This revision adds `entries.summary_text` and `entries.content_text`,
the visible text of each (tidings.plaintext.html_text, as the refresher computes it), fills them
for the stored entries in batches, and rebuilds `entries_fts` over (title, summary_text,
content_text) with the same tokenizer and the triggers on the new columns. The columns are not in
schema.py's metadata (see `schema.include_object`).

PostgreSQL is left as it is: its generated tsvector strips the tags itself (revision 0002).

Beware, as in 0002: a batch migration that recreates `entries` on SQLite drops the triggers, and
this one must not use one (columns are added and dropped with plain ALTER TABLE).
"""

import sqlalchemy as sa
from alembic import op

from tidings.plaintext import html_text

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_BATCH = 1000  # entries read, converted and written back at a time
_TEXT_COLUMNS = ("summary_text", "content_text")
_TRIGGER_NAMES = ("entries_fts_ai", "entries_fts_ad", "entries_fts_au")


def _fts(summary: str, content: str) -> tuple[str, ...]:
    """The FTS5 table and its three triggers over (title, `summary`, `content`) of entries."""
    columns = f"title, {summary}, {content}"
    new = f"INSERT INTO entries_fts(rowid, {columns}) VALUES (new.id, new.title, new.{summary}, new.{content});"  # noqa: E501
    old = f"INSERT INTO entries_fts(entries_fts, rowid, {columns}) VALUES ('delete', old.id, old.title, old.{summary}, old.{content});"  # noqa: E501
    return (
        f"CREATE VIRTUAL TABLE entries_fts USING fts5({columns}, content='entries', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER entries_fts_ai AFTER INSERT ON entries BEGIN {new} END",
        f"CREATE TRIGGER entries_fts_ad AFTER DELETE ON entries BEGIN {old} END",
        f"CREATE TRIGGER entries_fts_au AFTER UPDATE OF {columns} ON entries BEGIN {old} {new} END",
    )


_TEXT_FTS = _fts("summary_text", "content_text")
_HTML_FTS = _fts("summary", "content")  # revision 0002's


def _drop_fts() -> None:
    for trigger in _TRIGGER_NAMES:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS entries_fts")


def _create_fts(statements: tuple[str, ...]) -> None:
    for statement in statements:
        op.execute(statement)
    op.execute("INSERT INTO entries_fts(entries_fts) VALUES ('rebuild')")


def _fill_text() -> None:
    """Write the text of every stored entry, _BATCH entries at a time, in id order."""
    conn = op.get_bind()
    last = 0
    while True:
        rows = conn.exec_driver_sql(
            "SELECT id, summary, content FROM entries WHERE id > ? ORDER BY id LIMIT ?",
            (last, _BATCH),
        ).all()
        if not rows:
            return
        conn.exec_driver_sql(
            "UPDATE entries SET summary_text = ?, content_text = ? WHERE id = ?",
            [(html_text(summary), html_text(content), id_) for id_, summary, content in rows],
        )
        last = rows[-1][0]


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    _drop_fts()
    for column in _TEXT_COLUMNS:
        op.add_column("entries", sa.Column(column, sa.Text))
    _fill_text()
    _create_fts(_TEXT_FTS)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    _drop_fts()
    for column in _TEXT_COLUMNS:
        op.execute(f"ALTER TABLE entries DROP COLUMN {column}")
    _create_fts(_HTML_FTS)
