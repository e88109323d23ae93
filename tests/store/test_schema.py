from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from tidings.store import Store
from tidings.store.schema import include_object, metadata


def test_migrations_build_exactly_the_schema_in_code(store: Store) -> None:
    with store.engine.connect() as conn:
        # The search index (FTS5 table on SQLite, tsvector column on PostgreSQL) exists only in
        # migrations: schema.include_object leaves it out of the comparison.
        context = MigrationContext.configure(conn, opts={"include_object": include_object})
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_migrate_twice_is_a_no_op(store: Store) -> None:
    assert store.migrate() == []
    store.check_schema()


def test_sqlite_pragmas(tmp_path: object) -> None:
    with Store.open(f"sqlite:///{tmp_path}/x.db") as store:
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
        assert store.migrate() == ["0001", "0002", "0003", "0004"]
        names = set(sa.inspect(store.engine).get_table_names())
        assert {"feeds", "entries", "users", "entry_states", "fetch_log"} <= names
