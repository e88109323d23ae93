"""A limit on failed sign-ins, per client address and per user name, kept in memory."""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable


class FailureWindow:
    """Failure times per key within a sliding window; bounded in keys so it cannot grow forever."""

    def __init__(
        self, limit: int, window: float, clock: Callable[[], float], max_keys: int = 10_000
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._max_keys = max_keys
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def retry_after(self, key: str) -> float:
        """Seconds until `key` may try again; 0 when it may now."""
        times = self._recent(key)
        if len(times) < self.limit:
            return 0.0
        return max(0.0, times[-self.limit] + self.window - self._clock())

    def record(self, key: str) -> None:
        times = self._recent(key)
        times.append(self._clock())
        self._failures[key] = times
        self._failures.move_to_end(key)
        while len(self._failures) > self._max_keys:
            self._failures.popitem(last=False)

    def clear(self, key: str) -> None:
        self._failures.pop(key, None)

    def _recent(self, key: str) -> deque[float]:
        times = self._failures.get(key, deque())
        cutoff = self._clock() - self.window
        while times and times[0] <= cutoff:
            times.popleft()
        return times


class LoginLimiter:
    """Refuses sign-in attempts after too many failures from one address or for one name."""

    def __init__(
        self,
        *,
        per_name: int = 5,
        per_address: int = 20,
        window: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._names = FailureWindow(per_name, window, clock)
        self._addresses = FailureWindow(per_address, window, clock)

    def retry_after(self, address: str, name: str) -> float:
        """Seconds until this address may try this name again; 0 when it may now."""
        return max(self._addresses.retry_after(address), self._names.retry_after(name.lower()))

    def failed(self, address: str, name: str) -> None:
        self._addresses.record(address)
        self._names.record(name.lower())

    def succeeded(self, address: str, name: str) -> None:
        # Only the name's count is forgiven: an address guessing many names stays limited.
        self._names.clear(name.lower())
