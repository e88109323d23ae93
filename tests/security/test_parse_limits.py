"""Parse processes: a time limit per document, replaced when killed, gone with their parent."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
import sqlalchemy as sa

from security.stuck import fail, pid, stuck
from support.live_server import serving_pages
from tidings.config import load_settings
from tidings.refresh.pool import ParsePool, ProcessDied, TimedOut
from tidings.refresh.run import Refresher
from tidings.store import Store
from tidings.store.schema import entries

T = TypeVar("T")
# Every test here gives real work a limit of half a second or two (a parse process's first call
# imports the parser): other workers' tests on the same cores must not take that time from it.
pytestmark = pytest.mark.timed

DEADLINE = 30.0  # seconds to wait for a process to be gone (a loaded machine is slow to spawn)


def gone(process_id: int) -> bool:
    """Return True when no process `process_id` runs (a zombie awaiting its reaper counts)."""
    try:
        status = Path(f"/proc/{process_id}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status or "\nState:\tX" in status


def poll(condition: Callable[[], bool], deadline: float = DEADLINE) -> bool:
    """Return True once `condition()` holds, False when `deadline` seconds pass first."""
    end = time.monotonic() + deadline
    while not condition():
        if time.monotonic() > end:
            return False
        time.sleep(0.02)  # a poll interval, not a wait for work
    return True


@pytest.fixture
def pool() -> Any:
    made = ParsePool(1, 0.5)
    yield made
    made.close()


def test_a_stuck_call_is_stopped_at_the_limit_and_the_process_replaced(pool: ParsePool) -> None:
    first = asyncio.run(pool.run(pid))
    started = time.monotonic()
    with pytest.raises(TimedOut):
        asyncio.run(pool.run(stuck))
    assert time.monotonic() - started < 5
    assert poll(lambda: gone(first))
    second = asyncio.run(pool.run(pid))
    assert second != first


def test_an_exception_in_the_function_comes_back_as_text(pool: ParsePool) -> None:
    first = asyncio.run(pool.run(pid))
    with pytest.raises(RuntimeError, match="ValueError: no good"):
        asyncio.run(pool.run(fail, "no good"))
    assert asyncio.run(pool.run(pid)) == first  # the process was fine: kept


def test_a_process_killed_from_outside_is_replaced(pool: ParsePool) -> None:
    first = asyncio.run(pool.run(pid))
    os.kill(first, signal.SIGKILL)
    assert poll(lambda: gone(first))
    with pytest.raises(ProcessDied):
        asyncio.run(pool.run(pid))
    assert asyncio.run(pool.run(pid)) != first


def test_other_calls_go_on_while_one_is_stuck() -> None:
    pool = ParsePool(2, 2.0)
    try:

        async def both() -> list[object]:
            return await asyncio.gather(pool.run(stuck), pool.run(pid), return_exceptions=True)

        started = time.monotonic()
        stuck_result, other = asyncio.run(both())
        assert isinstance(stuck_result, TimedOut)
        assert isinstance(other, int)
        assert time.monotonic() - started < 10
    finally:
        pool.close()


PARENT = """
import sys
from tidings.refresh.pool import ParsePool
pool = ParsePool(2, 10.0)
print(*pool.start(), flush=True)
sys.stdin.read()  # until the test kills us
"""


@pytest.mark.parametrize("busy", [False, True], ids=["idle", "busy"])
def test_parse_processes_exit_when_their_parent_is_killed(busy: bool) -> None:
    script = PARENT
    if busy:  # the children are in the middle of a call, not reading their pipes
        script = script.replace(
            "sys.stdin.read()",
            # gather() inside the coroutine: made outside, its futures belonged to another loop
            # than asyncio.run's, the parent died at once, and the test passed only when it
            # looked at the children before they followed their parent.
            "import asyncio\nfrom security.stuck import stuck\n"
            "async def main():\n"
            "    await asyncio.wait_for(asyncio.gather(pool.run(stuck), pool.run(stuck)), 60)\n"
            "asyncio.run(main())",
        )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    parent = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
    )
    try:
        assert parent.stdout is not None
        children = [int(word) for word in parent.stdout.readline().split()]
        assert len(children) == 2 and not any(gone(child) for child in children)
        parent.kill()  # SIGKILL: no clean-up runs in the parent
        parent.wait(timeout=10)
        assert poll(lambda: all(gone(child) for child in children))
    finally:
        parent.kill()
        parent.wait(timeout=10)
        if parent.stdin is not None:
            parent.stdin.close()
        if parent.stdout is not None:
            parent.stdout.close()


class StuckFor:
    """A parser that sends documents from URLs ending in `suffix` to `stuck` in a real pool."""

    def __init__(self, pool: ParsePool, suffix: str) -> None:
        self.pool, self.suffix = pool, suffix

    async def run(self, function: Callable[..., T], *args: object) -> T:
        url = args[1]
        if isinstance(url, str) and url.endswith(self.suffix):
            return await self.pool.run(stuck)  # type: ignore[return-value]
        return await self.pool.run(function, *args)


def rss(items: int, prefix: str) -> bytes:
    body = "".join(
        f"<item><guid>{prefix}{n}</guid><title>t{n}</title></item>" for n in range(items)
    )
    return f"<rss version='2.0'><channel><title>x</title>{body}</channel></rss>".encode()


def test_a_feed_too_slow_to_parse_fails_alone(store: Store) -> None:
    settings = load_settings(
        environ={}, allow_private_networks=True, parse_workers=1, parse_timeout=0.5
    )
    pages = {
        "/slow": (200, "application/rss+xml", rss(2, "s")),
        "/fine": (200, "application/rss+xml", rss(3, "f")),
    }
    pool = ParsePool(1, settings.parse_timeout)
    try:
        with serving_pages(pages) as base:
            slow = store.feeds.add(base + "/slow")
            fine = store.feeds.add(base + "/fine")

            async def run() -> Any:
                async with Refresher(store, settings, parser=StuckFor(pool, "/slow")) as refresher:
                    return await refresher.refresh_due()

            summary = asyncio.run(run())
    finally:
        pool.close()
    assert (summary.feeds, summary.errors, summary.new_entries) == (2, 1, 3)
    failed = store.feeds.get(slow.id)
    assert failed.last_error == "the feed took too long to parse (over 0.5 s)"
    assert failed.error_count == 1
    with store.engine.connect() as connection:
        count = sa.select(sa.func.count()).select_from(entries)
        assert connection.scalar(count.where(entries.c.feed_id == fine.id)) == 3
        assert connection.scalar(count.where(entries.c.feed_id == slow.id)) == 0


class Recording:
    """A parser that records what it runs, in a real pool (or runs `stuck` instead)."""

    def __init__(self, pool: ParsePool, *, stuck: bool = False) -> None:
        self.pool, self.stuck, self.ran = pool, stuck, list[str]()

    async def run(self, function: Callable[..., T], *args: object) -> T:
        self.ran.append(function.__name__)
        if self.stuck:
            return await self.pool.run(stuck)  # type: ignore[return-value]
        return await self.pool.run(function, *args)


def test_discovery_parses_in_a_parse_process_with_the_limit(
    pool: ParsePool, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tidings.discovery as discovery

    page = b"""<html><head><link rel="alternate" type="application/rss+xml" href="/feed">
    </head><body>hello</body></html>"""
    pages = {"/feed": (200, "application/rss+xml", rss(1, "x")), "/": (200, "text/html", page)}
    settings = load_settings(environ={}, allow_private_networks=True, parse_timeout=0.5)
    recording = Recording(pool)
    monkeypatch.setattr(discovery, "parse_pool", lambda settings: recording)
    with serving_pages(pages) as base:
        assert asyncio.run(discovery.discover_feeds(settings, base + "/")) == [base + "/feed"]
        assert asyncio.run(discovery.discover_feeds(settings, base + "/feed")) == [base + "/feed"]
        assert recording.ran == ["find_feeds", "find_feeds"]
        monkeypatch.setattr(discovery, "parse_pool", lambda settings: Recording(pool, stuck=True))
        with pytest.raises(discovery.DiscoveryError, match=r"took too long to read \(over 0.5 s\)"):
            asyncio.run(discovery.discover_feeds(settings, base + "/feed"))
