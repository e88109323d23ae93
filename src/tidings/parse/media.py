"""Media RSS and iTunes elements (in RSS and Atom alike) -> enclosures, images, summaries."""

from __future__ import annotations

from lxml import etree

from tidings.clean import html_to_text
from tidings.durations import parse_duration
from tidings.model import Enclosure
from tidings.numerals import whole_number
from tidings.parse.entries import EntryDraft
from tidings.parse.nodes import TagNames, text_of
from tidings.parse.urls import resolve

MEDIA_NAMES = frozenset(
    {
        "media:content",
        "media:thumbnail",
        "media:group",
        "media:description",
        "itunes:image",
        "itunes:summary",
        "itunes:author",
        "itunes:subtitle",
        "itunes:category",
        "itunes:duration",
        "media:title",
        "media:category",
    }
)


def apply_media(element: etree._Element, name: str, draft: EntryDraft, base: str | None,
                names: TagNames) -> None:  # fmt: skip
    """Add what a media:/itunes: element says to `draft` (the first image wins)."""
    if name == "media:content":
        url = resolve(base, element.get("url"))
        if not url:
            return
        kind = element.get("type") or None
        if draft.image is None and (
            element.get("medium") == "image" or (kind or "").startswith("image/")
        ):
            draft.image = url
        length, duration = to_int(element.get("fileSize")), parse_duration(element.get("duration"))
        draft.add_enclosure(Enclosure(url, kind, length, duration))
        for child in element:
            child_name = names[child.tag]
            if child_name in MEDIA_NAMES:
                apply_media(child, child_name, draft, base, names)
    elif name == "media:thumbnail":
        if draft.image is None:
            draft.image = resolve(base, element.get("url"))
    elif name == "media:group":
        for child in element:
            child_name = names[child.tag]
            if child_name in MEDIA_NAMES:
                apply_media(child, child_name, draft, base, names)
    elif name == "itunes:image":
        if draft.image is None:
            draft.image = resolve(base, element.get("href") or text_of(element))
    elif name in ("media:description", "itunes:summary"):
        if draft.plain_summary is None:
            draft.plain_summary = text_of(element) or None
    elif name == "itunes:author" and draft.author is None:
        draft.author = " ".join(text_of(element).split()) or None
    elif name == "itunes:subtitle":
        if draft.plain_subtitle is None:
            draft.plain_subtitle = text_of(element) or None
    elif name == "media:title":
        if not draft.fallback_title:
            draft.fallback_title = html_to_text(text_of(element))
    elif name == "itunes:category":
        # <itunes:category text="Technology"><itunes:category text="Podcasting"/>: both count.
        draft.add_category(element.get("text") or "")
        for child in element:
            if names[child.tag] == "itunes:category":
                draft.add_category(child.get("text") or "")
    elif name == "media:category":
        draft.add_category(text_of(element))
    elif name == "itunes:duration" and draft.duration is None:
        draft.duration = parse_duration(text_of(element))


def to_int(value: str | None) -> int | None:
    """Return `value` as a non-negative int, or None when it is not one."""
    if not value:
        return None
    return whole_number(value.strip())
