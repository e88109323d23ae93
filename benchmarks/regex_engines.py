"""Regular-expression engines for rules: RE2 (what tidings uses), `regex` with a timeout,
Python's `re`, and PostgreSQL's `~` (the SQL side), on ordinary rules and on hostile patterns.

    .venv/bin/python benchmarks/regex_engines.py [--texts 5000] [--only-local]

`regex` is not a dependency of tidings: `pip install regex` to include its column. PostgreSQL
comes from TIDINGS_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test); its
column is the time of one statement over all the texts, the pattern translated as tidings
translates it (`Regex.postgres`). SQLite runs RE2 itself (`tidings_regexp`), so it is the RE2
column. Prints Markdown tables.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import os
import random
import re
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from tidings.rules.regex import compiled, regex

POSTGRES_URL = os.environ.get(
    "TIDINGS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
TIMEOUT = 0.1  # seconds: what a `regex` timeout would cost a refresh per hostile entry
WORDS: tuple[str, ...] = ("council", "harbour", "ferry", "budget", "vote", "sale", "storm")
WORDS += ("market", "school", "rail", "bridge", "report", "museum", "festival", "policy")
ORDINARY = (r"\bsale\b", r"v[0-9]+\.[0-9]+", r"(sponsored|advert|promo)", r"^\[ad\]")
HOSTILE = (r"(a+)+$", r"(a|aa)+$", r"(a*)*b")


def texts(count: int) -> list[str]:
    rng = random.Random(15)
    made = []
    for i in range(count):
        words = rng.choices(WORDS, k=300)  # about 2 KB, an entry's text
        if i % 50 == 0:
            words.insert(rng.randrange(len(words)), f"v{i % 9}.{i % 7}")
        made.append(" ".join(words))
    return made


def timed(work: Callable[[], Any]) -> str:
    started = time.perf_counter()
    try:
        work()
    except sa.exc.OperationalError:
        return "over 10 s (cut)"
    return f"{(time.perf_counter() - started) * 1000:.1f} ms"


def python_re(pattern: str, corpus: list[str]) -> Callable[[], int]:
    compiled_re = re.compile(pattern, re.DOTALL)
    return lambda: sum(compiled_re.search(t) is not None for t in corpus)


def with_timeout(pattern: str, corpus: list[str]) -> Callable[[], int]:
    regex_module = importlib.import_module("regex")  # optional: not a dependency of tidings
    compiled_regex = regex_module.compile(pattern, regex_module.DOTALL)

    def run() -> int:
        found = 0
        for text in corpus:
            # What a refresher would do on a timeout: count the entry as not matching.
            with contextlib.suppress(TimeoutError):
                found += compiled_regex.search(text, timeout=TIMEOUT) is not None
        return found

    return run


def re2_engine(pattern: str, corpus: list[str]) -> Callable[[], int]:
    compiled_re2 = compiled(pattern, False)
    return lambda: sum(compiled_re2.search(t) is not None for t in corpus)


def postgres(engine: sa.Engine | None, pattern: str, corpus: list[str]) -> Callable[[], int]:
    if engine is None:
        return lambda: 0
    query = sa.text("SELECT count(*) FROM unnest(CAST(:texts AS text[])) AS t(v) WHERE v ~ :p")
    translated = regex(pattern, ignore_case=False).postgres

    def run() -> int:
        with engine.connect() as conn:
            return int(conn.execute(query, {"texts": corpus, "p": translated}).scalar_one())

    return run


def has_regex_module() -> bool:
    return importlib.util.find_spec("regex") is not None


def row(
    label: str, pattern: str, corpus: list[str], engine: sa.Engine | None, *, backtrack: bool
) -> str:
    cells = ["`" + pattern.replace("|", "\\|") + "`", label, timed(re2_engine(pattern, corpus))]
    if has_regex_module():
        cells.append(timed(with_timeout(pattern, corpus)))
    cells.append(timed(python_re(pattern, corpus)) if backtrack else "(not run: exponential)")
    if engine is not None:
        cells.append(timed(postgres(engine, pattern, corpus)))
    return "| " + " | ".join(cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--texts", type=int, default=5000)
    parser.add_argument("--only-local", action="store_true", help="leave PostgreSQL out")
    args = parser.parse_args()
    engine = None
    if not args.only_local:
        # A statement over 10 s is cut: the table says so rather than waiting.
        options = {"options": "-c statement_timeout=10000"}
        engine = sa.create_engine(POSTGRES_URL, connect_args=options)
    head = ["pattern", "texts", "RE2"]
    if has_regex_module():
        head.append(f"regex, timeout {TIMEOUT:g} s")
    head.append("re")
    if engine is not None:
        head.append("PostgreSQL ~")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    corpus = texts(args.texts)
    for pattern in ORDINARY:
        print(row(f"{len(corpus)} of 2 KB", pattern, corpus, engine, backtrack=True))
    for pattern in HOSTILE:
        # 26 a's and a "!": some 2**26 ways to split them for a backtracking engine.
        short = ["a" * 26 + "!"] * 10
        print(row("10 of 27 chars", pattern, short, engine, backtrack=False))
        long = ["a" * 100_000 + "!"] * 10
        print(row("10 of 100 KB", pattern, long, engine, backtrack=False))
    if engine is not None:
        engine.dispose()


if __name__ == "__main__":
    main()
