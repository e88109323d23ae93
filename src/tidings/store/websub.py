"""Queries on WebSub subscriptions: one per feed whose document announces a hub."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tidings.store.database import read_transaction, write_transaction
from tidings.store.schema import websub_subscriptions as ws

PENDING_SUBSCRIBE = "pending_subscribe"
SUBSCRIBED = "subscribed"
PENDING_UNSUBSCRIBE = "pending_unsubscribe"
DENIED = "denied"


@dataclass(frozen=True, slots=True)
class WebSubSubscription:
    """One subscription to a hub, as stored. `feed_id` is None once the feed is gone."""

    id: int
    feed_id: int | None
    hub: str
    topic: str
    token: str
    secret: str
    state: str
    requested_at: datetime
    lease_until: datetime | None = None
    last_push_at: datetime | None = None
    last_error: str | None = None

    def live(self, now: datetime) -> bool:
        """True while the hub has confirmed the subscription and its lease runs."""
        return self.state == SUBSCRIBED and self.lease_until is not None and self.lease_until > now


_COLUMNS = (
    ws.c.id,
    ws.c.feed_id,
    ws.c.hub,
    ws.c.topic,
    ws.c.token,
    ws.c.secret,
    ws.c.state,
    ws.c.requested_at,
    ws.c.lease_until,
    ws.c.last_push_at,
    ws.c.last_error,
)


def _record(row: Any) -> WebSubSubscription:
    return WebSubSubscription(**row._mapping)


class WebSubQueries:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def by_token(self, token: str) -> WebSubSubscription | None:
        """The subscription whose callback carries `token`, or None."""
        with read_transaction(self._engine) as conn:
            row = conn.execute(sa.select(*_COLUMNS).where(ws.c.token == token)).first()
        return _record(row) if row is not None else None

    def for_feed(self, feed_id: int) -> WebSubSubscription | None:
        """The feed's subscription, or None."""
        with read_transaction(self._engine) as conn:
            row = conn.execute(sa.select(*_COLUMNS).where(ws.c.feed_id == feed_id)).first()
        return _record(row) if row is not None else None

    def live_feeds(self, feed_ids: list[int], now: datetime) -> set[int]:
        """Which of `feed_ids` have a confirmed subscription whose lease runs at `now`."""
        if not feed_ids:
            return set()
        with read_transaction(self._engine) as conn:
            rows = conn.execute(
                sa.select(ws.c.feed_id).where(
                    ws.c.feed_id.in_(feed_ids), ws.c.state == SUBSCRIBED, ws.c.lease_until > now
                )
            )
            return {row.feed_id for row in rows}

    def request(
        self, feed_id: int, hub: str, topic: str, token: str, secret: str, now: datetime
    ) -> WebSubSubscription:
        """Record a subscribe request sent (or about to be) for the feed; gives the row.

        A new hub or topic replaces the old row's; the token and secret of a renewal stay.
        """
        with write_transaction(self._engine) as conn:
            row = conn.execute(sa.select(*_COLUMNS).where(ws.c.feed_id == feed_id)).first()
            if row is None:
                conn.execute(
                    ws.insert().values(
                        feed_id=feed_id,
                        hub=hub,
                        topic=topic,
                        token=token,
                        secret=secret,
                        state=PENDING_SUBSCRIBE,
                        requested_at=now,
                    )
                )
            else:
                values: dict[str, object] = {"requested_at": now, "last_error": None}
                if row.hub != hub or row.topic != topic:
                    values |= {"hub": hub, "topic": topic, "token": token, "secret": secret}
                    values |= {"lease_until": None}
                # A live subscription stays live while the hub confirms the renewal.
                if row.state != SUBSCRIBED or "hub" in values:
                    values["state"] = PENDING_SUBSCRIBE
                conn.execute(sa.update(ws).where(ws.c.id == row.id).values(**values))
            stored = conn.execute(sa.select(*_COLUMNS).where(ws.c.feed_id == feed_id)).one()
        return _record(stored)

    def confirm(self, id: int, lease_seconds: int, now: datetime) -> None:
        """The hub verified a subscribe: live until `now + lease_seconds`."""
        with write_transaction(self._engine) as conn:
            conn.execute(
                sa.update(ws)
                .where(ws.c.id == id)
                .values(
                    state=SUBSCRIBED,
                    lease_until=now + timedelta(seconds=lease_seconds),
                    last_error=None,
                )
            )

    def set_state(self, id: int, state: str, error: str | None = None) -> None:
        """Set the subscription's state (and its error sentence, or none)."""
        with write_transaction(self._engine) as conn:
            values: dict[str, object] = {"state": state, "last_error": error}
            if state != SUBSCRIBED:
                values["lease_until"] = None
            conn.execute(sa.update(ws).where(ws.c.id == id).values(**values))

    def pushed(self, id: int, now: datetime) -> None:
        """Note that a signed delivery arrived at `now`."""
        with write_transaction(self._engine) as conn:
            conn.execute(sa.update(ws).where(ws.c.id == id).values(last_push_at=now))

    def delete(self, id: int) -> None:
        """Forget the subscription (the hub has been told, or it was never confirmed)."""
        with write_transaction(self._engine) as conn:
            conn.execute(sa.delete(ws).where(ws.c.id == id))

    def to_renew(self, before: datetime, limit: int = 100) -> list[WebSubSubscription]:
        """Live subscriptions of existing feeds whose lease ends before `before`, soonest first."""
        with read_transaction(self._engine) as conn:
            rows = conn.execute(
                sa.select(*_COLUMNS)
                .where(
                    ws.c.feed_id.is_not(None), ws.c.state == SUBSCRIBED, ws.c.lease_until < before
                )
                .order_by(ws.c.lease_until)
                .limit(limit)
            )
            return [_record(row) for row in rows]

    def orphans(self, limit: int = 100) -> list[WebSubSubscription]:
        """Subscriptions whose feed is gone (its last subscriber left): to unsubscribe."""
        with read_transaction(self._engine) as conn:
            rows = conn.execute(
                sa.select(*_COLUMNS).where(ws.c.feed_id.is_(None)).order_by(ws.c.id).limit(limit)
            )
            return [_record(row) for row in rows]
