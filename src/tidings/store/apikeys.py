"""Queries on API keys: create (the token is given back once), list, revoke, authenticate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tidings.model import User
from tidings.reading.limits import key_name
from tidings.store.database import read_transaction, write_transaction
from tidings.store.errors import NotFound
from tidings.store.rows import user_from_row
from tidings.store.schema import api_keys, users
from tidings.store.tokens import hash_token, new_token, note_use


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A user's API key as listed (never with its token)."""

    id: int
    user_id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None = None


_KEY_COLUMNS = (
    api_keys.c.id,
    api_keys.c.user_id,
    api_keys.c.name,
    api_keys.c.created_at,
    api_keys.c.last_used_at,
)


class ApiKeyQueries:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def create(self, user_id: int, name: str) -> tuple[ApiKey, str]:
        """A new key for the user and its token, which is shown once and never stored."""
        name = key_name(name)
        token = new_token()
        with write_transaction(self._engine) as conn:
            row = conn.execute(
                api_keys.insert()
                .values(
                    user_id=user_id,
                    name=name[:100],
                    token_hash=hash_token(token),
                    created_at=datetime.now(UTC),
                )
                .returning(*_KEY_COLUMNS)
            ).one()
        return ApiKey(**row._mapping), token

    def of_user(self, user_id: int) -> list[ApiKey]:
        """The user's keys, newest first."""
        query = (
            sa.select(*_KEY_COLUMNS)
            .where(api_keys.c.user_id == user_id)
            .order_by(api_keys.c.created_at.desc(), api_keys.c.id.desc())
        )
        with read_transaction(self._engine) as conn:
            return [ApiKey(**row._mapping) for row in conn.execute(query)]

    def revoke(self, user_id: int, key_id: int) -> None:
        """Delete one of the user's keys; NotFound when the user has no such key."""
        with write_transaction(self._engine) as conn:
            result = conn.execute(
                sa.delete(api_keys).where(api_keys.c.id == key_id, api_keys.c.user_id == user_id)
            )
            if result.rowcount == 0:
                raise NotFound(f"no API key with id {key_id}")

    def authenticate(self, token: str, now: datetime | None = None) -> User | None:
        """The user the token belongs to, or None; notes when the key was last used."""
        now = now or datetime.now(UTC)
        digest = hash_token(token)
        # Every column named, and the key's own under labels of their own: with `*users.c`
        # after `api_keys.c.id`, the row's `id` was the key's, and a reader's key 1 acted as
        # user 1 (tests/security/test_identity.py).
        query = (
            sa.select(
                api_keys.c.id.label("key_id"),
                api_keys.c.last_used_at.label("key_last_used_at"),
                users.c.id,
                users.c.name,
                users.c.is_admin,
                users.c.created_at,
            )
            .join(users, users.c.id == api_keys.c.user_id)
            .where(api_keys.c.token_hash == digest)
        )
        with read_transaction(self._engine) as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        note_use(self._engine, api_keys, row.key_id, row.key_last_used_at, now)
        return user_from_row(row)
