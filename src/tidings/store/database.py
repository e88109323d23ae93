"""Connecting to the database: engine set-up for SQLite and PostgreSQL, transactions, migrations."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine, make_url

from tidings.store.errors import StorageError
from tidings.store.migrations import HEAD

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

__all__ = [
    "StorageError",
    "create_engine",
    "migrate",
    "normalize_url",
    "read_transaction",
    "schema_is_current",
    "stored_revision",
    "write_transaction",
]


def normalize_url(url: str) -> URL:
    """The SQLAlchemy URL for `url`, with PostgreSQL URLs routed to the psycopg 3 driver."""
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError:
        raise StorageError(f"not a database URL: {url!r}") from None
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in {"sqlite", "postgresql"}:
        raise StorageError(
            f"unsupported database {parsed.get_backend_name()!r}: use sqlite or postgresql"
        )
    return parsed


def create_engine(url: str) -> Engine:
    """An engine for SQLite (WAL, foreign keys, busy timeout) or PostgreSQL (psycopg 3)."""
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    return sa.create_engine(parsed, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _sqlite_engine(url: URL) -> Engine:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(
        url, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=10
    )

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (see _on_begin).
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()
        # The query language's text conditions (store.search): the very functions the rules'
        # in-memory matcher calls, so both read a query the same way.
        dbapi_conn.create_function("tidings_contains", 2, _contains, deterministic=True)
        dbapi_conn.create_function("tidings_regexp", 3, _regexp, deterministic=True)

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A write transaction takes the write lock up front: a deferred one that reads first and
        # writes later fails at once with "database is locked" when another writer got in between,
        # whatever the busy timeout. Readers stay deferred so they never wait for writers (WAL).
        mode = "IMMEDIATE" if conn.get_execution_options().get("tidings_write") else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection inside one write transaction, committed on success, rolled back on error."""
    with engine.connect() as conn:
        conn.execution_options(tidings_write=True)
        with conn.begin():
            yield conn


@contextmanager
def read_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection inside one read transaction: a consistent view for several queries."""
    with engine.connect() as conn, conn.begin():
        yield conn


def plan_for_values(conn: Connection) -> None:
    """Have PostgreSQL plan the rest of this transaction's statements for the values they are
    run with, never with a generic plan (nothing on SQLite).

    psycopg prepares a statement a connection has run 5 times, and PostgreSQL then plans it
    once for any values when that plan looks no dearer. The query language's statements have
    the same text for every word and pattern, and a plan blind to them is slow: a rule preview
    of a pattern matching nothing went from 140 to 270 ms at its eleventh run on a connection;
    a search for a common word planned as for a rare one costs hundreds of ms. Every statement
    that carries a query's terms runs in a transaction that called this. Not for every
    connection: replanning the refresher's writes made a refresh 5-8% slower."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL plan_cache_mode = force_custom_plan")


# Alembic is imported only to migrate: it takes ~0.3 s to import, and every command checks the
# schema at start. When the schema is current (nearly always), that check is one plain query on
# Alembic's own table compared with HEAD, which a test keeps equal to Alembic's head revision.


def stored_revision(conn: Connection) -> str | None:
    """The revision recorded in `alembic_version` (what Alembic's MigrationContext reads), or
    None when the database has never been migrated."""
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    # One row on a linear history such as ours; several (branches) are never "current".
    rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
    return str(rows[0]) if len(rows) == 1 else None


def _alembic_config(conn: Connection) -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", "tidings.store:migrations")
    cfg.attributes["connection"] = conn
    return cfg


def migrate(engine: Engine) -> list[str]:
    """Bring the schema to the newest revision; gives back the revisions applied."""
    if schema_is_current(engine):
        return []  # without importing Alembic, and without taking SQLite's write lock
    from alembic import command
    from alembic.script import ScriptDirectory

    with write_transaction(engine) as conn:
        before = stored_revision(conn)  # again: another process may have migrated meanwhile
        cfg = _alembic_config(conn)
        script = ScriptDirectory.from_config(cfg)
        pending = [
            rev.revision
            for rev in script.iterate_revisions(script.get_current_head(), before)
            if rev.revision != before
        ]
        command.upgrade(cfg, "head")
    return list(reversed(pending))


def schema_is_current(engine: Engine) -> bool:
    """True when the database is at the newest revision."""
    with read_transaction(engine) as conn:
        return stored_revision(conn) == HEAD


def _contains(text: str | None, needle: str) -> int:
    from tidings.rules.matcher import contains

    return int(contains(text, needle))


def _regexp(pattern: str, ignore_case: int, text: str | None) -> int:
    # Called once a row: the compiled pattern straight from the cache (the query's patterns were
    # checked when it was parsed).
    return int(_compiled_regex(pattern, bool(ignore_case)).search(text or "") is not None)


@functools.lru_cache(maxsize=256)
def _compiled_regex(pattern: str, ignore_case: bool) -> Any:
    from tidings.rules.regex import compiled

    return compiled(pattern, ignore_case)
