"""How long a text is where it is stored: in UTF-8 bytes."""

from __future__ import annotations


def fits(text: str, max_bytes: int) -> bool:
    """Whether `text` is at most `max_bytes` in UTF-8. A character takes at most 4 bytes, so a
    short text is not encoded; a lone surrogate (JSON's "\\ud800", before bounds.py scrubs it)
    counts as the 3 bytes surrogatepass gives it."""
    return len(text) * 4 <= max_bytes or len(text.encode("utf-8", "surrogatepass")) <= max_bytes
