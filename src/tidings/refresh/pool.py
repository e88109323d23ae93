"""A small pool of parse processes, each call with a wall-clock limit.

`concurrent.futures.ProcessPoolExecutor` cannot stop one task: a document that parses for an
hour holds its process for an hour, and the refresher's other feeds queue behind it. Here each
call goes to one spawned process over its own pipe; when the answer does not come within the
limit, that process is killed and a new one takes its place on the next call. The others go on.

A parse process exits when its parent is gone (killed with SIGKILL, say, which runs no clean-up):
it notices its pipe's end of file when it waits for work, and a watchdog thread notices the
parent's pid change while it parses.

This module imports nothing of tidings (but for type checking), so a spawned process starts
cheaply; the function a call names (`tidings.refresh.parsing.parse_document`) is imported by the
process on first use.
"""

from __future__ import annotations

import asyncio
import atexit
import importlib
import multiprocessing
import os
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from tidings.config import Settings

__all__ = ["ParsePool", "Parser", "ProcessDied", "TimedOut", "parse_pool", "shared_pool"]

T = TypeVar("T")

PARENT_POLL_SECONDS = 0.2  # how soon a parse process notices that its parent died while busy
PARSE_NICENESS = 5  # added to a parse process's niceness (lower CPU priority)
START_SECONDS = 60.0  # for a new process to import what it needs, on a machine under load


class TimedOut(Exception):
    """The call took longer than the pool's limit; its process was killed."""


class ProcessDied(Exception):
    """The process stopped (crashed, or was killed from outside) before it answered."""


class Parser(Protocol):
    """What the refresher and discovery need of a pool: `await run(f, *args)` -> `f(*args)`."""

    async def run(self, function: Callable[..., T], *args: object) -> T: ...


class _Worker:
    """One spawned process and the parent's end of its pipe."""

    def __init__(self, context: Any, preload: tuple[str, ...]) -> None:
        mine, theirs = context.Pipe()
        self.process = context.Process(
            target=_serve, args=(theirs, os.getpid(), preload), name="tidings-parse", daemon=True
        )
        self.process.start()
        theirs.close()  # only the child holds its end: our exit is its end of file
        self.connection: Connection = mine
        # Wait until it has imported `preload`: starting is not part of any call's time limit.
        try:
            ready = self.connection.poll(START_SECONDS) and self.connection.recv() == "ready"
        except (EOFError, OSError):
            ready = False
        if not ready:
            self.stop()
            raise ProcessDied

    def call(self, function: Callable[..., T], args: tuple[object, ...], timeout: float) -> T:
        try:
            self.connection.send((function, args))
            if not self.connection.poll(timeout):
                raise TimedOut
            ok, value = self.connection.recv()
        except (EOFError, OSError):  # the pipe broke: the process is gone
            raise ProcessDied from None
        if not ok:
            raise RuntimeError(value)  # an exception in the function, as text
        result: T = value
        return result

    def stop(self) -> None:
        self.process.kill()
        self.process.join()
        self.connection.close()


class ParsePool:
    """`workers` parse processes, each started on first need; `await pool.run(f, *args)` gives
    `f(*args)` computed in one of them, or raises TimedOut after `timeout` seconds (ProcessDied
    when the process stopped; RuntimeError with the text of an exception `f` raised)."""

    def __init__(self, workers: int, timeout: float, *, preload: tuple[str, ...] = ()) -> None:
        self.workers = max(workers, 1)
        self.timeout = timeout
        self.preload = preload  # modules each process imports before it takes work
        self._context = multiprocessing.get_context("spawn")  # forking a threaded parent is unsafe
        # Free slots: a worker, or None for one not started yet (or killed).
        self._idle: queue.SimpleQueue[_Worker | None] = queue.SimpleQueue()
        for _ in range(self.workers):
            self._idle.put(None)
        # One thread per process waits on its pipe, so the event loop never blocks.
        self._threads = ThreadPoolExecutor(self.workers, thread_name_prefix="tidings-parse-wait")
        self._live: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False

    async def run(self, function: Callable[..., T], *args: object) -> T:
        """Return `function(*args)` computed in a parse process (see the class docstring)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._threads, self.call, function, args)

    def call(self, function: Callable[..., T], args: tuple[object, ...]) -> T:
        """Return `function(*args)` computed in a parse process; blocks (threads only)."""
        if self._closed:
            raise RuntimeError("the parse pool is closed")
        worker = self._idle.get()
        try:
            if worker is None:
                worker = self._start()
            result = worker.call(function, args, self.timeout)
        except (TimedOut, ProcessDied):
            if worker is not None:
                self._retire(worker)
            self._idle.put(None)  # a new process takes the slot on the next call
            raise
        except BaseException:
            self._idle.put(worker)
            raise
        self._idle.put(worker)
        return result

    def start(self) -> list[int]:
        """Start every process that is not running yet; return the pids of all of them."""
        slots = [self._idle.get() for _ in range(self.workers)]
        try:
            slots = [slot if slot is not None else self._start() for slot in slots]
        finally:
            for slot in slots:
                self._idle.put(slot)
        return [worker.process.pid for worker in slots if worker is not None and worker.process.pid]

    def close(self) -> None:
        """Kill every process; later calls fail."""
        self._closed = True
        with self._lock:
            live, self._live = self._live, set()
        for worker in live:
            worker.stop()
        self._threads.shutdown(wait=False, cancel_futures=True)

    def _start(self) -> _Worker:
        worker = _Worker(self._context, self.preload)
        with self._lock:
            self._live.add(worker)
        return worker

    def _retire(self, worker: _Worker) -> None:
        with self._lock:
            self._live.discard(worker)
        worker.stop()


_shared: dict[tuple[int, float], ParsePool] = {}
_shared_lock = threading.Lock()


def shared_pool(workers: int, timeout: float) -> ParsePool:
    """Return this process's pool of `workers` processes with `timeout` (made on first use, closed
    at exit): the refresher and feed discovery of one server share its processes."""
    with _shared_lock:
        pool = _shared.get((workers, timeout))
        if pool is None:
            preload = ("tidings.refresh.parsing",)
            pool = _shared[workers, timeout] = ParsePool(workers, timeout, preload=preload)
        return pool


def parse_workers(settings: Settings) -> int:
    """Return how many parse processes `settings` asks for (parse_workers, 0 = one per core)."""
    return settings.parse_workers or os.cpu_count() or 1


def parse_pool(settings: Settings) -> ParsePool:
    """Return this process's shared pool for `settings` (`parse_workers`, and parse_timeout)."""
    return shared_pool(parse_workers(settings), settings.parse_timeout)


@atexit.register
def _close_shared() -> None:
    for pool in _shared.values():
        pool.close()


# --- in the parse process ---------------------------------------------------------------------


def _serve(connection: Connection, parent: int, preload: tuple[str, ...]) -> None:
    """Answer calls from `connection` until the parent is gone (runs in the parse process)."""
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
    # Parsing is background work: when the cores are busy, the server's requests go first.
    os.nice(PARSE_NICENESS)
    for name in preload:
        importlib.import_module(name)
    connection.send("ready")
    while True:
        try:
            function, args = connection.recv()
        except (EOFError, OSError):
            return  # the parent closed its end, or died
        try:
            answer: tuple[bool, object] = (True, function(*args))
        except Exception as exc:  # reported to the caller, which logs it
            answer = (False, f"{type(exc).__name__}: {exc}")
        try:
            connection.send(answer)
        except (EOFError, OSError):
            return
        except Exception as exc:  # an answer that cannot be pickled
            connection.send((False, f"{type(exc).__name__}: {exc}"))


def _exit_with(parent: int) -> None:
    """Exit this process as soon as `parent` is no longer its parent (the parent died and the
    process was adopted): a parse may run for seconds without reading its pipe."""
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(0)
