"""Feed documents (RSS, RDF, Atom, JSON Feed) as bytes -> ParsedFeed records.

    >>> feed = parse_feed(body, url="https://example.org/feed.xml")

Never raises anything but FeedParseError, and that only when the bytes hold nothing feed-like.
What had to be repaired to read a document is listed in `ParsedFeed.warnings`.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import replace

from tidings.clean import MODES
from tidings.model import ParsedFeed
from tidings.parse.atom import parse_atom
from tidings.parse.bounds import bound_feed
from tidings.parse.detect import feed_version, sniff
from tidings.parse.discover import feed_links
from tidings.parse.encoding import decode
from tidings.parse.errors import FeedParseError
from tidings.parse.jsonfeed import parse_json
from tidings.parse.options import Options
from tidings.parse.rss import parse_rss
from tidings.parse.xmltree import XmlDocument, parse_xml

__all__ = ["MAX_ENTRY_BYTES", "MAX_TITLE_LENGTH", "FeedParseError", "parse_feed"]

MAX_ENTRY_BYTES = 512 * 1024  # an entry's summary and content together, in UTF-8
MAX_TITLE_LENGTH = 1000  # characters of a title, an author, a category


def parse_feed(
    data: bytes,
    url: str | None = None,
    content_type: str | None = None,
    *,
    allowed_html: str = "reader",
    max_entries: int = 1000,
    max_bytes: int = 10_000_000,
    max_entry_bytes: int = MAX_ENTRY_BYTES,
    max_title_length: int = MAX_TITLE_LENGTH,
) -> ParsedFeed:
    """Return the feed `data` holds.

    `url` is where the bytes came from (relative links resolve against it), `content_type` the
    HTTP Content-Type header (its charset is one hint about the encoding), `allowed_html` the
    clean.py allowlist for summaries and content ("reader" or "strict"; another value is a
    ValueError, the only exception that is not about the document). Every text field is
    scrubbed of control characters, titles are cut at `max_title_length` characters and each
    entry's summary and content together at `max_entry_bytes` (see parse/bounds.py).
    """
    if allowed_html not in MODES:  # a caller's mistake, not a property of the document
        raise ValueError(f"unknown allowed_html {allowed_html!r}; expected one of {sorted(MODES)}")
    warnings: list[str] = []
    if not isinstance(data, bytes):
        data = bytes(data)  # bytearray, memoryview
    if len(data) > max_bytes:
        data = data[:max_bytes]
        warnings.append(f"the document is larger than {max_bytes} bytes; read only the start")
    decoded = decode(data, content_type)
    warnings.extend(decoded.warnings)
    options = Options(
        url=url,
        mode=allowed_html,
        max_entries=max(0, max_entries),
        max_entry_bytes=max(0, max_entry_bytes),
    )
    syntax = sniff(decoded.text)
    if syntax == "json":
        feed = parse_json(decoded.text, options)
    else:
        if syntax == "html":
            document = _feed_in_html(decoded.text, url)
        else:
            usable = decoded.encoding == "utf-8" and decoded.exact
            usable = usable and not data.startswith(codecs.BOM_UTF8)
            document = parse_xml(data if usable else decoded.text.encode("utf-8"))
        found = feed_version(document.root)
        if found is None:
            raise FeedParseError(f"XML, but not a feed (root element {document.root.tag!r})")
        if found[0] == "html":  # XHTML read as XML
            document = _feed_in_html(decoded.text, url)
            found = feed_version(document.root)
            assert found is not None  # _feed_in_html returns feeds only
        warnings.extend(document.warnings)
        family, version, version_warnings = found
        warnings.extend(version_warnings)
        parse = parse_rss if family == "rss" else parse_atom
        feed = parse(document.root, version, options, document.complete_entries)
    if warnings:  # dataclasses.replace costs 4 µs, as much as reading a small feed's entry
        feed = replace(feed, warnings=tuple(warnings) + feed.warnings)
    return bound_feed(
        feed,
        mode=allowed_html,
        max_entry_bytes=max(0, max_entry_bytes),
        max_title_length=max(1, max_title_length),
    )


# The start of a feed's root element inside an HTML page, and each root's end tag.
_FEED_ROOT = re.compile(r"<(rss|feed|rdf:RDF|RDF)[\s>/]")
_END_TAGS = {"rss": "</rss>", "feed": "</feed>", "rdf:RDF": "</rdf:RDF>", "RDF": "</RDF>"}


def _feed_in_html(text: str, url: str | None) -> XmlDocument:
    """Return the feed an HTML page holds: an HTML DOCTYPE before <rss>, an Atom <feed> wrapped
    in <html><body> (some servers and CMS templates do both). Raise the "an HTML page" error
    with the feeds the page announces when it holds none.

    One search for the root's start and one for its last end tag: linear in the page.
    """
    match = _FEED_ROOT.search(text)
    # Only a complete root, start and end tag: "<rss" in a page's prose is not a feed.
    end = -1 if match is None else text.rfind(_END_TAGS[match.group(1)])
    if match is not None and end > match.start():
        stop = end + len(_END_TAGS[match.group(1)])
        try:
            document = parse_xml(text[match.start() : stop].encode("utf-8"))
        except FeedParseError:
            pass
        else:
            found = feed_version(document.root)
            if found is not None and found[0] != "html":
                warning = "the feed is wrapped in HTML (a DOCTYPE or a page); read the feed inside"
                return replace(document, warnings=(warning, *document.warnings))
    raise FeedParseError("an HTML page, not a feed", feed_links(text, url))
