"""The whole test suite: lint, format check, type check, then pytest on SQLite and PostgreSQL.

Run it with the virtual environment's Python (the README's second Quickstart command does).
Extra arguments go to pytest. Exits non-zero at the first step that fails.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    py = sys.executable
    steps = [
        [py, "-m", "ruff", "check", "."],
        [py, "-m", "ruff", "format", "--check", "."],
        [py, "-m", "mypy"],
        # Bytecode for tidings' modules before the tests, which start many fresh interpreters
        # (parse processes, CLI runs): where PYTHONDONTWRITEBYTECODE is set, as on our CI
        # machine, each of them compiled the sources again.
        [py, "-m", "compileall", "-q", "src"],
        [py, "-m", "pytest", *sys.argv[1:]],
    ]
    for step in steps:
        print("$", " ".join(step[2:]), flush=True)
        code = subprocess.call(step, cwd=ROOT)
        if code != 0:
            print(f"FAILED: {' '.join(step[2:])} (exit {code})", file=sys.stderr)
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main())
