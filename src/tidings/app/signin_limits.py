"""The one limit on guessing credentials, for every way of signing in.

The web form, the account page's password check, Miniflux (API key or HTTP Basic), Google
Reader's ClientLogin and tokens, and Fever all go through `SignInLimiter.attempt`:

    async with limiter.attempt(address, name) as attempt:   # TooManyAttempts: nothing checked
        user = await check_password(...)
        attempt.result(user is not None)

Why this shape:
- **Counted before the check, one at a time.** Attempts on one account (or, for credentials
  that carry no name, from one address) wait for each other, and the limit is read after that
  wait. Before, the limit was read, argon2 ran, and the failure was recorded afterwards: 60
  parallel wrong passwords were all checked against a limit of 5. Now at most `per_pair`
  failures are ever checked, and a refused attempt costs no hash.
- **Per account *and* address, so a stranger cannot lock the owner out.** Five failures for a
  name from one address stop that address only (`per_pair`). An address is stopped after
  `per_address` failures whatever the names. Failures for a name from every address together are
  capped too (`per_account`, against guessing from many addresses), but an address that has
  signed in as that name since the process started is exempt from that cap.
- Credentials that carry no name (an API key, a Google Reader token, a Fever key) are limited
  per address (name None): `per_pair` wrong ones stop that address's Fever key checks, and
  make its wrong tokens 429s; a valid API key or Google Reader token is let in all the same
  (`tidings.api.auth.checked_token`: nobody guesses one).

The state is in memory, per server process: with `serve --workers N` each process counts alone.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

MAX_KEYS = 10_000  # per window: the memory a flood of made-up names or addresses can take


class TooManyAttempts(Exception):
    """Refused before any check: `retry_after` whole seconds to wait (at least 1)."""

    def __init__(self, retry_after: float) -> None:
        super().__init__("too many failed attempts")
        self.retry_after = max(1, int(retry_after + 0.999))

    @property
    def minutes(self) -> int:
        """The wait in whole minutes, at least 1, as pages say it."""
        return max(1, -(-self.retry_after // 60))


class FailureWindow:
    """Failure times per key within a sliding window; bounded in keys so it cannot grow forever."""

    def __init__(
        self, limit: int, window: float, clock: Callable[[], float], max_keys: int = MAX_KEYS
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._max_keys = max_keys
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def retry_after(self, key: str, pending: int = 0) -> float:
        """Seconds until `key` may try again with `pending` attempts under way; 0 when now."""
        times = self._recent(key)
        if len(times) + pending < self.limit:
            return 0.0
        if len(times) < self.limit:
            # Only attempts under way fill the window: wait for them, a second is plenty.
            return 1.0
        return max(0.0, times[-self.limit] + self.window - self._clock())

    def record(self, key: str) -> None:
        """Note one failure of `key` now."""
        times = self._recent(key)
        times.append(self._clock())
        self._failures[key] = times
        self._failures.move_to_end(key)
        while len(self._failures) > self._max_keys:
            self._failures.popitem(last=False)

    def clear(self, key: str) -> None:
        """Forget every failure of `key`."""
        self._failures.pop(key, None)

    def _recent(self, key: str) -> deque[float]:
        times = self._failures.get(key, deque())
        cutoff = self._clock() - self.window
        while times and times[0] <= cutoff:
            times.popleft()
        return times


@dataclass(slots=True)
class Attempt:
    """One attempt under way; say how it went with `result` (unsaid counts as a failure)."""

    succeeded: bool = False
    _said: bool = field(default=False, repr=False)

    def result(self, succeeded: bool) -> None:
        self.succeeded = succeeded
        self._said = True


class SignInLimiter:
    """Refuses sign-in attempts after too many failures; see the module's docstring."""

    def __init__(
        self,
        *,
        per_pair: int = 5,
        per_address: int = 20,
        per_account: int = 50,
        window: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._pairs = FailureWindow(per_pair, window, clock)
        self._addresses = FailureWindow(per_address, window, clock)
        self._accounts = FailureWindow(per_account, window, clock)
        self._pending: dict[str, int] = {}  # attempts under way per address
        self._locks: dict[str, asyncio.Lock] = {}
        self._waiting: dict[str, int] = {}
        # Addresses each name has signed in from (a few per name, a bounded number of names).
        self._trusted: OrderedDict[str, deque[str]] = OrderedDict()

    @asynccontextmanager
    async def attempt(self, address: str, name: str | None) -> AsyncIterator[Attempt]:
        """An attempt to check a credential, counted before the check (see the module)."""
        account = _account(name)
        key = account if account is not None else f"token@{address}"
        # Refuse at once what is refused anyway, without queueing behind other attempts.
        wait = self._wait(address, account, self._pending.get(address, 0))
        if wait > 0:
            raise TooManyAttempts(wait)
        # Password checks under way count against their address's limit (argon2 is what a
        # flood of attempts with many names would cost). Token checks cost an index lookup and
        # clients send them in parallel on every request, so they do not.
        costly = account is not None
        if costly:
            self._pending[address] = self._pending.get(address, 0) + 1
        try:
            async with self._lock(key):
                # Read again after the wait: the attempts before this one may have failed.
                others = self._pending.get(address, 0) - costly
                wait = self._wait(address, account, others)
                if wait > 0:
                    raise TooManyAttempts(wait)
                attempt = Attempt()
                try:
                    yield attempt
                finally:
                    self._note(address, account, attempt.succeeded and attempt._said)
        finally:
            if costly:
                self._pending[address] -= 1
                if not self._pending[address]:
                    del self._pending[address]

    def _wait(self, address: str, account: str | None, pending: int) -> float:
        waits = [
            self._addresses.retry_after(address, pending),
            self._pairs.retry_after(_pair(account, address)),
        ]
        if account is not None and address not in self._trusted.get(account, ()):
            waits.append(self._accounts.retry_after(account))
        return max(waits)

    def _note(self, address: str, account: str | None, succeeded: bool) -> None:
        if succeeded:
            # Only this pair is forgiven: an address guessing many names stays limited.
            self._pairs.clear(_pair(account, address))
            if account is not None:
                self._trust(account, address)
            return
        self._addresses.record(address)
        self._pairs.record(_pair(account, address))
        if account is not None:
            self._accounts.record(account)

    def _trust(self, account: str, address: str) -> None:
        known = self._trusted.setdefault(account, deque(maxlen=8))
        if address not in known:
            known.append(address)
        self._trusted.move_to_end(account)
        while len(self._trusted) > MAX_KEYS:
            self._trusted.popitem(last=False)

    @asynccontextmanager
    async def _lock(self, key: str) -> AsyncIterator[None]:
        """One attempt at a time per key; the lock is dropped when nobody waits for it."""
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:
                del self._waiting[key]
                del self._locks[key]


def _account(name: str | None) -> str | None:
    return None if name is None else name.strip().lower()


def _pair(account: str | None, address: str) -> str:
    # Tokens share one pair per address: five wrong tokens stop that address's token checks.
    return f"{account}\0{address}" if account is not None else f"\0token\0{address}"
