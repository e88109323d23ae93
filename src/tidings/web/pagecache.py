"""A small in-memory cache of rendered public pages, keyed by URL and the data's version."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

from tidings.web.responses import Rendered


class PageCache:
    """Rendered pages for anonymous readers, reused while the data has not changed.

    A page is reused only while the data version it was rendered at is current, and for at
    most `ttl` seconds: ages ("5 minutes ago") move on even when the data does not, and a few
    changes made by other processes (a title edited from the command line) are not in the
    version at all. `bump()` marks a change made through this process.
    """

    def __init__(
        self, ttl: float = 10.0, size: int = 512, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self._size = size
        self._clock = clock
        self._pages: OrderedDict[str, tuple[Hashable, float, Rendered]] = OrderedDict()
        self._lock = threading.Lock()
        self.generation = 0

    def get(self, key: str, version: Hashable) -> Rendered | None:
        """The page stored under `key` at this version and still fresh, or None."""
        with self._lock:
            found = self._pages.get(key)
            if found is None:
                return None
            stored_version, stored_at, page = found
            if stored_version != version or self._clock() - stored_at > self.ttl:
                del self._pages[key]
                return None
            self._pages.move_to_end(key)
            return page

    def put(self, key: str, version: Hashable, page: Rendered) -> None:
        with self._lock:
            self._pages[key] = (version, self._clock(), page)
            self._pages.move_to_end(key)
            while len(self._pages) > self._size:
                self._pages.popitem(last=False)

    def bump(self) -> None:
        """Forget every page: something changed through this process."""
        with self._lock:
            self.generation += 1
            self._pages.clear()
