"""The real-world corpus (tests/data/corpus, where each file came from is in its MANIFEST.tsv):
every document parses without an exception in bounded time, and benchmarks/fidelity.py finds no
disagreement with feedparser in which feedparser is right or that no rule explains."""

from __future__ import annotations

import csv
import importlib.util
import re
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest

from tidings.parse import FeedParseError, parse_feed

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "data" / "corpus"
MAX_SECONDS = 2.0  # for one document; the largest takes a few milliseconds


def manifest() -> list[dict[str, str]]:
    with (CORPUS / "MANIFEST.tsv").open(encoding="utf-8") as file:
        return list(csv.DictReader(file, delimiter="\t"))


def fidelity() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fidelity", ROOT / "benchmarks" / "fidelity.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["fidelity"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_manifest_names_every_file_and_where_it_came_from() -> None:
    rows = manifest()
    listed = {row["file"] for row in rows}
    present = {path.name for path in CORPUS.iterdir()} - {"MANIFEST.tsv", "README.md"}
    assert listed == present
    for row in rows:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+", row["repo"]), row
        assert row["path"] and row["license"] not in ("", "?"), row
        assert re.fullmatch(r"[0-9a-f]{40}", row["commit"]), row
        assert row["kind"] in ("real", "spec", "crafted"), row


@pytest.mark.timed
def test_every_document_parses_in_bounded_time() -> None:
    slowest = 0.0
    for row in manifest():
        data = (CORPUS / row["file"]).read_bytes()
        start = time.perf_counter()
        try:
            feed = parse_feed(data, "https://corpus.example/feed")
        except FeedParseError as error:  # a clear refusal is allowed, nothing else
            pytest.fail(f"{row['file']}: refused: {error}")
        slowest = max(slowest, time.perf_counter() - start)
        assert feed.version, row["file"]
    assert slowest < MAX_SECONDS


def test_no_disagreement_in_which_feedparser_is_right() -> None:
    module = fidelity()
    wrong = [
        (d, verdict.verdict)
        for path in module.corpus_files()
        for d in module.compare(path.name, path.read_bytes())
        if (verdict := module.classify(d)).verdict in (module.FEEDPARSER_RIGHT, module.UNEXPLAINED)
    ]
    assert wrong == []


def test_every_verdict_given_by_file_is_still_needed() -> None:
    module = fidelity()
    used = {
        (d.file, d.field)
        for path in module.corpus_files()
        for d in module.compare(path.name, path.read_bytes())
    }
    assert set(module.BY_FILE) <= used


def test_classify_rules_decide_known_cases() -> None:
    module = fidelity()
    d = module.Disagreement
    cases = [
        (d("f", 0, "id", "sha256:ab", None), module.DELIBERATE),
        (d("f", 0, "title", "", "A title"), module.FEEDPARSER_RIGHT),
        (d("f", 0, "title", "«Во»", "Â«Ð’Ð¾Â»"), module.TIDINGS_RIGHT),
        (d("f", 0, "link", None, "tag:x,2024:1"), module.TIDINGS_RIGHT),
        (d("f", 0, "published", None, "2024-01-01T00:00:00Z"), module.UNEXPLAINED),
        (d("f", None, "parsed", "read", "JSON Feed not read"), module.TIDINGS_RIGHT),
        (d("f", None, "parsed", "refused: x", "read"), module.FEEDPARSER_RIGHT),
    ]
    for disagreement, expected in cases:
        assert module.classify(disagreement).verdict == expected, disagreement
