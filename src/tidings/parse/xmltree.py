"""Feed text -> an lxml element tree, repairing what real feeds get wrong, safely.

The strict parse runs first because almost every feed is well formed and it is the fast path.
When it fails we repair what can be repaired without losing text (HTML entities, bare `&` and `<`,
junk before the document, control characters, unclosed `<br>`), parse strictly again, and only
then fall back to libxml2's recovering parser, which may drop text. `warnings` says which.
"""

from __future__ import annotations

import html
import html.entities
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from tidings.model import direct_init
from tidings.parse.errors import FeedParseError

_PARSER_OPTIONS = {
    "resolve_entities": False,  # no entity expansion: no billion laughs, no external files
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,  # keeps libxml2's limits on depth and text size
    "remove_comments": True,
    "remove_pis": True,
    "collect_ids": False,
    "encoding": "utf-8",  # we hand over UTF-8 whatever the declaration says
}
_local = threading.local()

_XML_NAMED = frozenset({"amp", "lt", "gt", "quot", "apos"})
# What a repair looks at. CDATA sections and comments are only found by their opener here: their
# closer is looked for with str.find from there, once (see `repair`). A lazy `<!--.*?-->` in the
# pattern rescans to the end of the text for every unclosed opener: quadratic, and a feed of
# 20,000 "<![CDATA[" took minutes at 1 MB.
#
# An `&` that starts a reference the repair would give back as it is (the five XML entities,
# character references to characters XML allows in the common ranges, 32-9999 and x20-xCFFF)
# is not matched at all: those are most of a feed's ampersands (a WordPress feed escapes its
# HTML, "&lt;p&gt;"), and calling `fix` for each cost 1 µs (1.5 ms for a 29 KB feed). Case
# sensitive: "&AMP;" is an HTML entity, "&#X41;" is repaired.
_UNCHANGED_REFERENCE = (
    r"(?-i:amp|lt|gt|quot|apos"
    r"|#0*(?:3[2-9]|[4-9][0-9]|[1-9][0-9]{2,3})"
    r"|#x0*(?:[2-9a-fA-F][0-9a-fA-F]|[1-9a-cA-C][0-9a-fA-F]{2,3}));"
)
# Every alternative starts with the character "&" or "<" itself (not a group), so that the
# regex engine skips to the next of those two with a fast scan: with a group first it tried each
# alternative at every character (26 ns a character, 0.7 ms for a 29 KB feed).
_REPAIRABLE = re.compile(
    r"&(?!" + _UNCHANGED_REFERENCE + r")"
    r"(?:(?P<ref>#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);)?"
    r"|<(?:(?P<keep>!\[CDATA\[|!--)"
    r"|(?P<lt>)(?![A-Za-z_:/!?])"
    r"|(?P<void>br|hr|img)\b(?P<attrs>[^<>]*+)>)",
    re.I,
)
_CLOSERS = {"![cdata[": "]]>", "!--": "-->"}  # after the "<"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CLOSING_ENTRY = re.compile(r"</(?:[\w.-]+:)?(?:item|entry)\s*>")
# Its absence means the download stopped early (junk after the root does not count as cut).
_CLOSING_ROOT = re.compile(r"</(?:[\w.-]+:)?(?:rss|RDF|feed|channel)\s*>")


@direct_init
@dataclass(frozen=True, slots=True)
class XmlDocument:
    root: etree._Element
    warnings: tuple[str, ...] = ()
    complete_entries: int | None = None  # when truncated: how many items were closed


def parse_xml(data: bytes) -> XmlDocument:
    """Return the document's root element, repaired if need be; raise FeedParseError when the
    bytes hold no XML element at all."""
    expanded: list[str] = []
    # A DOCTYPE comes first (after the XML declaration and maybe comments): looking for it in
    # the first 4 KB costs 1 µs, where "<!ENTITY" in the first 64 KB of every feed cost 25.
    doctype = data.find(b"<!DOCTYPE", 0, _DOCTYPE_SEARCH)
    if doctype >= 0 and data.find(b"<!ENTITY", doctype, doctype + _DTD_SEARCH) >= 0:
        text, expanded = expand_internal_entities(data.decode("utf-8", errors="replace"))
        data = text.encode("utf-8")
    try:
        root = etree.fromstring(data, _parser(recover=False))
        return XmlDocument(root, tuple(expanded))
    except etree.XMLSyntaxError as error:
        first_error = error.msg or str(error)
    body = _after_leading_space(data)
    if body is not None:
        try:
            return XmlDocument(etree.fromstring(body, _parser(recover=False)))
        except etree.XMLSyntaxError:
            pass
    text, warnings = repair(data.decode("utf-8", errors="replace"))
    warnings[:0] = expanded
    repaired = text.encode("utf-8")
    try:
        root = etree.fromstring(repaired, _parser(recover=False))
        return XmlDocument(root, tuple(warnings))
    except etree.XMLSyntaxError:
        pass
    try:
        root = etree.fromstring(repaired, _parser(recover=True))
    except etree.XMLSyntaxError as error:
        raise FeedParseError(f"not XML: {error.msg or error}") from None
    if root is None:
        raise FeedParseError(f"not XML: {first_error}")
    warnings.append(f"the XML is not well formed ({first_error}); recovered what could be read")
    complete = None
    if not _CLOSING_ROOT.search(text):
        complete = len(_CLOSING_ENTRY.findall(text))
        warnings.append("the document is cut short; kept the complete entries")
    return XmlDocument(root, tuple(warnings), complete)


# What `repair` could change in a document that is otherwise well formed XML without a DOCTYPE
# (which would define entities): a <br>, <hr> or <img> tag (rewritten as empty-element tags even
# when an end tag follows) and "<" before a non-ASCII name (read as a bare "<"). Case spelt out,
# not (?i): the pattern then starts with a plain "<", which the regex engine skips to (12 µs for
# 29 KB, against 170). A processing instruction's "&" and "<" are looked for apart.
_REPAIR_MAY_CHANGE = re.compile(rb"<(?:[\x80-\xff]|!DOCTYPE|[bBhH][rR]\b|[iI][mM][gG]\b)")


def _after_leading_space(data: bytes) -> bytes | None:
    """Return `data` without the blank lines before its XML declaration, when they are why the
    strict parse failed and `repair` would change nothing else; None otherwise.

    "XML declaration allowed only at the start of the document" is the commonest failure (a
    template's blank line before `<?xml`): parsing again without the blanks gives the tree the
    whole repair would (it drops them without a warning), without the repair's two passes over
    the text (0.4 ms for a 29 KB feed). When the strict parse of what is left fails, or the
    document holds something the repair might rewrite, the repair runs as before.
    """
    start = data.find(b"<")
    if start <= 0 or data[:start].strip() or not data.startswith(b"<?xml", start):
        return None
    body = data[start:]
    if _REPAIR_MAY_CHANGE.search(body) or not _plain_instructions(body):
        return None
    return body


def _plain_instructions(body: bytes) -> bool:
    """Return True when no processing instruction in `body` holds "&" or "<" (the XML
    declaration holds neither). The parser drops them, but the repair would escape those
    characters in them and say so in a warning (`<?xml-stylesheet href="a.xsl?b=1&c=2"?>`)."""
    position = 0
    while (start := body.find(b"<?", position)) >= 0:
        end = body.find(b"?>", start + 2)
        if end < 0:
            return False
        if b"&" in body[start:end] or b"<" in body[start + 2 : end]:
            return False
        position = end + 2
    return True


# Internal DTD entities (`<!DOCTYPE rss [<!ENTITY site "Example">]>`): lxml runs with
# resolve_entities=False (no billion laughs, no external files), which leaves `&site;` as an
# unexpanded reference whose text no reader sees. We expand them ourselves, bounded: only
# general entities with a quoted literal value (SYSTEM/PUBLIC and parameter entities are never
# read), nested references at most _ENTITY_DEPTH deep, each value at most _ENTITY_CHARS
# characters and the whole expansion at most the document's own length (and _EXPANSION_CHARS);
# past a bound the references stay as they are, and so do those of entities that refer to
# them. Values are inserted as character data (escaped), never as XML elements.
_DOCTYPE_SEARCH = 4096  # where a DOCTYPE is looked for
_DTD_SEARCH = 65_536  # how far after it an internal subset's declarations are looked for
_ENTITY_DEPTH = 8
_ENTITY_CHARS = 65_536
_EXPANSION_CHARS = 1_000_000
_ENTITY_DECLARATION = re.compile(
    r"""<!ENTITY\s+([A-Za-z_][\w.-]*+)\s+(?:"([^"]*+)"|'([^']*+)')\s*>"""
)
_SUBSET_END = re.compile(r"\]\s*>")
_ENTITY_REFERENCE = re.compile(r"&([A-Za-z_][\w.-]*+);")
_VERBATIM = re.compile(r"<!\[CDATA\[|<!--")


def expand_internal_entities(text: str) -> tuple[str, list[str]]:
    """Return `text` with references to its internal DTD's entities replaced by their (escaped)
    text, and a warning when any was; `text` unchanged when it declares none. Linear: the
    declarations are read with one scan, each value is expanded once (memoized), the body is
    scanned once."""
    doctype = text.find("<!DOCTYPE", 0, _DOCTYPE_SEARCH)
    opening = text.find("[", doctype) if doctype >= 0 else -1
    if opening < 0 or "<" in text[doctype + 1 : opening]:
        return text, []
    closing = _SUBSET_END.search(text, opening)
    if closing is None:
        return text, []
    raw: dict[str, str] = {}
    for match in _ENTITY_DECLARATION.finditer(text, opening, closing.start()):
        name = match.group(1)
        value = match.group(2) if match.group(2) is not None else match.group(3)
        raw.setdefault(name, value)  # XML: the first declaration binds
    for name in _XML_NAMED:
        raw.pop(name, None)  # the five XML entities are the parser's
    if not raw:
        return text, []
    expanded: dict[str, str | None] = {}

    def expand(name: str, depth: int) -> str | None:
        if name in expanded:
            return expanded[name]
        if depth > _ENTITY_DEPTH or name not in raw:
            return None
        expanded[name] = None  # a cycle reads as "cannot expand"
        parts: list[str] = []
        size = 0
        position = 0
        value = raw[name]
        for reference in _ENTITY_REFERENCE.finditer(value):
            inner = reference.group(1)
            replacement = expand(inner, depth + 1) if inner in raw else None
            if replacement is None:
                if inner in raw:
                    return None  # too deep, too large or a cycle: so is this one
                # An XML entity, a character reference, or a name never declared: as is.
                replacement = html.unescape(reference.group(0))
            parts.append(html.unescape(value[position : reference.start()]))
            parts.append(replacement)
            size += len(parts[-1]) + len(parts[-2])
            if size > _ENTITY_CHARS:
                return None
            position = reference.end()
        parts.append(html.unescape(value[position:]))
        result = "".join(parts)
        if len(result) > _ENTITY_CHARS:
            return None
        expanded[name] = result
        return result

    escaped = {}
    for name in raw:
        value = expand(name, 0)
        if value is not None:
            escaped[name] = html.escape(value, quote=True)
    body_start = closing.end()
    # The expansion may at most double the document (and never add more than 1 MB).
    budget = [min(_EXPANSION_CHARS, len(text))]
    count = [0]

    def substitute(match: re.Match[str]) -> str:
        value = escaped.get(match.group(1))
        if value is None or len(value) > budget[0]:
            return match.group(0)
        budget[0] -= len(value)
        count[0] += 1
        return value

    parts = [text[:body_start]]
    position = body_start
    while True:  # CDATA sections and comments are verbatim: references there are not expanded
        opener = _VERBATIM.search(text, position)
        stop = len(text) if opener is None else opener.start()
        parts.append(_ENTITY_REFERENCE.sub(substitute, text[position:stop]))
        if opener is None:
            break
        closer = text.find("]]>" if opener.group() == "<![CDATA[" else "-->", opener.end())
        end = len(text) if closer < 0 else closer + 3
        parts.append(text[stop:end])
        position = end
        if closer < 0:
            break
    if not count[0]:
        return text, []
    return "".join(parts), [f"expanded {count[0]} references to entities the document declares"]


def repair(text: str) -> tuple[str, list[str]]:
    """Return `text` with lossless repairs applied, and a sentence for each kind of repair."""
    warnings: list[str] = []
    start = text.find("<?xml")
    if start < 0:
        start = text.find("<")
    if start > 0 and text[:start].strip():
        warnings.append(f"ignored {start} characters of junk before the document")
    if start > 0:
        text = text[start:]
    if _has_control(text):
        # Vertical tab and form feed separate words; the other control characters are noise.
        text, controls = _CONTROL.subn(lambda m: " " if m.group() in "\x0b\x0c" else "", text)
        warnings.append(f"removed {controls} control characters XML does not allow")
    counts = {"entity": 0, "amp": 0, "lt": 0, "void": 0, "reference": 0}

    def fix(match: re.Match[str]) -> str:
        if match.group("lt") is not None:  # "" when it matched
            counts["lt"] += 1
            return "&lt;"
        void = match.group("void")
        if void:
            counts["void"] += 1
            return f"<{void}{match.group('attrs').removesuffix('/')}/>"
        ref = match.group("ref")
        if ref is None:
            counts["amp"] += 1
            return "&amp;"
        if ref[0] == "#":
            if _xml_allows(int(ref[2:], 16) if ref[1] in "xX" else int(ref[1:])):
                if ref[1] == "X":  # "&#X41;": HTML reads it, XML wants a small x
                    counts["reference"] += 1
                    return f"&#x{ref[2:]};"
                return match.group(0)
            counts["reference"] += 1
            return ""  # "&#0;", "&#27;": no XML parser accepts them, and nobody wants them
        if ref in _XML_NAMED:
            return match.group(0)
        value = html.entities.html5.get(ref + ";")
        if value is None:
            counts["amp"] += 1
            return "&amp;" + ref + ";"
        counts["entity"] += 1
        return "".join(f"&#{ord(char)};" for char in value)

    text = _substitute(text, fix)
    sentences = {
        "entity": "decoded {} HTML entities XML does not know",
        "amp": "escaped {} bare '&' characters",
        "lt": "escaped {} bare '<' characters",
        "void": "closed {} HTML <br>, <hr> or <img> tags",
        "reference": "repaired {} character references XML does not allow",
    }
    warnings.extend(sentences[kind].format(n) for kind, n in counts.items() if n)
    return text, warnings


# _CONTROL's characters as UTF-8: the C0 controls are single bytes, the two non-characters
# three bytes each.
_C0_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
_NONCHARACTERS = (b"\xef\xbf\xbe", b"\xef\xbf\xbf")


def _has_control(text: str) -> bool:
    """Return True when `text` holds a character _CONTROL removes.

    On the UTF-8 bytes: deleting the C0 bytes with bytes.translate and comparing lengths, and
    two byte searches, cost about a sixth of the pattern's scan of the str (20 µs against 120
    for 29 KB), and most documents that need repairs hold no control character.
    """
    raw = text.encode("utf-8", errors="surrogatepass")
    if len(raw.translate(None, _C0_BYTES)) != len(raw):
        return True
    return b"\xef\xbf" in raw and any(char in raw for char in _NONCHARACTERS)


def _xml_allows(code: int) -> bool:
    """Return True when XML 1.0 allows the character `code` (its production `Char`)."""
    if code < 0x20:
        return code in (0x09, 0x0A, 0x0D)
    return code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF


def _substitute(text: str, fix: Callable[[re.Match[str]], str]) -> str:
    """Return `text` with each repairable match replaced by `fix(match)`, CDATA sections and
    comments kept as they are.

    Linear: every character is scanned once. A CDATA section or comment is skipped by finding
    its closer once; an opener without a closer keeps the rest of the text as it is (the
    recovering parser then reads what it can), and the scan stops there.
    """
    parts: list[str] = []
    position = 0
    while True:
        match = _REPAIRABLE.search(text, position)
        if match is None:
            break
        opener = match.group("keep")
        if opener is None:
            parts.append(text[position : match.start()])
            parts.append(fix(match))
            position = match.end()
            continue
        close = text.find(_CLOSERS[opener.lower()], match.end())
        if close < 0:
            break  # unclosed: the rest of the text is inside it
        end = close + len(_CLOSERS[opener.lower()])
        parts.append(text[position:end])
        position = end
    parts.append(text[position:])
    return "".join(parts)


def _parser(*, recover: bool) -> etree.XMLParser:
    """Return this thread's parser (lxml parsers must not be shared between threads)."""
    name = "recover" if recover else "strict"
    parser: etree.XMLParser | None = getattr(_local, name, None)
    if parser is None:
        parser = etree.XMLParser(recover=recover, **_PARSER_OPTIONS)
        setattr(_local, name, parser)
    return parser
