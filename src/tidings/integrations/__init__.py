"""Integrations: send one entry to where people keep things (a read-later service, a webhook).

- base.py      the `Integration` protocol, the entry as sent, the outcome of one delivery
- delivery.py  `deliver`: one attempt, and the retry/backoff decision (pure)
- sealing.py   credentials sealed with a key derived from the site's secret key
- registry.py  the kinds by name
- webhook.py, linkding.py, readeck.py, wallabag.py, shaarli.py: one module per kind
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
