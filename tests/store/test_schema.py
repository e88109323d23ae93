from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.dialects import sqlite

from tidings.store import StorageError, Store
from tidings.store.schema import UTCDateTime, include_object, metadata


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
        assert store.migrate() == [
            "0001",
            "0002",
            "0003",
            "0004",
            "0005",
            "0006",
            "0007",
            "0008",
            "0009",
            "0012",
            "0010",
            "0013",
            "0011",
            "0014",
            "0015",
            "0016",
        ]
        names = set(sa.inspect(store.engine).get_table_names())
        assert {"feeds", "entries", "users", "entry_states", "fetch_log"} <= names


MOMENTS = [
    datetime(2025, 9, 19, 12, 0, tzinfo=UTC),
    datetime(2025, 9, 19, 14, 30, 5, 123456, tzinfo=timezone(timedelta(hours=2, minutes=30))),
    datetime(1, 1, 1, tzinfo=UTC),
    datetime(9999, 12, 31, 23, 59, 58, 999999, tzinfo=UTC),
]


@pytest.mark.parametrize("moment", MOMENTS, ids=str)
def test_datetimes_come_back_aware_utc_and_sort_as_stored(store: Store, moment: datetime) -> None:
    table = sa.Table("moments", sa.MetaData(), sa.Column("at", UTCDateTime))
    with store.engine.begin() as conn:
        table.create(conn)
        conn.execute(table.insert(), [{"at": moment}, {"at": None}])
        back = conn.execute(sa.select(table.c.at).order_by(table.c.at)).scalars().all()
        later = conn.execute(
            sa.select(sa.func.count()).where(table.c.at < moment + timedelta(microseconds=1))
        ).scalar_one()
        raw = conn.exec_driver_sql("SELECT at FROM moments WHERE at IS NOT NULL").scalar_one()
        table.drop(conn)
    assert [m for m in back if m is not None] == [moment]
    assert all(m is None or m.tzinfo is UTC for m in back)
    assert later == 1
    if store.dialect == "sqlite":
        # The text SQLAlchemy's own SQLite DATETIME stores, so older rows and SQL comparisons agree.
        naive = moment.astimezone(UTC).replace(tzinfo=None)
        assert raw == sqlite.DATETIME().bind_processor(store.engine.dialect)(naive)  # type: ignore[misc, no-untyped-call]


def test_a_naive_datetime_is_refused(store: Store) -> None:
    table = sa.Table("naive", sa.MetaData(), sa.Column("at", UTCDateTime))
    with store.engine.begin() as conn:
        table.create(conn)
        with pytest.raises(sa.exc.StatementError, match="naive datetime"):
            conn.execute(table.insert(), {"at": datetime(2025, 1, 1)})


def test_head_constant_is_alembics_head() -> None:
    """Startup compares the stored revision with HEAD instead of importing Alembic to ask."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from tidings.store.migrations import HEAD

    config = Config()
    config.set_main_option("script_location", "tidings.store:migrations")
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD


def test_a_database_behind_or_empty_is_not_current(tmp_path: object) -> None:
    from tidings.store.database import stored_revision

    with Store.open(f"sqlite:///{tmp_path}/x.db") as store:
        with pytest.raises(StorageError, match="tidings migrate"):
            store.check_schema()  # never migrated: no alembic_version table
        store.migrate()
        store.check_schema()
        with store.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0006'")
            assert stored_revision(conn) == "0006"
        with pytest.raises(StorageError, match="tidings migrate"):
            store.check_schema()
