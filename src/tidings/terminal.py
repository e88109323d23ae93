"""Text for a terminal: control characters shown as escapes, never sent raw.

Feed titles, URLs, error messages and user names reach the CLI's output from outside. Sent raw,
an ESC starts a terminal escape sequence (ESC[2J clears the screen; others set the window title,
write to the clipboard, or make a link say something else), a C1 control does the same on the
terminals that read 8-bit controls, a carriage return or a bidirectional override hides or
reorders what was printed before it. `terminal_text` writes each of them as a visible escape
(`\\x1b`, `\\u202e`) instead, so the admin sees that they are there and nothing acts on them.
"""

from __future__ import annotations

import json
import re
from typing import Any

# C0 and C1 controls, DEL, the Unicode line and paragraph separators, and the bidirectional
# marks, embeddings, overrides and isolates (the "Trojan Source" characters).
_CONTROLS = "\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069"
_ONE_LINE = re.compile(f"[{_CONTROLS}]")
# Several lines: a newline stays a newline, and so does a tab; every other control is escaped.
_LINES = re.compile(f"(?![\\n\\t])[{_CONTROLS}]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_text(text: str, *, one_line: bool = True) -> str:
    """The text with its control characters written as visible escapes (ESC as `\\x1b`).

    `one_line` (for a field of a table or a line of its own) escapes tabs and newlines too;
    otherwise they are kept, for text that is meant to span lines.
    """
    return (_ONE_LINE if one_line else _LINES).sub(_escape, text)


def terminal_json(value: Any) -> str:
    """`value` as indented JSON that is safe on a terminal and readable (UTF-8 kept as is).

    json.dumps escapes the C0 controls itself, but with ensure_ascii=False it leaves DEL, the C1
    controls and the bidirectional marks raw; they are written as JSON escapes (`\\u009b`).
    Outside strings, json.dumps emits only spaces and newlines, which stay.
    """
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return _LINES.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
