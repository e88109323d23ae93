"""Moving a test database to a given schema revision, up or down."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import command

from tidings.store import Store
from tidings.store.database import _alembic_config, write_transaction
from tidings.store.schema import feeds


def migrate_to(store: Store, revision: str, *, down: bool = False) -> None:
    """Upgrade (or, with `down`, downgrade) the store's database to `revision`."""
    with write_transaction(store.engine) as conn:
        (command.downgrade if down else command.upgrade)(_alembic_config(conn), revision)


def add_old_feed(store: Store, url: str, now: datetime) -> int:
    """A feed row with only the columns every revision has (store.feeds.add reads back all of
    today's, which an old revision lacks); gives its id."""
    with store.engine.begin() as conn:
        made = conn.execute(sa.insert(feeds).values(url=url, created_at=now).returning(feeds.c.id))
        return int(made.scalar_one())
