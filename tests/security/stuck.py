"""Functions for parse processes to run in tests (a spawned process imports them by name)."""

from __future__ import annotations

import os
import time


def stuck(*args: object) -> None:
    """Never return: a parse that would run forever."""
    while True:
        time.sleep(1)


def pid() -> int:
    """Return the pid of the process that runs it."""
    return os.getpid()


def fail(message: str) -> None:
    """Raise ValueError(message)."""
    raise ValueError(message)
