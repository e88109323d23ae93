"""Fixtures shared by the whole suite: a migrated, empty database on SQLite and on PostgreSQL.

Every test that takes `store` or `database_url` runs twice, once per database. PostgreSQL comes
from TIDINGS_TEST_POSTGRES_URL; each pytest run works in a schema of its own, dropped at the end.
Locally an unreachable PostgreSQL skips those tests with a loud reason; under CI=true it fails.
With pytest-xdist each worker is a run of its own: its schema, its SQLite template.

`--timed=none|only` leaves out, or keeps only, the tests marked `timed` (they assert a
wall-clock bound): scripts/check.py runs the others in parallel workers, then these alone.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from support.databases import empty_postgres, forget_engines
from tidings.rules.engine import forget_rule_book
from tidings.store import Store
from tidings.store.database import normalize_url

POSTGRES_URL = os.environ.get(
    "TIDINGS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--timed",
        choices=("all", "none", "only"),
        default="all",
        help="run all tests, none or only those marked `timed` (default: all)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect by `--timed`. A test that asserts how long something takes must not share the
    CPUs with other workers' tests: with four workers on two cores, a parse bounded at one
    second (0.3 s alone) and the server's p99 while hostile feeds are parsed both failed."""
    wanted = config.getoption("--timed")
    if wanted == "all":
        return
    keep = wanted == "only"
    selected: list[pytest.Item] = []
    deselected: list[pytest.Item] = []
    for item in items:
        timed = item.get_closest_marker("timed") is not None
        (selected if timed == keep else deselected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A URL whose connections work in a fresh, migrated schema of this run."""
    admin = sa.create_engine(normalize_url(POSTGRES_URL))
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except sa.exc.OperationalError as exc:
        admin.dispose()
        reason = f"PostgreSQL at {POSTGRES_URL} is unreachable: {str(exc.orig).strip()}"
        if IN_CI:
            pytest.fail(f"{reason} (CI=true: PostgreSQL tests must run)", pytrace=False)
        pytest.skip(f"!!! {reason}: PostgreSQL tests SKIPPED !!!")
    schema = f"tidings_test_{uuid.uuid4().hex[:12]}"
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    # synchronous_commit=off: a commit returns before its WAL is flushed to disk (0.8 -> 0.2 ms a
    # commit here, ~30 commits a test that builds a world). Only a server crash could lose such
    # a commit; what other connections see is the same, and no test is about durability.
    url = (
        normalize_url(POSTGRES_URL)
        .update_query_dict({"options": f"-csearch_path={schema} -csynchronous_commit=off"})
        .render_as_string(hide_password=False)
    )
    with Store.open(url) as store:
        store.migrate()
    try:
        yield url
    finally:
        forget_engines()
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies, so no test pays for migrations."""
    path = tmp_path_factory.mktemp("template") / "tidings.db"
    with Store.open(f"sqlite:///{path}") as store:
        store.migrate()
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty, migrated database: SQLite, then PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "tidings.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgresql_url_clean")
    return url


@pytest.fixture
def postgresql_url_clean(postgres_url: str) -> str:
    """The run's PostgreSQL URL, with every table emptied and ids restarted."""
    empty_postgres(postgres_url)
    return postgres_url


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    """A Store on an empty, migrated database (each test runs on SQLite and on PostgreSQL).

    The process's last RuleBook is forgotten first, as a new server starts without one: two
    tests' rules often have the same signature (the same ids, the same queries), and a test that
    counts the reads of the rules, or makes them fail, would see a book of the test before."""
    forget_rule_book()
    with Store.open(database_url) as opened:
        yield opened
