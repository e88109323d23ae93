"""Queries on user accounts. Password hashing happens outside storage (tidings.accounts)."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tidings.model import User
from tidings.store.database import read_transaction, write_transaction
from tidings.store.errors import Conflict, NotFound
from tidings.store.reading import delete_orphaned_private_feeds
from tidings.store.rows import user_from_row
from tidings.store.schema import subscriptions, users
from tidings.store.sessions import end_sessions

_USER_COLUMNS = (users.c.id, users.c.name, users.c.is_admin, users.c.created_at)


class UserQueries:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, name: str, password_hash: str, *, is_admin: bool = False) -> User:
        """The new user; Conflict when the name is taken."""
        with write_transaction(self._engine) as conn:
            if conn.execute(sa.select(users.c.id).where(users.c.name == name)).first():
                raise Conflict(f"a user named {name!r} exists already")
            row = conn.execute(
                users.insert()
                .values(
                    name=name,
                    password_hash=password_hash,
                    is_admin=is_admin,
                    created_at=datetime.now(UTC),
                )
                .returning(*_USER_COLUMNS)
            ).one()
        return user_from_row(row)

    def get(self, user_id: int) -> User:
        """The user with this id; NotFound when there is none."""
        with read_transaction(self._engine) as conn:
            row = conn.execute(sa.select(*_USER_COLUMNS).where(users.c.id == user_id)).first()
        if row is None:
            raise NotFound(f"no user with id {user_id}")
        return user_from_row(row)

    def credentials(self, name: str) -> tuple[User, str] | None:
        """The user named `name` with their password hash, or None."""
        with read_transaction(self._engine) as conn:
            row = conn.execute(
                sa.select(*_USER_COLUMNS, users.c.password_hash).where(users.c.name == name)
            ).first()
        return (user_from_row(row), row.password_hash) if row else None

    def all(self) -> list[User]:
        """Every user, by name."""
        with read_transaction(self._engine) as conn:
            rows = conn.execute(sa.select(*_USER_COLUMNS).order_by(users.c.name)).all()
        return [user_from_row(row) for row in rows]

    def set_password_hash(
        self, user_id: int, password_hash: str, *, keep_session: str | None = None
    ) -> None:
        """Replace a user's password hash and end their sessions; NotFound when absent.

        A new password ends every session but the one of token `keep_session` (the person who
        changed it stays signed in): whoever knew the old password is signed out with it.
        """
        with write_transaction(self._engine) as conn:
            result = conn.execute(
                sa.update(users).where(users.c.id == user_id).values(password_hash=password_hash)
            )
            if result.rowcount == 0:
                raise NotFound(f"no user with id {user_id}")
            end_sessions(conn, user_id, keep=keep_session)

    def remove(self, user_id: int) -> None:
        """Delete the user, their subscriptions and state; NotFound when absent.

        The private feeds only they followed go too; their sessions, API keys and feed tokens
        go by cascade.
        """
        with write_transaction(self._engine) as conn:
            followed = list(
                conn.execute(
                    sa.select(subscriptions.c.feed_id).where(subscriptions.c.user_id == user_id)
                ).scalars()
            )
            if conn.execute(sa.delete(users).where(users.c.id == user_id)).rowcount == 0:
                raise NotFound(f"no user with id {user_id}")
            delete_orphaned_private_feeds(conn, followed)
