"""The one place the rest of tidings calls: configure a user's integration (secrets sealed),
queue an entry to send (`send_entry`, never blocking), and run due deliveries (`run_due`, the
worker's step)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from tidings.errors import InvalidInput, UserError
from tidings.fetch import Fetcher
from tidings.integrations.base import EntryToSend
from tidings.integrations.delivery import deliver, next_attempt
from tidings.integrations.registry import integration_for
from tidings.integrations.sealing import mask, seal, unseal
from tidings.store import Store
from tidings.store.errors import NotFound
from tidings.store.integrations import StoredDelivery, StoredIntegration

log = logging.getLogger(__name__)


def stored_config(secret_key: str, kind: str, values: Mapping[str, str]) -> str:
    """Return the JSON stored for `values` of an integration of `kind`, secrets sealed;
    InvalidInput for a setting the kind does not have."""
    fields = {f.name: f for f in integration_for(kind).fields}
    unknown = set(values) - set(fields)
    if unknown:
        raise InvalidInput(f"unknown setting: {', '.join(sorted(unknown))}")
    for name, value in values.items():
        check = fields[name].check
        if check is not None and value:
            check(value)
    return json.dumps(
        {
            name: seal(secret_key, value) if fields[name].secret else value
            for name, value in values.items()
        }
    )


def opened_config(secret_key: str, integration: StoredIntegration) -> dict[str, str]:
    """Return the integration's settings with secrets unsealed (for sending only)."""
    fields = {f.name: f for f in integration_for(integration.kind).fields}
    stored: dict[str, str] = json.loads(integration.config)
    return {
        name: unseal(secret_key, value) if name in fields and fields[name].secret else value
        for name, value in stored.items()
    }


def shown_config(secret_key: str, integration: StoredIntegration) -> dict[str, str]:
    """Return the integration's settings as a UI or API may show them: secrets masked."""
    fields = {f.name: f for f in integration_for(integration.kind).fields}
    opened = opened_config(secret_key, integration)
    return {
        name: mask(value) if name in fields and fields[name].secret else value
        for name, value in opened.items()
    }


def create_integration(
    store: Store, secret_key: str, user_id: int, kind: str, name: str, values: Mapping[str, str]
) -> StoredIntegration:
    """Return the user's new integration of `kind` with `values` (secrets sealed); a UserError
    (a sentence) for an unknown kind, a missing or invalid setting, a taken name or the cap."""
    integration = integration_for(kind)
    missing = [f.label for f in integration.fields if f.required and not values.get(f.name)]
    if missing:
        raise InvalidInput(f"missing setting: {', '.join(missing)}")
    return store.integrations.create(user_id, kind, name, stored_config(secret_key, kind, values))


def update_integration(
    store: Store,
    secret_key: str,
    user_id: int,
    integration_id: int,
    *,
    enabled: bool,
    values: Mapping[str, str],
) -> StoredIntegration:
    """Return the user's integration with `enabled` and `values` set (keys its kind has no
    setting of are ignored). A secret left empty keeps the stored one (forms never show
    secrets back); an empty plain setting that is required is an error. NotFound when the
    user has no such integration."""
    current = store.integrations.get(user_id, integration_id)
    merged = opened_config(secret_key, current)
    for field in integration_for(current.kind).fields:
        value = values.get(field.name, "")
        if value or not field.secret:
            merged[field.name] = value
        if field.required and not merged.get(field.name):
            raise InvalidInput(f"missing setting: {field.label}")
    config = stored_config(secret_key, current.kind, merged)
    return store.integrations.update(user_id, integration_id, enabled=enabled, config=config)


def send_entry(
    store: Store, user_id: int, entry_id: int, integration_id: int | None = None
) -> list[StoredDelivery]:
    """Return the deliveries queued for the user's entry: to `integration_id`, or to every
    enabled integration of theirs. NotFound when the user cannot read the entry or has no
    such integration. Never sends: the worker (`run_due`) does."""
    store.reading.entry(user_id, entry_id)  # NotFound unless the user may read it
    if integration_id is not None:
        return [store.integrations.queue(user_id, integration_id, entry_id)]
    return [
        store.integrations.queue(user_id, integration.id, entry_id)
        for integration in store.integrations.of_user(user_id)
        if integration.enabled
    ]


def _entry_to_send(store: Store, delivery: StoredDelivery) -> EntryToSend:
    user_entry = store.reading.entry(delivery.user_id, delivery.entry_id)
    entry = user_entry.entry
    # The feed as this user names it (their title for it, else the feed's).
    subscribed = store.reading.subscriptions(
        delivery.user_id, with_unread=False, feed_ids={entry.feed_id}
    )
    return EntryToSend(
        id=entry.id,
        url=entry.link or "",
        title=entry.title,
        content=entry.content or entry.summary or "",
        author=entry.author or "",
        feed_title=subscribed[0].display_title if subscribed else "",
        published=entry.published_at.isoformat() if entry.published_at else "",
    )


async def run_due(
    store: Store, secret_key: str, fetcher: Fetcher, now: datetime | None = None
) -> int:
    """Attempt the deliveries due by `now`, one of each user, all at once; return how many were
    attempted.

    Each delivery is claimed first (see `claim_due`), so worker processes never share one.
    Store calls are blocking: `worker.run_deliveries` runs this in a thread of its own, off
    the server's event loop. Each outcome is recorded with `next_attempt`'s next due time.
    """
    now = now or datetime.now(UTC)
    due = store.integrations.claim_due(now)
    await asyncio.gather(*(_attempt(store, secret_key, fetcher, d, now) for d in due))
    return len(due)


async def _attempt(
    store: Store, secret_key: str, fetcher: Fetcher, delivery: StoredDelivery, now: datetime
) -> None:
    """Send one claimed delivery and record how it went."""
    attempts = delivery.attempts + 1
    try:
        integration = store.integrations.get(delivery.user_id, delivery.integration_id)
        entry = _entry_to_send(store, delivery)
        config = opened_config(secret_key, integration)
    except (NotFound, UserError) as error:
        store.integrations.record(
            delivery.id, state="failed", attempts=attempts, message=str(error), due_at=None
        )
        return
    outcome = await deliver(fetcher, integration.kind, config, entry)
    after = next_attempt(outcome, attempts)
    state = "sent" if outcome.ok else ("queued" if after.delay is not None else "failed")
    due_at = None if after.delay is None else now + timedelta(seconds=after.delay)
    # The message is the kind's sentence: it never holds a credential.
    log.info("integration delivery %s: %s", delivery.id, state)
    store.integrations.record(
        delivery.id, state=state, attempts=attempts, message=outcome.message, due_at=due_at
    )
