"""What each command imports: `tidings` starts at once because no command loads what it does not
use (the times are in docs/design.md, "Startup"; no timing is asserted here, only imports), and
ends at once because its objects are frozen before the interpreter's exit collects.

Each command runs in a fresh interpreter through the console script's entry point, then the
top-level packages loaded are listed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from tidings.store import Store

SCRIPT = """
import gc, json, sys
from tidings.console import main
sys.argv = ["tidings", *sys.argv[1:]]
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
loaded = sorted({name.split(".")[0] for name in sys.modules})
frozen = gc.get_freeze_count()
print(json.dumps({"code": code, "loaded": loaded, "frozen": frozen}), file=sys.stderr)
"""

NOT_FOR_HELP = {
    "sqlalchemy",
    "alembic",
    "argon2",
    "uvicorn",
    "starlette",
    "jinja2",
    "lxml",
    "nh3",
    "httpx",
    "psycopg",
}
# `list` reads the store (SQLAlchemy; psycopg on PostgreSQL) but checks the schema without
# Alembic and touches no network, web, HTML or password code.
NOT_FOR_LIST = {"alembic", "argon2", "uvicorn", "starlette", "jinja2", "nh3", "httpx"}
# `add --no-check` checks the URL as typed: no network client, no parser.
NOT_FOR_ADD = NOT_FOR_LIST | {"lxml", "httpcore"}


def run_command(*args: str, database_url: str | None = None) -> dict[str, Any]:
    """Run `tidings *args` in a fresh interpreter; return its exit code, the top-level packages
    it loaded and how many objects were frozen when it ended."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIDINGS_")}
    if database_url is not None:
        env["TIDINGS_DATABASE_URL"] = database_url
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, *args], capture_output=True, text=True, env=env, timeout=60
    )
    report: dict[str, Any] = json.loads(result.stderr.strip().splitlines()[-1])
    assert report["code"] in (0, None), result.stdout + result.stderr
    return report


def loaded_by(*args: str, database_url: str | None = None) -> set[str]:
    return set(run_command(*args, database_url=database_url)["loaded"])


def test_help_imports_no_database_network_or_web_code() -> None:
    loaded = loaded_by("--help")
    assert "click" in loaded
    assert loaded & NOT_FOR_HELP == set()


def test_list_checks_the_schema_without_alembic(database_url: str) -> None:
    with Store.open(database_url) as store:
        store.feeds.add("https://example.org/feed.xml")
    loaded = loaded_by("list", database_url=database_url)
    assert "sqlalchemy" in loaded
    assert loaded & NOT_FOR_LIST == set()


def test_add_without_check_imports_no_network_client(database_url: str) -> None:
    loaded = loaded_by("add", "--no-check", "https://example.org/a.xml", database_url=database_url)
    assert loaded & NOT_FOR_ADD == set()


@pytest.mark.parametrize("command", [("--version",), ("user", "--help"), ("config",)])
def test_other_light_commands_import_no_database_code(command: tuple[str, ...]) -> None:
    assert loaded_by(*command) & NOT_FOR_HELP == set()


def test_a_command_ends_with_its_objects_frozen(database_url: str) -> None:
    # The exit's collections would walk every object SQLAlchemy and the CLI made, all alive:
    # frozen, they are skipped (tidings.console; ~55 ms of a 0.3 s `tidings list`).
    report = run_command("list", database_url=database_url)
    assert report["frozen"] > 10_000
