"""RSS 2.0 output, with dc:creator for authors and an atom:link to itself."""

from __future__ import annotations

from email.utils import format_datetime

from lxml import etree

from tidings.publish.channel import Channel, entry_html, entry_published, http_url, xml_safe

_ATOM = "http://www.w3.org/2005/Atom"
_DC = "http://purl.org/dc/elements/1.1/"
_CONTENT = "http://purl.org/rss/1.0/modules/content/"
_NSMAP = {"atom": _ATOM, "dc": _DC, "content": _CONTENT}


def write_rss(channel: Channel) -> bytes:
    """The channel as an RSS 2.0 document (UTF-8)."""
    root = etree.Element("rss", version="2.0", nsmap=_NSMAP)
    chan = etree.SubElement(root, "channel")
    _text(chan, "title", channel.title)
    _text(chan, "link", channel.page_url)
    _text(chan, "description", channel.description or channel.title)
    etree.SubElement(
        chan,
        f"{{{_ATOM}}}link",
        href=xml_safe(channel.self_url),
        rel="self",
        type="application/rss+xml",
    )
    if channel.hub:
        etree.SubElement(chan, f"{{{_ATOM}}}link", href=xml_safe(channel.hub), rel="hub")
    _text(chan, "lastBuildDate", format_datetime(channel.updated, usegmt=True))
    _text(chan, "generator", channel.generator)
    for entry in channel.entries:
        item = etree.SubElement(chan, "item")
        _text(item, "title", entry.title)
        link = http_url(entry.link)
        if link:
            _text(item, "link", link)
        body = entry_html(entry)
        if entry.summary or body:
            _text(item, "description", entry.summary or body or "")
        if entry.content:
            _text(item, f"{{{_CONTENT}}}encoded", entry.content)
        if entry.author:
            _text(item, f"{{{_DC}}}creator", entry.author)
        for name in entry.categories:
            _text(item, "category", name)
        for enclosure in entry.enclosures:
            if http_url(enclosure.url):
                etree.SubElement(
                    item,
                    "enclosure",
                    url=xml_safe(enclosure.url),
                    length=str(enclosure.length or 0),
                    type=xml_safe(enclosure.type or "application/octet-stream"),
                )
        _text(item, "guid", channel.entry_id(entry)).set("isPermaLink", "false")
        _text(item, "pubDate", format_datetime(entry_published(entry), usegmt=True))
        source = channel.sources.get(entry.feed_id)
        if source is not None and http_url(source.url):
            _text(item, "source", source.display_title).set("url", xml_safe(source.url))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _text(parent: etree._Element, tag: str, text: str) -> etree._Element:
    element = etree.SubElement(parent, tag)
    element.text = xml_safe(text)
    return element
