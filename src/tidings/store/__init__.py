"""Storage: the one interface to the database. It takes and gives the records of `tidings.model`.

    store = Store.open("sqlite:///tidings.db")   # or postgresql://...
    store.migrate()
    feed = store.feeds.add("https://example.org/feed.xml")

Each entity has its own module of queries (feeds, entries, categories, users, ...); SQL lives only
in this package.
"""

from tidings.store.errors import Conflict, LimitReached, NotFound, StorageError
from tidings.store.store import Store

__all__ = ["Conflict", "LimitReached", "NotFound", "StorageError", "Store"]
