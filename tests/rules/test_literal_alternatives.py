"""literal_alternatives: for each branch of a pattern's alternation, the strings every match of
that branch contains (store.search builds its LIKE prefilter from them). A wrong string would
make SQL refuse an entry the pattern matches, so each case is also checked against RE2: every
text it matches holds all the strings of one branch."""

from __future__ import annotations

import pytest
import re2

from tidings.rules.matcher import literal_alternatives

CASES = [
    ("zebra crossing", [["zebra crossing"]]),
    ("zebra|crossing", [["zebra"], ["crossing"]]),
    ("(sponsored|advert)", [["sponsored"], ["advert"]]),
    ("(?:spon|adv)", [["spon"], ["adv"]]),
    ("colou?r|grey", [["colo"], ["grey"]]),
    ("^Zebra.*crossing$", [["Zebra", "crossing"]]),
    ("a|bcd", []),  # a branch with no string of 3 characters: nothing known
    ("abc|", []),  # an empty branch matches everything
    ("(abc)+", []),
    ("(abc)|(def)", []),
    ("foo(bar|baz)", []),
    ("x[0-9]+y", []),
    (r"ab\d", []),
    ("(?P<n>abc)", []),
    ("(?i:abc)", []),
    ("(?=abc)", []),
]


@pytest.mark.parametrize(("pattern", "expected"), CASES)
def test_literal_alternatives(pattern: str, expected: list[list[str]]) -> None:
    assert literal_alternatives(pattern) == expected


TEXTS = [
    "a zebra crossing here",
    "Zebra then crossing",
    "sponsored post",
    "an advert",
    "colour grey color",
    "nothing at all",
]


@pytest.mark.parametrize("pattern", [pattern for pattern, branches in CASES if branches])
def test_every_match_holds_one_branch(pattern: str) -> None:
    """Wherever RE2 finds the pattern, the text holds every string of one of its branches."""
    branches = literal_alternatives(pattern)
    compiled = re2.compile(pattern)
    matched = [text for text in TEXTS if compiled.search(text)]
    assert matched, pattern
    for text in matched:
        assert any(all(s in text for s in branch) for branch in branches), (pattern, text)
