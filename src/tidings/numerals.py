"""Whole numbers written by others (form fields, query words, HTTP headers), read safely.

`str.isdigit()` is True for digits `int()` refuses (`"²"`, U+00B2) and for digits of other
scripts it reads (`"٣"` is 3), and `int()` refuses more than 4,300 digits: a form field, a query
word or a feed server's header checked with `isdigit()` and then read with `int()` was a server
error (`scope=feed:²` on the rules page, `feed:²` in a search, a Google Reader stream
`feed/²`). Everything that reads such a number goes through `whole_number`.
"""

from __future__ import annotations

from typing import Final

MAX_ID: Final = 2**63 - 1  # ids are signed 64-bit on both databases


def whole_number(text: str | None, maximum: int = MAX_ID) -> int | None:
    """Return `text` as a whole number when it is ASCII digits only and at most `maximum`,
    else None (signs, spaces, other scripts' digits, superscripts and more digits than
    `maximum` has are None)."""
    if not text or not text.isascii() or not text.isdigit() or len(text) > len(str(maximum)):
        return None
    value = int(text)
    return value if value <= maximum else None
