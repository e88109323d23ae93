"""What the caller asked for, handed down to each format parser."""

from __future__ import annotations

from dataclasses import dataclass

from tidings.model import direct_init


@direct_init
@dataclass(frozen=True, slots=True)
class Options:
    url: str | None = None  # where the document came from: the last resort for relative URLs
    mode: str = "reader"  # clean.py allowlist for summaries and content
    max_entries: int = 1000
    max_entry_bytes: int = 512 * 1024  # raw HTML longer than this (in characters) is cut first


def limit_warning(kept: int, total: int) -> list[str]:
    """Return the warning for entries dropped because of max_entries, if any were."""
    if total <= kept:
        return []
    return [f"the feed has {total} entries; kept the first {kept}"]
