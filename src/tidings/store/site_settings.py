"""Queries on the site settings: values set in the web that override the settings file."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from tidings.store.database import read_transaction, write_transaction
from tidings.store.schema import site_settings


def _insert(conn: Connection) -> Any:
    """The dialect's INSERT, which has on_conflict_do_update."""
    return postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert


class SiteSettingQueries:
    """The `site_settings` table: one JSON value per setting name.

    What the values mean, and which names count, is for `tidings.site_settings` to say: this
    class stores whatever it is given.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def get_all(self) -> dict[str, object]:
        """Every stored value by setting name."""
        query = sa.select(site_settings.c.key, site_settings.c.value)
        with read_transaction(self._engine) as conn:
            return {row.key: row.value for row in conn.execute(query)}

    def set_many(self, values: Mapping[str, object]) -> None:
        """Store `values` in one transaction; a value of None removes the name.

        A removed name follows the settings file and the environment again.
        """
        if not values:
            return
        removed = [key for key, value in values.items() if value is None]
        kept = [{"key": key, "value": value} for key, value in values.items() if value is not None]
        with write_transaction(self._engine) as conn:
            if removed:
                conn.execute(site_settings.delete().where(site_settings.c.key.in_(removed)))
            if kept:
                insert = _insert(conn)(site_settings)
                conn.execute(
                    insert.on_conflict_do_update(
                        index_elements=["key"], set_={"value": insert.excluded.value}
                    ),
                    kept,
                )
