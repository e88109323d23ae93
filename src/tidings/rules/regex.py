"""Regular expressions of the query language: checked, compiled for Python, translated for SQL.

A rule's regex runs on every new entry the refresher writes, so it must not be able to hang it:
patterns compile with RE2 (`google-re2`), whose matching time is linear in the text, never
exponential like a backtracking engine's (`(a+)+b` on 100,000 "a"s: 0.4 ms). Measured against
the other candidates, see docs/rules.md.

The same pattern must match the same entries on PostgreSQL, where it runs as `~` / `~*` (an ARE)
over stored entries. So the language takes the part of RE2's syntax on which both engines agree
and this module translates the few spellings that differ (`\\d \\w \\s` are ASCII classes in RE2,
locale classes in PostgreSQL; `\\b` is a word boundary in RE2, a backspace in an ARE). What is not
in that part (look-arounds, back-references, inline flags, named groups, Unicode classes, `\\A`,
`\\z`) is refused with a message, not silently treated differently. `.` matches newlines too
(PostgreSQL's default), `^`/`$` are the text's ends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import re2

from tidings.errors import UserError

MAX_PATTERN_LENGTH = 300
MAX_REPEAT = 255  # PostgreSQL's largest {m,n}

# RE2 escapes and what each is in an ARE, outside and inside a bracket expression.
_CLASSES = {
    "d": ("[0-9]", "0-9"),
    "D": ("[^0-9]", None),
    "w": ("[0-9A-Za-z_]", "0-9A-Za-z_"),
    "W": ("[^0-9A-Za-z_]", None),
    "s": ("[\\t\\n\\f\\r ]", "\\t\\n\\f\\r "),
    "S": ("[^\\t\\n\\f\\r ]", None),
}
_ASSERTIONS = {"b": "\\y", "B": "\\Y"}
_CONTROL = {"t": "\\t", "n": "\\n", "r": "\\r", "f": "\\f", "v": "\\v"}
_QUANTIFIER = re.compile(r"\{[0-9]+(?:,[0-9]*)?\}")
_REFUSED = {
    "A": "\\A (start of text): use ^",
    "z": "\\z (end of text): use $",
    "Z": "\\Z: use $",
    "p": "Unicode classes (\\p{…})",
    "P": "Unicode classes (\\P{…})",
    "Q": "\\Q…\\E quoting: escape each character with \\",
    "C": "\\C",
}


class RegexError(UserError, ValueError):
    """The pattern is not a regular expression of the language; the message says why."""


@dataclass(frozen=True, slots=True)
class Regex:
    """A checked pattern: `pattern` as written, `postgres` its ARE, and whether case matters."""

    pattern: str
    ignore_case: bool
    postgres: str

    def search(self, text: str) -> bool:
        """Whether the pattern occurs in `text`."""
        return _compiled(self.pattern, self.ignore_case).search(text) is not None


def regex(pattern: str, *, ignore_case: bool) -> Regex:
    """The checked Regex of `pattern`; RegexError when it is too long, invalid or uses syntax
    outside the language's part of RE2."""
    if not pattern:
        raise RegexError("an empty regular expression matches everything: write a pattern")
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise RegexError(f"a regular expression has at most {MAX_PATTERN_LENGTH} characters")
    postgres = _to_postgres(pattern)
    try:
        _compiled(pattern, ignore_case)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else ""
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise RegexError(f"/{pattern}/ is not a valid regular expression: {reason}") from None
    return Regex(pattern=pattern, ignore_case=ignore_case, postgres=postgres)


def compiled(pattern: str, ignore_case: bool) -> Any:
    """The RE2 object of a pattern `regex` accepted (cached)."""
    return _compiled(pattern, ignore_case)


@lru_cache(maxsize=4096)
def _compiled(pattern: str, ignore_case: bool) -> Any:
    options = re2.Options()
    options.log_errors = False  # a user's typo is an answer to the user, not a server log line
    options.dot_nl = True
    options.case_sensitive = not ignore_case
    options.max_mem = 8 << 20  # a pattern's automaton is bounded too
    return re2.compile(pattern, options)


def _to_postgres(pattern: str) -> str:
    """The ARE that matches what `pattern` matches in RE2; RegexError for syntax outside the
    shared part."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            if i + 1 >= len(pattern):
                raise RegexError("a regular expression cannot end with a lone \\")
            escaped = pattern[i + 1]
            i += 2
            if escaped in _REFUSED:
                raise RegexError(f"{_REFUSED[escaped]} is not supported in regular expressions")
            if escaped in _CLASSES:
                outside, inside = _CLASSES[escaped]
                if not in_class:
                    out.append(outside)
                elif inside is None:
                    raise RegexError(f"\\{escaped} is not supported inside [ ]")
                else:
                    out.append(inside)
            elif escaped in _ASSERTIONS:
                if in_class:
                    raise RegexError(f"\\{escaped} is not supported inside [ ]")
                out.append(_ASSERTIONS[escaped])
            elif escaped in _CONTROL:
                out.append(_CONTROL[escaped])
            elif escaped.isalnum():
                raise RegexError(f"\\{escaped} is not supported in regular expressions")
            else:
                out.append("\\" + escaped)  # an escaped punctuation character is itself
            continue
        if in_class:
            if char == "[" and pattern[i + 1 : i + 2] in (":", "=", "."):
                raise RegexError("[: :] classes are not supported: use \\d, \\w, \\s or ranges")
            if char == "]" and not _opens_class(out):
                in_class = False
            out.append(char)
        elif char == "[":
            in_class = True
            out.append(char)
            if pattern[i + 1 : i + 2] == "^":
                out.append("^")
                i += 1
        elif char in "{}":
            quantifier = _QUANTIFIER.match(pattern, i) if char == "{" else None
            if quantifier is not None:
                if any(int(n) > MAX_REPEAT for n in re.findall("[0-9]+", quantifier.group())):
                    raise RegexError(f"a repetition count is at most {MAX_REPEAT}")
                out.append(quantifier.group())
                i = quantifier.end()
                continue
            out.append("\\" + char)  # a brace that is not a count is itself in RE2
        elif char == "(" and pattern[i + 1 : i + 2] == "?":
            if pattern[i + 2 : i + 3] != ":":
                raise RegexError(
                    "only (?: ) groups are supported: no inline flags (write /…/i to ignore "
                    "case), named groups or look-arounds"
                )
            out.append("(?:")
            i += 3
            continue
        else:
            out.append(char)
        i += 1
    return "".join(out)


def _opens_class(out: list[str]) -> bool:
    """Whether a "]" now would be the first character of a bracket expression (a literal)."""
    return bool(out) and (out[-1] == "[" or (out[-1] == "^" and len(out) > 1 and out[-2] == "["))
