"""Queries on feed tokens: the read-only credential of one personal search feed.

Feed readers cannot sign in, so a personal feed's URL carries a credential. It used to be a whole
API key, which can read and change everything and lands in every access log the URL passes.
A feed token can do one thing: read the one search it was made for. It is revocable on /account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tidings.errors import InvalidInput
from tidings.store.database import read_transaction, write_transaction
from tidings.store.errors import NotFound
from tidings.store.schema import feed_tokens
from tidings.store.tokens import hash_token, new_token, note_use

MAX_QUERY = 500


@dataclass(frozen=True, slots=True)
class FeedToken:
    """A user's feed token as listed (never with the token itself)."""

    id: int
    user_id: int
    query: str
    created_at: datetime
    last_used_at: datetime | None = None


_COLUMNS = (
    feed_tokens.c.id,
    feed_tokens.c.user_id,
    feed_tokens.c.query,
    feed_tokens.c.created_at,
    feed_tokens.c.last_used_at,
)


class FeedTokenQueries:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def create(self, user_id: int, query: str) -> tuple[FeedToken, str]:
        """A new token for the user's search `query`, and the token (shown once, never stored)."""
        query = query.strip()
        if not query or len(query) > MAX_QUERY:
            raise InvalidInput(f"a search feed needs a search of 1 to {MAX_QUERY} characters")
        token = new_token()
        with write_transaction(self._engine) as conn:
            row = conn.execute(
                feed_tokens.insert()
                .values(
                    user_id=user_id,
                    query=query,
                    token_hash=hash_token(token),
                    created_at=datetime.now(UTC),
                )
                .returning(*_COLUMNS)
            ).one()
        return FeedToken(**row._mapping), token

    def of_user(self, user_id: int) -> list[FeedToken]:
        """The user's feed tokens, newest first."""
        query = (
            sa.select(*_COLUMNS)
            .where(feed_tokens.c.user_id == user_id)
            .order_by(feed_tokens.c.created_at.desc(), feed_tokens.c.id.desc())
        )
        with read_transaction(self._engine) as conn:
            return [FeedToken(**row._mapping) for row in conn.execute(query)]

    def revoke(self, user_id: int, token_id: int) -> None:
        """Delete one of the user's feed tokens; NotFound when the user has no such token."""
        with write_transaction(self._engine) as conn:
            result = conn.execute(
                sa.delete(feed_tokens).where(
                    feed_tokens.c.id == token_id, feed_tokens.c.user_id == user_id
                )
            )
            if result.rowcount == 0:
                raise NotFound(f"no feed token with id {token_id}")

    def user_for(self, token: str, query: str, now: datetime | None = None) -> int | None:
        """The id of the user whose token this is, when it was made for this very search."""
        now = now or datetime.now(UTC)
        select = sa.select(
            feed_tokens.c.id, feed_tokens.c.user_id, feed_tokens.c.last_used_at
        ).where(feed_tokens.c.token_hash == hash_token(token), feed_tokens.c.query == query.strip())
        with read_transaction(self._engine) as conn:
            row = conn.execute(select).first()
        if row is None:
            return None
        note_use(self._engine, feed_tokens, row.id, row.last_used_at, now)
        return int(row.user_id)
