"""The README's Quickstart and CI agree: CI runs the README's test command verbatim."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def quickstart_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_quickstart_has_exactly_two_commands() -> None:
    commands = quickstart_commands()
    assert len(commands) == 2
    run, test = commands
    assert run.startswith("python3 -m venv .venv") and run.endswith("tidings serve")
    assert test.startswith("python3 -m venv .venv") and "'.[dev]'" in test


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci = (ROOT / ".ci/run").read_text().splitlines()
    assert quickstart_commands()[1] in ci
