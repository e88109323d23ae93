"""Moving a test database to a given schema revision, up or down."""

from __future__ import annotations

from alembic import command

from tidings.store import Store
from tidings.store.database import _alembic_config, write_transaction


def migrate_to(store: Store, revision: str, *, down: bool = False) -> None:
    """Upgrade (or, with `down`, downgrade) the store's database to `revision`."""
    with write_transaction(store.engine) as conn:
        (command.downgrade if down else command.upgrade)(_alembic_config(conn), revision)
