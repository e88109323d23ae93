"""The integration kinds, by name."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from tidings.errors import UserError
from tidings.integrations.base import Integration
from tidings.integrations.bookmarks import LINKDING, READECK
from tidings.integrations.notifications import Notifications
from tidings.integrations.shaarli import Shaarli
from tidings.integrations.wallabag import Wallabag
from tidings.integrations.webhook import Webhook

KINDS: Mapping[str, Integration] = MappingProxyType(
    {k.kind: k for k in (Webhook(), LINKDING, READECK, Wallabag(), Shaarli(), Notifications())}
)


class UnknownKind(UserError):
    """No integration has this kind."""


def integration_for(kind: str) -> Integration:
    """Return the integration of `kind`; UnknownKind if there is none."""
    try:
        return KINDS[kind]
    except KeyError:
        raise UnknownKind(f"There is no integration of kind {kind!r}.") from None
