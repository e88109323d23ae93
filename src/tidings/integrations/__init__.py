"""Integrations: send one entry to where people keep things (a read-later service, a webhook).

- base.py      the `Integration` protocol, the entry as sent, the outcome of one delivery
- delivery.py  `deliver`: one attempt, and the retry/backoff decision (pure)
- sealing.py   credentials sealed with a key derived from the site's secret key
- registry.py  the kinds by name
- service.py   what the rest of tidings calls: configure, queue an entry, run due deliveries
- webhook.py, bookmarks.py (Linkding, Readeck), wallabag.py, shaarli.py, notifications.py
  (Apprise): the kinds
"""

from __future__ import annotations

from tidings.integrations.base import Delivery, EntryToSend, Field, Integration
from tidings.integrations.delivery import Attempt, deliver, next_attempt
from tidings.integrations.registry import KINDS, integration_for

__all__ = [
    "KINDS",
    "Attempt",
    "Delivery",
    "EntryToSend",
    "Field",
    "Integration",
    "deliver",
    "integration_for",
    "next_attempt",
]
