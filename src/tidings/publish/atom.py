"""Atom 1.0 output: ids, updated times, self and alternate links."""

from __future__ import annotations

from datetime import datetime

from lxml import etree

from tidings.publish.channel import (
    Channel,
    entry_published,
    entry_updated,
    http_url,
    xml_safe,
)

_ATOM = "http://www.w3.org/2005/Atom"


def write_atom(channel: Channel) -> bytes:
    """The channel as an Atom 1.0 document (UTF-8)."""
    root = etree.Element(f"{{{_ATOM}}}feed", nsmap={None: _ATOM})
    _text(root, "id", channel.id)
    _text(root, "title", channel.title)
    if channel.description:
        _text(root, "subtitle", channel.description)
    _text(root, "updated", _iso(channel.updated))
    _link(root, channel.self_url, "self", "application/atom+xml")
    _link(root, channel.page_url, "alternate", "text/html")
    if channel.hub:
        _link(root, channel.hub, "hub", None)
    _text(root, "generator", channel.generator)
    for entry in channel.entries:
        item = etree.SubElement(root, f"{{{_ATOM}}}entry")
        _text(item, "id", channel.entry_id(entry))
        _text(item, "title", entry.title).set("type", "text")
        _text(item, "updated", _iso(entry_updated(entry)))
        _text(item, "published", _iso(entry_published(entry)))
        # Atom wants an alternate link on an entry that may lack content: the page is one.
        _link(item, http_url(entry.link) or channel.page_url, "alternate", "text/html")
        if entry.author:
            author = etree.SubElement(item, f"{{{_ATOM}}}author")
            _text(author, "name", entry.author)
        for name in entry.categories:
            etree.SubElement(item, f"{{{_ATOM}}}category", term=xml_safe(name))
        if entry.summary:
            _text(item, "summary", entry.summary).set("type", "html")
        if entry.content:
            _text(item, "content", entry.content).set("type", "html")
        source = channel.sources.get(entry.feed_id)
        if source is not None:
            src = etree.SubElement(item, f"{{{_ATOM}}}source")
            _text(src, "id", source.url)
            _text(src, "title", source.display_title)
            if http_url(source.url):
                _link(src, source.url, "self", None)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _text(parent: etree._Element, tag: str, text: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{_ATOM}}}{tag}")
    element.text = xml_safe(text)
    return element


def _link(parent: etree._Element, href: str, rel: str, media_type: str | None) -> None:
    link = etree.SubElement(parent, f"{{{_ATOM}}}link", rel=rel, href=xml_safe(href))
    if media_type:
        link.set("type", media_type)
