"""The PostgreSQL schema every test starts from: `support.databases.empty_postgres` leaves no
row in any table and gives the next row of each table id 1 again, as a TRUNCATE … RESTART
IDENTITY did."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from support.databases import empty_postgres
from support.entries import apply_check
from tidings.accounts import create_user
from tidings.model import EntryData
from tidings.store import Store
from tidings.store.schema import metadata


def test_every_row_goes_and_ids_start_again_at_one(postgresql_url_clean: str) -> None:
    with Store.open(postgresql_url_clean) as store:
        for n in range(3):  # ids past 1 in several tables, rows in tables that reference others
            feed = store.feeds.add(f"https://e{n}.example/feed.xml")
            user = create_user(store, f"reader{n}", "a long password 1")
            store.reading.subscribe(user.id, feed.url)
        entry = EntryData(key="k", title="An entry", content_hash="h")
        apply_check(store, feed.id, (entry,), now=datetime.now(UTC))

    empty_postgres(postgresql_url_clean)

    with Store.open(postgresql_url_clean) as store:
        with store.engine.connect() as conn:
            for table in metadata.sorted_tables:
                count = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
                assert count == 0, table.name
        assert store.feeds.add("https://again.example/feed.xml").id == 1
        assert create_user(store, "again", "a long password 1").id == 1
