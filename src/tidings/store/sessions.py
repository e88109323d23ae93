"""Queries on signed-in sessions: start, resolve to their user, end one, end all of a user's.

A session's cookie carries a random token; its row here holds the token's hash, the user and the
expiry. A request is signed in only while that row exists and has not expired, which is what
lets a session end: signing out, "sign out everywhere", a password change or reset and the
user's removal all delete rows (`end`, `end_all`, and `users.set_password_hash`/`remove`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from tidings.model import User
from tidings.store.database import read_transaction, write_transaction
from tidings.store.rows import user_from_row
from tidings.store.schema import user_sessions, users
from tidings.store.tokens import hash_token, new_token

MAX_USER_AGENT = 200


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """One of a user's signed-in sessions, as /account lists them (never with the token)."""

    created_at: datetime
    expires_at: datetime
    user_agent: str
    current: bool


def end_sessions(conn: Connection, user_id: int, *, keep: str | None = None) -> int:
    """Delete the user's sessions in `conn`'s transaction, but the one of token `keep`; how many."""
    query = sa.delete(user_sessions).where(user_sessions.c.user_id == user_id)
    if keep is not None:
        query = query.where(user_sessions.c.token_hash != hash_token(keep))
    return conn.execute(query).rowcount


class SessionQueries:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def start(
        self,
        user_id: int,
        lifetime: timedelta,
        *,
        user_agent: str = "",
        now: datetime | None = None,
    ) -> str:
        """A new session's token for the user (its hash is stored); expired rows are cleared."""
        now = now or datetime.now(UTC)
        token = new_token()
        with write_transaction(self._engine) as conn:
            # Expired rows are useless; clearing them here keeps the table as small as the
            # number of live sessions without a background job.
            conn.execute(sa.delete(user_sessions).where(user_sessions.c.expires_at <= now))
            conn.execute(
                user_sessions.insert().values(
                    token_hash=hash_token(token),
                    user_id=user_id,
                    created_at=now,
                    expires_at=now + lifetime,
                    user_agent=user_agent[:MAX_USER_AGENT],
                )
            )
        return token

    def user_of(self, token: str, now: datetime | None = None) -> User | None:
        """The user of a live session with this token, or None (ended, expired, unknown)."""
        now = now or datetime.now(UTC)
        query = (
            sa.select(users.c.id, users.c.name, users.c.is_admin, users.c.created_at)
            .join(user_sessions, user_sessions.c.user_id == users.c.id)
            .where(user_sessions.c.token_hash == hash_token(token))
            .where(user_sessions.c.expires_at > now)
        )
        with read_transaction(self._engine) as conn:
            row = conn.execute(query).first()
        return None if row is None else user_from_row(row)

    def end(self, token: str) -> None:
        """End the session of this token (signing out); nothing when there is none."""
        with write_transaction(self._engine) as conn:
            conn.execute(
                sa.delete(user_sessions).where(user_sessions.c.token_hash == hash_token(token))
            )

    def end_all(self, user_id: int, *, keep: str | None = None) -> int:
        """End every session of the user but the one of token `keep`; how many were ended."""
        with write_transaction(self._engine) as conn:
            return end_sessions(conn, user_id, keep=keep)

    def of_user(
        self, user_id: int, *, current: str | None = None, now: datetime | None = None
    ) -> list[SessionInfo]:
        """The user's live sessions, newest first; `current` marks the one making the request."""
        now = now or datetime.now(UTC)
        current_hash = hash_token(current) if current else None
        query = (
            sa.select(
                user_sessions.c.token_hash,
                user_sessions.c.created_at,
                user_sessions.c.expires_at,
                user_sessions.c.user_agent,
            )
            .where(user_sessions.c.user_id == user_id, user_sessions.c.expires_at > now)
            .order_by(user_sessions.c.created_at.desc())
        )
        with read_transaction(self._engine) as conn:
            return [
                SessionInfo(
                    row.created_at, row.expires_at, row.user_agent, row.token_hash == current_hash
                )
                for row in conn.execute(query)
            ]
