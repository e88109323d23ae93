"""Atom 1.0 and 0.3 element trees -> ParsedFeed."""

from __future__ import annotations

import base64
import binascii

from lxml import etree

from tidings.clean import collapse_text, escape_text, html_to_text
from tidings.model import Enclosure, ParsedFeed
from tidings.parse.dates import parse_date
from tidings.parse.entries import EntryDraft, Fragment, finish_entries
from tidings.parse.media import MEDIA_NAMES, apply_media, to_int
from tidings.parse.nodes import (
    ATOM_HOME,
    XML_LANG,
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

_names = TagNames(ATOM_HOME)


def parse_atom(root: etree._Element, version: str, options: Options,
               complete_entries: int | None = None) -> ParsedFeed:  # fmt: skip
    """Return the feed an Atom <feed> root describes."""
    entries = [child for child in root if _names[child.tag] == "entry"]
    if complete_entries is not None:
        entries = entries[:complete_entries]
    warnings = limit_warning(options.max_entries, len(entries))
    title = description = link = logo = icon = hub = self_url = feed_author = feed_id = None
    root_base = base_of(root, options.url)
    for child in root:
        name = _names[child.tag]
        if name == "title" and title is None:
            title = _plain(child)
        elif name in ("subtitle", "tagline") and description is None:
            description = _plain(child) or None
        elif name == "link":
            rel = child.get("rel", "alternate")
            href = resolve(base_of(child, root_base), child.get("href"))
            if rel == "alternate" and link is None:
                link = href
            elif rel == "self" and self_url is None:
                self_url = href
            elif rel == "hub" and hub is None:
                hub = href
        elif name == "logo" and logo is None:
            logo = resolve(base_of(child, root_base), text_of(child))
        elif name == "icon" and icon is None:
            icon = resolve(base_of(child, root_base), text_of(child))
        elif name == "author" and feed_author is None:
            feed_author = _person(child)
        elif name == "id" and feed_id is None:
            feed_id = text_of(child)
    # Relative URLs: xml:base, else the document's URL, else the site link.
    inherited = root_base or link
    link = link or _id_link(feed_id)
    drafts = [_entry(entry, inherited, feed_author) for entry in entries[: options.max_entries]]
    parsed, entry_warnings = finish_entries(drafts, options.mode, options.max_entry_bytes)
    return ParsedFeed(
        version=version,
        title=title or "",
        link=link,
        description=description,
        image=logo or icon,
        language=root.get(XML_LANG) or None,
        hub=hub,
        self_url=self_url,
        entries=parsed,
        warnings=tuple(warnings + entry_warnings),
    )


def _entry(entry: etree._Element, inherited: str | None, feed_author: str | None) -> EntryDraft:
    """Return what one <entry> says; an entry without an author has the feed's (RFC 4287 4.2.1)."""
    base = base_of(entry, inherited)
    draft = EntryDraft()
    link = None
    for child in entry:
        name = _names[child.tag]
        if name == "id":
            draft.id = draft.id or text_of(child)
        elif name == "title":
            draft.title = draft.title or _plain(child)
        elif name == "link":
            rel = child.get("rel", "alternate")
            # A link with its URL written as its text, not in href (DDay.it's enclosures)
            written = child.get("href") or text_of(child)
            href = resolve(base_of(child, base), written)
            if rel == "alternate" and href:
                if _is_html(child):
                    draft.link = draft.link or href
                else:
                    link = link or href
            elif rel == "enclosure" and href:
                kind = child.get("type") or None
                draft.add_enclosure(Enclosure(href, kind, to_int(child.get("length"))))
        elif name == "author" and draft.author is None:
            draft.author = _person(child)
        elif name == "summary" and draft.summary is None:
            draft.summary = _html(child, base_of(child, base))
        elif name == "content" and draft.content is None:
            draft.content = _html(child, base_of(child, base))
        elif name in ("published", "issued", "created"):
            draft.published = draft.published or parse_date(text_of(child))
        elif name in ("updated", "modified"):
            draft.updated = draft.updated or parse_date(text_of(child))
        elif name == "category":
            draft.add_category(child.get("term") or child.get("label") or text_of(child))
        elif name == "dc:subject":
            draft.add_category(text_of(child))
        elif name in ("dc:creator", "dc:author") and draft.author is None:
            draft.author = html_to_text(text_of(child)) or None
        elif name in MEDIA_NAMES:
            apply_media(child, name, draft, base, _names)
    draft.link = draft.link or link or _id_link(draft.id)
    draft.author = draft.author or feed_author
    return draft


def _id_link(entry_id: str | None) -> str | None:
    """Return the link an entry without one gets from its id: the id when it is an absolute
    http(s) URL (blogs and wikis give the post's address as its id and no <link>; a tag: or
    urn: id locates nothing), else None."""
    if entry_id and is_absolute_http(entry_id):
        return resolve(None, entry_id)
    return None


def _is_html(link: etree._Element) -> bool:
    """Return True when a link points at a web page (no type, or an HTML type)."""
    kind = link.get("type")
    return kind is None or "html" in kind


def _person(element: etree._Element) -> str | None:
    """Return the name of an Atom person (its email when it has no name)."""
    found = {_names[child.tag]: text_of(child) for child in element}
    value = found.get("name") or found.get("email") or text_of(element)
    return " ".join(value.split()) or None


def _text_construct(element: etree._Element) -> tuple[str, bool] | None:
    """Return an Atom text construct's value and whether it is HTML; None for out-of-line or
    binary content."""
    if element.get("src"):
        return None
    kind = (element.get("type") or "text").strip().lower()
    mode = (element.get("mode") or "").strip().lower()  # Atom 0.3
    if mode == "base64":
        try:
            value = base64.b64decode(element.text or "").decode("utf-8", errors="replace")
        except (binascii.Error, ValueError):
            return None
        return value, "html" in kind
    if mode == "xml" or kind in ("xhtml", "application/xhtml+xml"):
        body = next((c for c in element if isinstance(c.tag, str)), None)
        if kind == "xhtml" and body is not None and split_tag(body.tag)[1] == "div":
            return xhtml_inner(body), True  # the wrapping <div> is not content (RFC 4287 3.1.1.3)
        return xhtml_inner(element), True
    if kind in ("html", "text/html"):
        return inner_html(element), True
    if kind in ("text", "text/plain") or kind.startswith("text/"):
        return full_text(element), False  # the text itself when no child: no iterator
    return None  # another media type: base64 data we do not show


def _plain(element: etree._Element) -> str:
    """Return a text construct as plain text."""
    construct = _text_construct(element)
    if construct is None:
        return ""
    value, is_html = construct
    return html_to_text(value) if is_html else collapse_text(value)


def _html(element: etree._Element, base: str | None) -> str | Fragment | None:
    """Return a text construct as HTML to clean (a Fragment) or clean HTML (escaped text), or
    None when it holds nothing we can show."""
    construct = _text_construct(element)
    if construct is None:
        return None
    value, is_html = construct
    return Fragment(value, base) if is_html else escape_text(value)
