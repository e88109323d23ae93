"""JSON Feed 1.1 output."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from tidings.model import Entry
from tidings.publish.channel import Channel, entry_published, entry_updated, http_url

VERSION = "https://jsonfeed.org/version/1.1"


def write_jsonfeed(channel: Channel) -> bytes:
    """The channel as a JSON Feed 1.1 document (UTF-8)."""
    document: dict[str, Any] = {
        "version": VERSION,
        "title": channel.title,
        "home_page_url": channel.page_url,
        "feed_url": channel.self_url,
        "items": [_item(channel, entry) for entry in channel.entries],
    }
    if channel.description:
        document["description"] = channel.description
    if channel.hub:
        document["hubs"] = [{"type": "WebSub", "url": channel.hub}]
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def _item(channel: Channel, entry: Entry) -> dict[str, Any]:
    item: dict[str, Any] = {"id": channel.entry_id(entry), "title": entry.title}
    link = http_url(entry.link)
    if link:
        item["url"] = link
    if entry.content or entry.summary:
        item["content_html"] = entry.content or entry.summary
    if entry.summary and entry.content:
        item["summary"] = entry.summary
    item["date_published"] = _iso(entry_published(entry))
    item["date_modified"] = _iso(entry_updated(entry))
    if entry.author:
        item["authors"] = [{"name": entry.author}]
    if entry.categories:
        item["tags"] = list(entry.categories)
    attachments = [
        {"url": e.url, "mime_type": e.type or "application/octet-stream"}
        | ({"size_in_bytes": e.length} if e.length else {})
        for e in entry.enclosures
        if http_url(e.url)
    ]
    if attachments:
        item["attachments"] = attachments
    source = channel.sources.get(entry.feed_id)
    if source is not None:
        item["_tidings"] = {"source": {"title": source.display_title, "feed_url": source.url}}
    return item


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")
