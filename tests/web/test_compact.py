"""Static CSS and JS are served compacted (web/compact.py): what goes, what stays."""

from __future__ import annotations

import pytest

from tidings.web.assets import STATIC_DIR
from tidings.web.compact import compact_css, compact_js, compacted


@pytest.mark.parametrize(
    ("source", "served"),
    [
        ("a { color: red; }\n", "a { color: red; }\n"),
        ("/* why */\n  a {\n    color: red;\n  }\n\n", "a {\ncolor: red;\n}\n"),
        ("a { /* inline */ b: c; }", "a {  b: c; }\n"),
        ("/* two\n lines */ a {}", "a {}\n"),
        ('.x::after { content: " ·" / ""; }', '.x::after { content: " ·" / ""; }\n'),
    ],
)
def test_css(source: str, served: str) -> None:
    assert compact_css(source) == served


@pytest.mark.parametrize(
    ("source", "served"),
    [
        ("// why\nconst a = 1;\n", "const a = 1;\n"),
        ("  if (x) {\n    y();\n  }\n\n", "if (x) {\ny();\n}\n"),
        # A comment after code stays (it may be inside a string: "http://"); lines stay lines.
        ('const u = "http://x"; // note\n', 'const u = "http://x"; // note\n'),
        ("a\nb\n", "a\nb\n"),
    ],
)
def test_js(source: str, served: str) -> None:
    assert compact_js(source) == served


def test_other_files_are_served_as_they_are() -> None:
    assert compacted("icon.svg", b"  <svg/>\n\n") == b"  <svg/>\n\n"


@pytest.mark.parametrize("name", sorted(p.name for p in STATIC_DIR.glob("*.js")))
def test_our_scripts_have_no_multi_line_template_literal(name: str) -> None:
    """Compaction strips each line's indentation, which would change such a literal's text."""
    for number, line in enumerate((STATIC_DIR / name).read_text().splitlines(), 1):
        code = line.split("//")[0] if line.lstrip().startswith("//") else line
        assert code.count("`") % 2 == 0, f"{name}:{number} opens a template literal"


def test_served_files_are_smaller_and_keep_their_rules() -> None:
    source = (STATIC_DIR / "reader.css").read_text()
    served = compact_css(source)
    assert len(served) < len(source)
    assert "/*" not in served
    assert served.count("}") == source.count("}")  # our comments hold no braces
