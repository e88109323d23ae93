"""Golden files: each fixture in tests/data/feeds parses to what its .expected.json says.

To regenerate the expectations after a deliberate change, run

    TIDINGS_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/parse/test_golden.py

and review the diff before committing it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from parsecases import CONTENT_TYPES, expected_path, fixture_paths, fixture_url

from tidings.parse import FeedParseError, parse_feed
from tidings.parse.describe import describe, format_text

UPDATE = os.environ.get("TIDINGS_UPDATE_GOLDEN") == "1"


def outcome(path: Path) -> dict[str, Any]:
    """Return describe() of the parsed fixture, or the error it raises, as JSON-ready data."""
    data = path.read_bytes()
    try:
        parsed = parse_feed(data, fixture_url(path), CONTENT_TYPES.get(path.name))
    except FeedParseError as error:
        return {"error": str(error), "feed_links": list(error.feed_links)}
    return describe(parsed)


@pytest.mark.parametrize("path", fixture_paths(), ids=lambda p: p.name)
def test_fixture_matches_golden(path: Path) -> None:
    got = outcome(path)
    golden = expected_path(path)
    if UPDATE:
        golden.write_text(json.dumps(got, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert got == json.loads(golden.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", fixture_paths(), ids=lambda p: p.name)
def test_fixture_describes_as_text(path: Path) -> None:
    try:
        parsed = parse_feed(path.read_bytes(), fixture_url(path), CONTENT_TYPES.get(path.name))
    except FeedParseError:
        return
    text = format_text(parsed)
    assert f"[{parsed.version}]" in text.splitlines()[0]
    assert f"{len(parsed.entries)} entries" in text
