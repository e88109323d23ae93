"""JSON Feed 1.0 and 1.1 documents -> ParsedFeed."""

from __future__ import annotations

import json
import math
from typing import Any

from tidings.clean import escape_text
from tidings.durations import parse_duration
from tidings.model import Enclosure, ParsedFeed
from tidings.parse.dates import parse_date
from tidings.parse.entries import EntryDraft, Fragment, finish_entries
from tidings.parse.errors import FeedParseError
from tidings.parse.options import Options, limit_warning
from tidings.parse.urls import resolve


def parse_json(text: str, options: Options) -> ParsedFeed:
    """Return the feed a JSON Feed document describes; raise FeedParseError for other JSON."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise FeedParseError(f"not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise FeedParseError("JSON, but not a JSON Feed (not an object)")
    version_url = _str(data.get("version")) or ""
    items = data.get("items")
    warnings: list[str] = []
    if "jsonfeed.org/version/1.1" in version_url:
        version = "json11"
    elif "jsonfeed.org/version/1" in version_url:
        version = "json10"
    elif isinstance(items, list):
        version = "json11"
        warnings.append("the JSON Feed does not say which version it is; read it as 1.1")
    else:
        raise FeedParseError("JSON, but not a JSON Feed (no version, no items)")
    if not isinstance(items, list):
        items = []
    link = resolve(options.url, _str(data.get("home_page_url")))
    base = options.url or link
    feed_author = _author(data)
    warnings += limit_warning(options.max_entries, len(items))
    drafts = [
        _item(item, base, feed_author)
        for item in items[: options.max_entries]
        if isinstance(item, dict)
    ]
    entries, entry_warnings = finish_entries(drafts, options.mode, options.max_entry_bytes)
    hub = next(
        (resolve(base, _str(h.get("url"))) for h in _list(data.get("hubs")) if isinstance(h, dict)),
        None,
    )
    return ParsedFeed(
        version=version,
        title=_line(data.get("title")),
        link=link,
        description=_line(data.get("description")) or None,
        image=resolve(base, _str(data.get("icon")) or _str(data.get("favicon"))),
        language=_str(data.get("language")),
        hub=hub,
        self_url=resolve(base, _str(data.get("feed_url"))),
        entries=entries,
        warnings=tuple(warnings + entry_warnings),
    )


def _item(item: dict[str, Any], base: str | None, feed_author: str | None) -> EntryDraft:
    """Return what one item object says."""
    item_id = item.get("id")
    link = resolve(base, _str(item.get("url")))
    draft = EntryDraft(
        id=str(item_id).strip() if isinstance(item_id, str | int) and item_id is not True else "",
        link=link,
        title=_line(item.get("title")),
        author=_author(item) or feed_author,
        published=parse_date(_str(item.get("date_published"))),
        updated=parse_date(_str(item.get("date_modified"))),
        image=resolve(base, _str(item.get("image")) or _str(item.get("banner_image"))),
    )
    content_html = _str(item.get("content_html"))
    content_text = _str(item.get("content_text"))
    if content_html is not None:
        draft.content = Fragment(content_html, base)
    elif content_text is not None:
        draft.content = escape_text(content_text)
    summary = _str(item.get("summary"))
    if summary is not None:
        draft.summary = escape_text(summary)
    for tag in _list(item.get("tags")):
        if isinstance(tag, str):
            draft.add_category(tag)
    for attachment in _list(item.get("attachments")):
        if isinstance(attachment, dict):
            url = resolve(base, _str(attachment.get("url")))
            if url:
                size = attachment.get("size_in_bytes")
                length = size if isinstance(size, int) and not isinstance(size, bool) else None
                duration = _seconds(attachment.get("duration_in_seconds"))
                kind = _str(attachment.get("mime_type"))
                draft.add_enclosure(Enclosure(url, kind, length, duration))
    return draft


def _seconds(value: object) -> int | None:
    """Return an attachment's `duration_in_seconds` as whole seconds, within the same bounds as
    an RSS duration; None for anything else (Python's json reads NaN and Infinity too)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return parse_duration(str(int(value))) if value >= 0 else None


def _author(obj: dict[str, Any]) -> str | None:
    """Return the first author's name (1.1 `authors`, or 1.0 `author`)."""
    authors = [a for a in _list(obj.get("authors")) if isinstance(a, dict)]
    author = obj.get("author")
    if isinstance(author, dict):
        authors.append(author)
    for person in authors:
        name = _line(person.get("name"))
        if name:
            return name
    return None


def _str(value: object) -> str | None:
    """Return `value` when it is a string, else None (JSON feeds put anything anywhere)."""
    return value if isinstance(value, str) else None


def _line(value: object) -> str:
    """Return a plain-text field with its whitespace collapsed ("" when it is not a string)."""
    return " ".join(value.split()) if isinstance(value, str) else ""


def _list(value: object) -> list[Any]:
    """Return `value` when it is a list, else an empty list."""
    return value if isinstance(value, list) else []
