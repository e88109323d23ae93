"""The shortcuts parse/xmltree.py takes for speed give what the whole repair gives.

`repair` leaves alone the references it would give back unchanged, and `parse_xml` parses a
document again without its leading blank lines before repairing it, only when the repair would
change nothing else. These cases are the edges of those two shortcuts.
"""

from __future__ import annotations

import pytest
from lxml import etree

from tidings.parse.xmltree import _after_leading_space, parse_xml, repair


def test_references_repair_gives_back_stay_and_the_others_are_repaired() -> None:
    text = "&amp;&lt;&#39;&#0039;&#x41;&#xCFFF;&#9999; &AMP; &#X41; &#0; &#55296; &nbsp; AT&T"
    repaired, warnings = repair(text)
    assert repaired == ("&amp;&lt;&#39;&#0039;&#x41;&#xCFFF;&#9999; &#38; &#x41;   &#160; AT&amp;T")
    assert warnings == [
        "decoded 2 HTML entities XML does not know",
        "escaped 1 bare '&' characters",
        "repaired 3 character references XML does not allow",
    ]


DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>'
BODY = b"<rss><channel><title>A &amp; B</title></channel></rss>"


@pytest.mark.parametrize("lead", [b"\n", b"\r\n  \t", b"\n\n"])
def test_blank_lines_before_the_declaration_are_dropped_without_a_warning(lead: bytes) -> None:
    document = parse_xml(lead + DECLARATION + BODY)
    assert etree.tostring(document.root) == BODY
    assert document.warnings == ()


@pytest.mark.parametrize(
    "body",
    [
        b"<rss><channel><br></br></channel></rss>",  # the repair rewrites <br> even when closed
        b"<rss><channel><IMG src='a'></IMG></channel></rss>",
        b"<rss><channel><\xc3\xa9/></channel></rss>",  # "<" before a non-ASCII name
        b"<?pi a&b?><rss/>",  # the repair escapes "&" in an instruction, with a warning
        b"<!DOCTYPE rss><rss/>",
    ],
)
def test_what_the_repair_might_change_takes_the_whole_repair(body: bytes) -> None:
    data = b"\n" + DECLARATION + body
    assert _after_leading_space(data) is None
    parse_xml(data)  # and it still reads


def test_junk_that_is_not_blank_takes_the_whole_repair() -> None:
    assert _after_leading_space(b"junk" + DECLARATION + BODY) is None
    assert _after_leading_space(DECLARATION + BODY) is None  # nothing before: not this shortcut
    assert "junk" in parse_xml(b"junk" + DECLARATION + BODY).warnings[0]
