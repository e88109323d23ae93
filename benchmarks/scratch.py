"""An empty database for one benchmark run: a temporary SQLite file, or a schema of its own on a
PostgreSQL server, dropped afterwards."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from tidings.store.database import normalize_url

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


@contextmanager
def scratch_database(server: str | None, name: str = "bench") -> Iterator[str]:
    """Give the URL of an empty database: a temporary SQLite file when `server` is None, else a
    new schema named after `name` on that PostgreSQL server (dropped on the way out)."""
    if server is None:
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{Path(tmp) / f'{name}.db'}"
        return
    admin = sa.create_engine(normalize_url(server))
    schema = f"{name}_{uuid.uuid4().hex[:12]}"
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield (
            normalize_url(server)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()
