"""Every test that asserts how long something took is marked `timed`, so that scripts/check.py
runs it alone, after the parallel run: on cores shared with other workers such a bound fails at
random (docs/design.md, "The suite runs in parallel workers")."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
CLOCKS = frozenset({"monotonic", "perf_counter"})
# Names the suite gives a measured duration (`assert spent < 5`, `assert p99 < 0.1`).
DURATIONS = frozenset({"elapsed", "spent", "slowest", "took", "p99", "timed"})


def _measures_time(node: ast.AST) -> bool:
    """Whether an expression is a duration: a clock's reading minus another
    (`time.monotonic() - started`), `result.elapsed`, `timed(...)`, a variable named for one.
    A clock's reading alone is a deadline a poll waits for (`time.monotonic() < deadline`)."""
    for part in ast.walk(node):
        if isinstance(part, ast.BinOp) and isinstance(part.op, ast.Sub) and _reads_a_clock(part):
            return True
        if isinstance(part, ast.Attribute) and part.attr in DURATIONS:
            return True
        if isinstance(part, ast.Name) and part.id in DURATIONS:
            return True
    return False


def _reads_a_clock(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Attribute) and n.attr in CLOCKS for n in ast.walk(node))


Test = ast.FunctionDef | ast.AsyncFunctionDef


def _bounds_a_duration(test: Test) -> bool:
    """Whether the test asserts that a measured duration is below a bound."""
    for node in ast.walk(test):
        if isinstance(node, ast.Assert) and isinstance(node.test, ast.Compare):
            compare = node.test
            below = any(isinstance(op, ast.Lt | ast.LtE) for op in compare.ops)
            if below and _measures_time(compare):
                return True
    return False


def _marked(body: list[ast.stmt], decorators: list[ast.expr]) -> bool:
    """Whether `decorators`, or a `pytestmark = ...` in `body` (a module's, a class's), hold
    `pytest.mark.timed`."""
    marks: list[ast.AST] = list(decorators)
    for node in body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets
        ):
            marks.extend(ast.walk(node.value))
    return any(ast.unparse(mark) == "pytest.mark.timed" for mark in marks)


def unmarked_timed_tests(source: str) -> list[str]:
    """Return the names of the tests in `source` (functions, and methods of test classes) that
    bound a duration and are not marked, themselves, by their class or by their module."""
    tree = ast.parse(source)
    if _marked(tree.body, []):
        return []
    found: list[Test] = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and not _marked(node.body, node.decorator_list):
            found += [n for n in node.body if isinstance(n, Test)]
        elif isinstance(node, Test):
            found.append(node)
    return [
        test.name
        for test in found
        if test.name.startswith("test")
        and _bounds_a_duration(test)
        and not _marked([], test.decorator_list)
    ]


def test_every_test_that_bounds_a_duration_is_marked_timed() -> None:
    unmarked = [
        f"{path.relative_to(TESTS)}::{name}"
        for path in sorted(TESTS.rglob("test_*.py"))
        for name in unmarked_timed_tests(path.read_text())
    ]
    assert unmarked == []


def test_the_check_sees_each_way_of_writing_a_bound() -> None:
    source = """
import time
def test_clock():
    started = time.monotonic()
    assert time.monotonic() - started < 1.0
def test_field(result):
    assert 0 < result.elapsed < 3
def test_name():
    assert spent < 5
def test_helper():
    assert timed(lambda: None) < LIMIT
@pytest.mark.timed
def test_marked():
    assert time.perf_counter() - started < 1.0
def test_no_bound():
    assert time.monotonic() > 0
def test_a_poll_with_a_deadline():
    assert time.monotonic() < deadline
def test_a_count_below_a_bound():
    assert len(rows) < 5
async def test_async():
    assert time.monotonic() - started < 1.0
class TestGroup:
    def test_method(self):
        assert spent < 5
@pytest.mark.timed
class TestMarked:
    def test_method(self):
        assert spent < 5
class TestMarkedInside:
    pytestmark = [pytest.mark.timed]
    def test_method(self):
        assert spent < 5
"""
    assert unmarked_timed_tests(source) == [
        "test_clock", "test_field", "test_name", "test_helper", "test_async", "test_method"
    ]  # fmt: skip
    marked_module = "import pytest\npytestmark = pytest.mark.timed\n" + source
    assert unmarked_timed_tests(marked_module) == []
