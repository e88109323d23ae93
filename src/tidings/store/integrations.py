"""Queries on integrations (a user's services to send entries to) and their deliveries.

The config is stored as given (JSON text with secrets already sealed by the caller); this
module knows nothing of kinds or credentials. Every query names the user, so one user can
neither see nor use another's integration.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from tidings.errors import InvalidInput
from tidings.reading.limits import one_line
from tidings.store.database import read_transaction, write_transaction
from tidings.store.errors import Conflict, LimitReached, NotFound
from tidings.store.schema import integration_deliveries, integrations

MAX_INTEGRATIONS: Final = 20
MAX_NAME: Final = 100
MAX_CONFIG: Final = 16 * 1024
MAX_MESSAGE: Final = 500
LOG_LIMIT: Final = 100
# A claimed delivery not recorded within this (its process died) is tried again.
LEASE: Final = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class StoredIntegration:
    """One configured integration of a user; `config` is JSON text, secrets sealed."""

    id: int
    user_id: int
    kind: str
    name: str
    enabled: bool
    config: str


@dataclass(frozen=True, slots=True)
class StoredDelivery:
    """One entry sent (or to send) to one integration."""

    id: int
    user_id: int
    integration_id: int
    entry_id: int
    state: str  # queued, sent, failed
    attempts: int
    message: str
    due_at: datetime | None


_I = (
    integrations.c.id,
    integrations.c.user_id,
    integrations.c.kind,
    integrations.c.name,
    integrations.c.enabled,
    integrations.c.config,
)
_D = (
    integration_deliveries.c.id,
    integration_deliveries.c.user_id,
    integration_deliveries.c.integration_id,
    integration_deliveries.c.entry_id,
    integration_deliveries.c.state,
    integration_deliveries.c.attempts,
    integration_deliveries.c.message,
    integration_deliveries.c.due_at,
)


class IntegrationQueries:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def create(self, user_id: int, kind: str, name: str, config: str) -> StoredIntegration:
        """Return the user's new (enabled) integration; InvalidInput, Conflict on a taken
        name, LimitReached at MAX_INTEGRATIONS."""
        name = one_line(name)
        if not name or len(name) > MAX_NAME:
            raise InvalidInput(f"an integration needs a name of 1 to {MAX_NAME} characters")
        if len(config) > MAX_CONFIG:
            raise InvalidInput("the integration's settings are too long")
        mine = integrations.c.user_id == user_id
        try:
            with write_transaction(self._engine) as conn:
                count = conn.execute(sa.select(sa.func.count()).where(mine)).scalar_one()
                if count >= MAX_INTEGRATIONS:
                    raise LimitReached(f"at most {MAX_INTEGRATIONS} integrations")
                row = conn.execute(
                    integrations.insert()
                    .values(
                        user_id=user_id,
                        kind=kind,
                        name=name,
                        enabled=True,
                        config=config,
                        created_at=datetime.now(UTC),
                    )
                    .returning(*_I)
                ).one()
        except IntegrityError:
            raise Conflict(f"you have an integration named {name!r}") from None
        return StoredIntegration(**row._mapping)

    def get(self, user_id: int, integration_id: int) -> StoredIntegration:
        """Return the user's integration; NotFound when the user has none of that id."""
        with read_transaction(self._engine) as conn:
            row = conn.execute(
                sa.select(*_I).where(
                    integrations.c.id == integration_id, integrations.c.user_id == user_id
                )
            ).first()
        if row is None:
            raise NotFound(f"no integration with id {integration_id}")
        return StoredIntegration(**row._mapping)

    def of_user(self, user_id: int) -> list[StoredIntegration]:
        """Return the user's integrations by name."""
        with read_transaction(self._engine) as conn:
            rows = conn.execute(
                sa.select(*_I)
                .where(integrations.c.user_id == user_id)
                .order_by(integrations.c.name, integrations.c.id)
            ).all()
        return [StoredIntegration(**row._mapping) for row in rows]

    def any_enabled(self, user_id: int) -> bool:
        """Return whether the user has an enabled integration (an entry page's Send button)."""
        with read_transaction(self._engine) as conn:
            found = conn.execute(
                sa.select(integrations.c.id)
                .where(integrations.c.user_id == user_id, integrations.c.enabled)
                .limit(1)
            ).first()
        return found is not None

    def update(
        self, user_id: int, integration_id: int, *, enabled: bool, config: str
    ) -> StoredIntegration:
        """Return the user's integration with `enabled` and `config` set; NotFound if none."""
        if len(config) > MAX_CONFIG:
            raise InvalidInput("the integration's settings are too long")
        with write_transaction(self._engine) as conn:
            row = conn.execute(
                integrations.update()
                .where(integrations.c.id == integration_id, integrations.c.user_id == user_id)
                .values(enabled=enabled, config=config)
                .returning(*_I)
            ).first()
        if row is None:
            raise NotFound(f"no integration with id {integration_id}")
        return StoredIntegration(**row._mapping)

    def delete(self, user_id: int, integration_id: int) -> None:
        """Delete the user's integration and its deliveries; NotFound if the user has none."""
        with write_transaction(self._engine) as conn:
            gone = conn.execute(
                integrations.delete().where(
                    integrations.c.id == integration_id, integrations.c.user_id == user_id
                )
            ).rowcount
        if not gone:
            raise NotFound(f"no integration with id {integration_id}")

    def queue(self, user_id: int, integration_id: int, entry_id: int) -> StoredDelivery:
        """Return a new delivery of `entry_id`, due now, to the user's enabled integration;
        NotFound when the user has no such integration, InvalidInput when it is disabled."""
        now = datetime.now(UTC)
        with write_transaction(self._engine) as conn:
            enabled = conn.execute(
                sa.select(integrations.c.enabled).where(
                    integrations.c.id == integration_id, integrations.c.user_id == user_id
                )
            ).first()
            if enabled is None:
                raise NotFound(f"no integration with id {integration_id}")
            if not enabled[0]:
                raise InvalidInput("this integration is disabled")
            row = conn.execute(
                integration_deliveries.insert()
                .values(
                    user_id=user_id,
                    integration_id=integration_id,
                    entry_id=entry_id,
                    state="queued",
                    attempts=0,
                    message="Waiting to be sent.",
                    due_at=now,
                    created_at=now,
                )
                .returning(*_D)
            ).one()
        return StoredDelivery(**row._mapping)

    def claim_due(
        self, now: datetime, *, lease: timedelta = LEASE, limit: int = 20
    ) -> list[StoredDelivery]:
        """Return up to `limit` deliveries due by `now`, one of each user (their oldest), each
        now due again only after `lease` (so another worker process does not take it too; the
        attempt's `record` sets the real next time). One a user: a pass attempts them all at
        once, and a user's slow endpoint then delays nobody else's deliveries by more than one
        attempt (eight to an endpoint that took 30 s each delayed another user's by 250 s)."""
        due = integration_deliveries.c.due_at <= now
        with write_transaction(self._engine) as conn:
            oldest = (
                sa.select(sa.func.min(integration_deliveries.c.id).label("id"))
                .where(due)
                .group_by(integration_deliveries.c.user_id)
                .subquery()
            )
            ids = (
                conn.execute(sa.select(oldest.c.id).order_by(oldest.c.id).limit(limit))
                .scalars()
                .all()
            )
            if not ids:
                return []
            # `due` again in the UPDATE: a row another process claimed meanwhile is skipped.
            rows = conn.execute(
                integration_deliveries.update()
                .where(integration_deliveries.c.id.in_(ids), due)
                .values(due_at=now + lease)
                .returning(*_D)
            ).all()
        claimed = [StoredDelivery(**row._mapping) for row in rows]
        return sorted(claimed, key=lambda d: d.id)

    def record(
        self, delivery_id: int, *, state: str, attempts: int, message: str, due_at: datetime | None
    ) -> None:
        """Store the outcome of an attempt: the state, the count, the message, the next time."""
        with write_transaction(self._engine) as conn:
            conn.execute(
                integration_deliveries.update()
                .where(integration_deliveries.c.id == delivery_id)
                .values(
                    state=state, attempts=attempts, message=message[:MAX_MESSAGE], due_at=due_at
                )
            )

    def log(self, user_id: int, limit: int = LOG_LIMIT) -> list[StoredDelivery]:
        """Return the user's newest deliveries first, at most `limit`."""
        with read_transaction(self._engine) as conn:
            rows = conn.execute(
                sa.select(*_D)
                .where(integration_deliveries.c.user_id == user_id)
                .order_by(integration_deliveries.c.id.desc())
                .limit(limit)
            ).all()
        return [StoredDelivery(**row._mapping) for row in rows]
