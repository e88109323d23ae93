"""The whole test suite: lint, format check, type check, then pytest on SQLite and PostgreSQL.

Run it with the virtual environment's Python (the README's second Quickstart command does).
Extra arguments go to both pytest runs (`-n 0` runs the first in one process). Exits non-zero
at the first step that fails.

pytest runs twice: every test but those marked `timed` in one pytest-xdist worker per CPU (at
most four), then the `timed` ones alone, since they assert how long something takes and other
workers' tests on the same cores would make them fail at random (tests/conftest.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NO_TESTS_COLLECTED = 5  # pytest's exit code when no test was selected


def main() -> int:
    py = sys.executable
    checks = [
        [py, "-m", "ruff", "check", "."],
        [py, "-m", "ruff", "format", "--check", "."],
        [py, "-m", "mypy"],
        # Bytecode for tidings' modules before the tests, which start many fresh interpreters
        # (parse processes, CLI runs): where PYTHONDONTWRITEBYTECODE is set, as on our CI
        # machine, each of them compiled the sources again.
        [py, "-m", "compileall", "-q", "src"],
    ]
    for step in checks:
        if code := run(step):
            return code
    test_runs = [
        [py, "-m", "pytest", "-n", str(workers()), "--timed=none", *sys.argv[1:]],
        [py, "-m", "pytest", "--timed=only", *sys.argv[1:]],
    ]
    tested = False
    for step in test_runs:
        # The arguments may choose tests of one run only: the other then has none, which is fine.
        code = run(step, allowed=NO_TESTS_COLLECTED)
        if code not in (0, NO_TESTS_COLLECTED):
            return code
        tested = tested or code == 0
    return 0 if tested else NO_TESTS_COLLECTED


def run(step: list[str], allowed: int = 0) -> int:
    """Run one step from the repository's root; return its exit code, told on stderr when it is
    neither 0 nor `allowed`."""
    print("$", " ".join(step[2:]), flush=True)
    code = subprocess.call(step, cwd=ROOT)
    if code not in (0, allowed):
        print(f"FAILED: {' '.join(step[2:])} (exit {code})", file=sys.stderr)
    return code


def workers() -> int:
    """The pytest-xdist workers for this machine: one per CPU this process may use, at most
    four (each has its own PostgreSQL schema and connections, its own Chromium)."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count() or 1
    return max(1, min(4, usable))


if __name__ == "__main__":
    sys.exit(main())
