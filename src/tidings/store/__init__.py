"""Storage: the one interface to the database. It takes and gives the records of `tidings.model`.

    store = Store.open("sqlite:///tidings.db")   # or postgresql://...
    store.migrate()
    feed = store.feeds.add("https://example.org/feed.xml")

Each entity has its own module of queries (feeds, entries, categories, users, ...); SQL lives only
in this package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tidings.store.errors import Conflict, LimitReached, NotFound, StorageError

if TYPE_CHECKING:
    from tidings.store.store import Store

__all__ = ["Conflict", "LimitReached", "NotFound", "StorageError", "Store"]


def __getattr__(name: str) -> Any:
    # Store (and with it SQLAlchemy) is imported on first use, not with the package: the errors
    # above are what the CLI needs to catch, and `tidings --help` should not pay ~0.3 s of
    # database imports for them (PEP 562).
    if name == "Store":
        from tidings.store.store import Store

        return Store
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
