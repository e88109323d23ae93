"""Random credentials and their stored form, shared by API keys, sessions and feed tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tidings.store.database import write_transaction

# last_used_at is written at most this often per credential: a client polling every few seconds
# should not turn every read request into a write.
LAST_USED_PRECISION = timedelta(minutes=1)


def new_token() -> str:
    """A fresh credential: 256 random bits, URL-safe text."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The stored form of a token.

    Tokens are 256 random bits, so a fast hash suffices (nothing to brute-force) and a request
    finds its row with one indexed lookup. The token itself is shown once and never kept.
    """
    return hashlib.sha256(token.encode()).hexdigest()


def note_use(
    engine: Engine, table: sa.Table, row_id: int, last_used: datetime | None, now: datetime
) -> None:
    """Set the row's `last_used_at` to `now` unless it was set less than a minute before."""
    if last_used is not None and now - last_used < LAST_USED_PRECISION:
        return
    with write_transaction(engine) as conn:
        conn.execute(sa.update(table).where(table.c.id == row_id).values(last_used_at=now))
