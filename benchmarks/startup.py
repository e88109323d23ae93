"""Time the `tidings` commands that should start at once, the way a person runs them: a fresh
process each time, median of N runs (the commands interleaved, so load on a shared machine
slows each alike), against a migrated SQLite database made for the run.

    .venv/bin/python benchmarks/startup.py [--runs 10]

Prints a Markdown table in milliseconds, with `python -c pass` and `python -c "import
sqlalchemy"` as the floors the commands stand on.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tidings.store import Store

BIN = Path(sys.executable).parent


def commands(database: str) -> dict[str, list[str]]:
    """Return the timed command lines by label."""
    tidings = str(BIN / "tidings")
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        "python -c 'import sqlalchemy'": [sys.executable, "-c", "import sqlalchemy"],
        "tidings --help": [tidings, "--help"],
        "tidings list": [tidings, "list"],
        "tidings add --no-check URL": [tidings, "add", "--no-check", "URL"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{directory}/startup.db"
        with Store.open(url) as store:
            store.migrate()
            for i in range(20):
                store.feeds.add(f"https://example.org/{i}.xml")
        env = {**os.environ, "TIDINGS_DATABASE_URL": url}
        lines = commands(url)
        # One untimed run of each command first, with Python's default of caching the bytecode
        # of what it imports (some environments, this machine's CI among them, set
        # PYTHONDONTWRITEBYTECODE: then every run compiled tidings' modules again, ~20 ms that a
        # user's second run never pays; SQLAlchemy's bytecode pip writes when it installs).
        caching = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
        for line in lines.values():
            if line[-1] == "URL":
                line = [*line[:-1], "https://example.net/warm-up.xml"]
            subprocess.run(line, env=caching, check=True, capture_output=True)
        times: dict[str, list[float]] = {label: [] for label in lines}
        for run in range(args.runs):
            for label, line in lines.items():
                if line[-1] == "URL":  # a new feed each run: adding one twice is refused
                    line = [*line[:-1], f"https://example.net/{run}.xml"]
                start = time.perf_counter()
                subprocess.run(line, env=env, check=True, capture_output=True)
                times[label].append(time.perf_counter() - start)
    print(f"| command | median of {args.runs} (ms) | min (ms) |")
    print("|---|---:|---:|")
    for label, values in times.items():
        print(f"| `{label}` | {statistics.median(values) * 1000:.0f} | {min(values) * 1000:.0f} |")


if __name__ == "__main__":
    main()
