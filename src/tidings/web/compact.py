"""Static CSS and JavaScript as served: comments and indentation dropped, lines kept.

The files in static/ are written to be read (comments say why); a browser needs none of that.
Only what is safe without a parser is removed: whole-line `//` comments and `/* */` blocks
(CSS), the blanks at the start and end of lines, and empty lines. Line breaks stay, so
JavaScript's automatic semicolons and error line numbers mean what they did. Our scripts hold
no multi-line template literal, whose indentation this would change (a test checks).
"""

from __future__ import annotations

import re
from typing import Final

_CSS_COMMENT: Final = re.compile(r"/\*.*?\*/", re.DOTALL)


def _lines(text: str) -> str:
    kept = (line.strip() for line in text.splitlines())
    return "\n".join(line for line in kept if line) + "\n"


def compact_css(text: str) -> str:
    """Return `text` (a stylesheet) without comments, indentation or empty lines."""
    return _lines(_CSS_COMMENT.sub("", text))


def compact_js(text: str) -> str:
    """Return `text` (a script) without whole-line // comments, indentation or empty lines."""
    return _lines(
        "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))
    )


def compacted(name: str, body: bytes) -> bytes:
    """Return the bytes served for static/`name`: CSS and JS compacted, the rest as they are."""
    if name.endswith(".css"):
        return compact_css(body.decode()).encode()
    if name.endswith(".js"):
        return compact_js(body.decode()).encode()
    return body
