"""ParsedFeed -> a JSON-ready dict (golden files, `tidings parse --json`) or a text summary."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tidings.clean import html_to_text
from tidings.model import ParsedEntry, ParsedFeed


def describe(parsed: ParsedFeed) -> dict[str, Any]:
    """Return every field of the feed as JSON-ready values (datetimes as ISO 8601 strings)."""
    return {
        "version": parsed.version,
        "title": parsed.title,
        "link": parsed.link,
        "description": parsed.description,
        "image": parsed.image,
        "language": parsed.language,
        "ttl": parsed.ttl,
        "hub": parsed.hub,
        "self_url": parsed.self_url,
        "warnings": list(parsed.warnings),
        "entries": [_entry(entry) for entry in parsed.entries],
    }


def _entry(entry: ParsedEntry) -> dict[str, Any]:
    """Return one entry as JSON-ready values."""
    return {
        "id": entry.id,
        "link": entry.link,
        "title": entry.title,
        "author": entry.author,
        "published": _iso(entry.published),
        "updated": _iso(entry.updated),
        "summary": entry.summary,
        "content": entry.content,
        "categories": list(entry.categories),
        "enclosures": [
            {"url": e.url, "type": e.type, "length": e.length}
            | ({} if e.duration is None else {"duration": e.duration})
            for e in entry.enclosures
        ],
        "image": entry.image,
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def format_text(parsed: ParsedFeed, width: int = 100) -> str:
    """Return a human-readable summary: the feed's metadata, warnings, then one block per entry."""
    lines = [f"{parsed.title or '(untitled)'}  [{parsed.version}]"]
    for label, value in (
        ("site", parsed.link),
        ("self", parsed.self_url),
        ("hub", parsed.hub),
        ("image", parsed.image),
        ("language", parsed.language),
        ("ttl", f"{parsed.ttl} minutes" if parsed.ttl is not None else None),
    ):
        if value:
            lines.append(f"  {label}: {value}")
    if parsed.description:
        lines.append(f"  {_shorten(parsed.description, width - 2)}")
    lines.append(f"{len(parsed.entries)} entries")
    lines.extend(f"warning: {warning}" for warning in parsed.warnings)
    for entry in parsed.entries:
        when = entry.published or entry.updated
        stamp = when.strftime("%Y-%m-%d %H:%M") if when else "????-??-?? ??:??"
        lines.append("")
        lines.append(f"{stamp}  {entry.title or '(untitled)'}")
        lines.append(f"  {entry.link or entry.id}")
        if entry.author:
            lines.append(f"  by {entry.author}")
        text = html_to_text(entry.summary or entry.content or "")
        if text:
            lines.append(f"  {_shorten(text, width - 2)}")
    return "\n".join(lines)


def _shorten(text: str, width: int) -> str:
    """Return `text` cut to `width` characters with an ellipsis when it was longer."""
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"
