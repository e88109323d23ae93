"""RSS 0.90-2.0 and RDF (RSS 1.0) element trees -> ParsedFeed."""

from __future__ import annotations

from typing import NamedTuple

from lxml import etree

from tidings.clean import html_to_text
from tidings.model import Enclosure, ParsedFeed
from tidings.parse.dates import parse_date
from tidings.parse.entries import EntryDraft, Fragment, finish_entries
from tidings.parse.media import MEDIA_NAMES, apply_media, to_int
from tidings.parse.nodes import (
    RDF_ABOUT,
    RSS_HOME,
    TagNames,
    base_of,
    full_text,
    inner_html,
    split_tag,
    text_of,
    xhtml_inner,
)
from tidings.parse.options import Options, limit_warning
from tidings.parse.urls import is_absolute_http, resolve

_names = TagNames(RSS_HOME)


class _Channel(NamedTuple):
    """A channel's own metadata. A NamedTuple, not a ParsedFeed to copy: building a frozen
    dataclass twice cost 1.5 µs, 3% of reading a small feed."""

    title: str
    link: str | None
    description: str | None
    image: str | None
    language: str | None
    ttl: int | None
    hub: str | None
    self_url: str | None


def parse_rss(root: etree._Element, version: str, options: Options,
              complete_entries: int | None = None) -> ParsedFeed:  # fmt: skip
    """Return the feed an <rss> or <rdf:RDF> root describes."""
    channel = next((child for child in root if _names[child.tag] == "channel"), None)
    if channel is None:
        channel = root  # some feeds omit <channel>, some are only a <channel>
    root_base = base_of(root, options.url)
    channel_base = base_of(channel, root_base) if channel is not root else root_base
    feed, items = _channel(channel, root, channel_base)
    if complete_entries is not None:
        items = items[:complete_entries]
    warnings = limit_warning(options.max_entries, len(items))
    # Relative URLs: xml:base, else the document's URL, else the site link.
    inherited = channel_base or feed.link
    drafts = [_item(item, inherited) for item in items[: options.max_entries]]
    entries, entry_warnings = finish_entries(drafts, options.mode, options.max_entry_bytes)
    return ParsedFeed(
        version=version,
        title=feed.title,
        link=feed.link,
        description=feed.description,
        image=feed.image,
        language=feed.language,
        ttl=feed.ttl,
        hub=feed.hub,
        self_url=feed.self_url,
        entries=entries,
        warnings=tuple(warnings + entry_warnings),
    )


def _channel(
    channel: etree._Element, root: etree._Element, base: str | None
) -> tuple[_Channel, list[etree._Element]]:
    """Return the channel's own metadata (no entries) and its <item> elements in document
    order: RSS puts items in the channel, RDF puts them (and the image) beside it.

    One pass over the children collects both: the items are most of them, so a second pass
    just to find them would cost as much as the metadata.
    """
    title = link = description = image = language = hub = self_url = None
    ttl = None
    items: list[etree._Element] = []
    images: list[etree._Element] = []
    for child in channel:
        name = _names[child.tag]
        if name == "item":
            items.append(child)
        elif name in ("title", "dc:title") and title is None:
            title = html_to_text(full_text(child))
        elif name == "link" and link is None:
            link = resolve(base, text_of(child))
        elif name in ("description", "itunes:summary", "dc:description") and description is None:
            description = html_to_text(full_text(child)) or None
        elif name == "image":
            images.insert(0, child)  # the last <image> in the channel is tried first
        elif name == "itunes:image" and image is None:
            image = resolve(base, child.get("href") or text_of(child))
        elif name in ("language", "dc:language") and language is None:
            language = text_of(child) or None
        elif name == "ttl":
            ttl = to_int(text_of(child))
        elif name == "atom:link":
            rel = child.get("rel")
            if rel == "hub" and hub is None:
                hub = resolve(base, child.get("href"))
            elif rel == "self" and self_url is None:
                self_url = resolve(base, child.get("href"))
    if channel is not root:
        for child in root:
            name = _names[child.tag]
            if name == "item":
                items.append(child)
            elif name == "image":
                images.append(child)  # after the channel's own, which win
    # RDF's channel holds only a pointer (<image rdf:resource>); the <image> with a <url> wins.
    for element in images:
        url = next((text_of(c) for c in element if _names[c.tag] == "url"), "")
        found = resolve(base_of(element, base or link), url)
        if found:
            image = found
            break
    feed = _Channel(
        title=title or "",
        link=link,
        description=description,
        image=image,
        language=language,
        ttl=ttl,
        hub=hub,
        self_url=self_url,
    )
    return feed, items


def _item(item: etree._Element, inherited: str | None) -> EntryDraft:
    """Return what one <item> says."""
    base = base_of(item, inherited)
    draft = EntryDraft(id=(item.get(RDF_ABOUT) or "").strip())
    title = link = alternate = guid_link = author = creator = None
    published = dc_date = None
    dc_description: Fragment | None = None
    for child in item:
        name = _names[child.tag]
        if name in ("title", "dc:title"):
            if title is None:
                title = html_to_text(full_text(child))
        elif name == "link":
            if link is None:
                link = resolve(base, text_of(child))
        elif name == "guid":
            guid = text_of(child)
            if guid and not draft.id:
                draft.id = guid
                guid_link = _guid_link(guid, child.get("isPermaLink"), base)
        elif name == "description":
            if draft.summary is None:
                draft.summary = Fragment(inner_html(child), base)
        elif name == "dc:description":
            dc_description = dc_description or Fragment(inner_html(child), base)
        elif name == "pubDate":
            published = published or parse_date(text_of(child))
        elif name == "content:encoded":
            if draft.content is None:
                draft.content = Fragment(inner_html(child), base)
        elif name == "xhtml:body":
            if draft.content is None:
                draft.content = Fragment(xhtml_inner(child), base)
        elif name == "author":
            author = author or _person(child)
        elif name == "dc:creator":
            creator = creator or html_to_text(text_of(child)) or None
        elif name in ("dc:date", "dcterms:issued", "dcterms:created"):
            dc_date = dc_date or parse_date(text_of(child))
        elif name in ("dcterms:modified", "atom:updated"):
            draft.updated = draft.updated or parse_date(text_of(child))
        elif name in ("category", "dc:subject"):
            draft.add_category(text_of(child))
        elif name == "enclosure":
            url = resolve(base, child.get("url"))
            if url:
                kind = child.get("type") or None
                draft.add_enclosure(Enclosure(url, kind, to_int(child.get("length"))))
        elif name == "atom:link":
            _atom_link(child, base, draft)
            if alternate is None and child.get("rel", "alternate") == "alternate":
                alternate = resolve(base, child.get("href"))
        elif name in MEDIA_NAMES:
            apply_media(child, name, draft, base, _names)
    draft.title = title or ""
    if draft.summary is None:
        draft.summary = dc_description  # dc:description only when there is no description
    draft.link = link or guid_link or alternate
    draft.author = author or creator or draft.author
    draft.published = published or dc_date
    return draft


def _atom_link(element: etree._Element, base: str | None, draft: EntryDraft) -> None:
    """Add an <atom:link rel="enclosure"> inside an RSS item to the draft's enclosures."""
    if element.get("rel") == "enclosure":
        url = resolve(base, element.get("href"))
        if url:
            kind = element.get("type") or None
            draft.add_enclosure(Enclosure(url, kind, to_int(element.get("length"))))


def _guid_link(guid: str, is_permalink: str | None, base: str | None) -> str | None:
    """Return the link a guid stands for, or None.

    isPermaLink defaults to true, but most guids without the attribute are opaque ("1234"):
    without it only an absolute URL or an absolute path ("/blog/post") counts as a link. An
    explicit isPermaLink="true" makes any value a URL. A relative one resolves like any
    relative URL in the item (the id stays the guid, verbatim).
    """
    declared = (is_permalink or "").strip().lower()
    if declared == "false":
        return None
    if is_absolute_http(guid):
        return resolve(None, guid)
    if declared == "true" or guid.startswith("/"):
        return resolve(base, guid)
    return None


def _name_of(author: str) -> str:
    """Return the name in RSS 2.0's "email (Name)" form of <author> ("a@b.org (Ann Lee)" ->
    "Ann Lee": a reader shows the name, as feedparser's author_detail does), else `author`."""
    if author.endswith(")") and "@" in author.split("(", 1)[0]:
        name = author[author.find("(") + 1 : -1].strip()
        if name:
            return name
    return author


def _person(element: etree._Element) -> str | None:
    """Return the author an RSS <author> names: its text, or the text of its <name> child when
    it has child elements (`<author><name>Ann</name><title>Editor</title></author>`, Atom style:
    their text run together would read "AnnEditor"); the first child's text without one."""
    if len(element) == 0:
        return _name_of(html_to_text(element.text or "")) or None
    children = [child for child in element if isinstance(child.tag, str)]
    named = next((c for c in children if split_tag(c.tag)[1].lower() == "name"), None)
    chosen = named if named is not None else (children[0] if children else element)
    return html_to_text(text_of(chosen)) or None
