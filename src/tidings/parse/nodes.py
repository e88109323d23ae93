"""Reading lxml elements the way every feed format needs: names, text, inner HTML, base URLs."""

from __future__ import annotations

import html
import re
from functools import lru_cache
from urllib.parse import urljoin

from lxml import etree

ATOM10 = "http://www.w3.org/2005/Atom"
ATOM03 = "http://purl.org/atom/ns#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RSS10 = "http://purl.org/rss/1.0/"
RSS090 = "http://my.netscape.com/rdf/simple/0.9/"
# The same namespace under the host Netscape also published it at (Mozilla's own 0.90 sample
# uses it; feedparser lists it among its aliases).
RSS090_CHANNEL = "http://channel.netscape.com/rdf/simple/0.9/"
XHTML = "http://www.w3.org/1999/xhtml"

PREFIXES: dict[str, str] = {
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://purl.org/dc/terms/": "dcterms",
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://search.yahoo.com/mrss/": "media",
    "http://search.yahoo.com/mrss": "media",
    "http://www.itunes.com/dtds/podcast-1.0.dtd": "itunes",
    "http://www.itunes.com/DTDs/Podcast-1.0.dtd": "itunes",
    ATOM10: "atom",
    ATOM03: "atom",
    RDF: "rdf",
    XHTML: "xhtml",
    "http://www.w3.org/XML/1998/namespace": "xml",
}
# The same namespaces as publishers actually write them: without the trailing slash, with
# https, in another case ("http://www.itunes.com/DTDs/PodCast-1.0.dtd"), Dublin Core's terms
# under its elements URI's cousins. Keyed by `_normal_uri`, so one entry covers the case and
# slash variants. feedparser's table of namespace aliases (namespaces/_base.py and mixin.py)
# was the reference for which variants occur.
_PREFIX_VARIANTS: dict[str, str] = {
    "purl.org/dc/elements/1.1": "dc",
    "purl.org/dc/elements/1.0": "dc",
    "purl.org/dc/elements": "dc",
    "purl.org/dc/terms": "dcterms",
    "purl.org/rss/1.0/modules/content": "content",
    "search.yahoo.com/mrss": "media",
    "video.search.yahoo.com/mrss": "media",
    "www.itunes.com/dtds/podcast-1.0.dtd": "itunes",
    "itunes.com/dtds/podcast-1.0.dtd": "itunes",
    "example.com/dtds/podcast-1.0.dtd": "itunes",  # sic: in feedparser's table, seen in the wild
    "www.w3.org/2005/atom": "atom",
    "purl.org/atom/ns": "atom",
    "www.w3.org/1999/02/22-rdf-syntax-ns": "rdf",
    "www.w3.org/1999/xhtml": "xhtml",
}
_HOME_VARIANTS: dict[str, frozenset[str]] = {
    "rss": frozenset(
        {
            "purl.org/rss/1.0",
            "my.netscape.com/rdf/simple/0.9",
            "channel.netscape.com/rdf/simple/0.9",
            "backend.userland.com/rss2",
            "backend.userland.com/rss",
            "blogs.law.harvard.edu/tech/rss",
            "purl.org/rss/1.0/modules/rss091",
        }
    ),
    "atom": frozenset({"www.w3.org/2005/atom", "purl.org/atom/ns"}),
}


def _normal_uri(uri: str) -> str:
    """Return a namespace URI without its scheme, case, and trailing "/" or "#"."""
    uri = uri.strip().lower()
    for scheme in ("http://", "https://"):
        if uri.startswith(scheme):
            uri = uri[len(scheme) :]
            break
    return uri.rstrip("/#")


RSS_HOME = frozenset(
    {"", RSS10, RSS090, "http://backend.userland.com/rss2", "http://blogs.law.harvard.edu/tech/rss"}
)
ATOM_HOME = frozenset({"", ATOM10, ATOM03})
RDF_ABOUT = f"{{{RDF}}}about"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"

_PREFIXED_TAG = re.compile(r"(</?)[\w.-]+:")


class TagNames(dict[object, str]):
    """Element tag -> short name: "title" for the format's own namespaces, "dc:creator" for
    known ones, the Clark name for others, "" for non-elements (comments, entity references).

    `names[child.tag]` is a plain dict lookup once a tag has been seen (one per format, shared
    by every document): the hot loops read each child's name this way.
    """

    def __init__(self, home: frozenset[str]) -> None:
        super().__init__()
        self.home = home
        # The home namespaces' variants: a format's own elements in a misspelt namespace.
        normal = {_normal_uri(uri) for uri in home if uri}
        self.home_variants = next(
            (variants for variants in _HOME_VARIANTS.values() if normal & variants), frozenset()
        )

    def __missing__(self, tag: object) -> str:
        short = self[tag] = _short_name(tag, self.home, self.home_variants)
        return short


def _short_name(tag: object, home: frozenset[str], home_variants: frozenset[str]) -> str:
    """Return the short name of one tag (see `TagNames`); runs once per distinct tag."""
    if not isinstance(tag, str):
        return ""  # entity references left unexpanded, comments
    if tag[0] != "{":
        return tag
    namespace, _, local = tag[1:].partition("}")
    if namespace in home:
        return local
    prefix = PREFIXES.get(namespace)
    if prefix is None:
        normal = _normal_uri(namespace)
        if normal in home_variants:
            return local
        prefix = _PREFIX_VARIANTS.get(normal)
    return f"{prefix}:{local}" if prefix else tag


def split_tag(tag: str) -> tuple[str | None, str]:
    """Return (namespace, local name) of a tag; a prefix left undeclared (the recovering parser
    keeps "media:content" as the name) is dropped from the local name."""
    if tag[:1] == "{":
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return None, tag.rpartition(":")[2]


def text_of(element: etree._Element) -> str:
    """Return all the text inside `element`, stripped."""
    if len(element) == 0:
        return (element.text or "").strip()
    return "".join(element.itertext()).strip()


def full_text(element: etree._Element) -> str:
    """Return all the text inside `element`, not stripped: for text that is collapsed later
    (clean.collapse_text), since str.strip() would also drop a trailing U+0085 ("&#133;", "…")."""
    if len(element) == 0:
        return element.text or ""
    return "".join(element.itertext())


def inner_html(element: etree._Element) -> str:
    """Return the HTML an element holds: its text when it has no children (escaped or CDATA
    HTML, the usual case), else its children serialized (HTML written straight into the XML)."""
    if len(element) == 0:
        return element.text or ""
    parts = [html.escape(element.text or "", quote=False)]
    # Every child, unexpanded entity references included: they serialize as "&name;", which the
    # HTML cleaner then decodes (or shows literally when HTML does not know the name either).
    parts.extend(etree.tostring(child, encoding="unicode", with_tail=True) for child in element)
    return _PREFIXED_TAG.sub(r"\1", "".join(parts))


def xhtml_inner(element: etree._Element) -> str:
    """Return the HTML an element of XHTML holds (Atom `type="xhtml"`, `xhtml:body`): its text is
    text, never markup, so a `&lt;blink&gt;` in it stays escaped even when the element has no
    children (`inner_html` reads a childless element's text as escaped HTML, which it is not
    here)."""
    if len(element) == 0:
        return html.escape(element.text or "", quote=False)
    return inner_html(element)


def base_of(element: etree._Element, inherited: str | None) -> str | None:
    """Return the URL relative links in `element` resolve against: its xml:base resolved against
    `inherited` (the base of its parent) when it has one, else `inherited`.

    Callers walk down from the root with the document's URL (else the site link) as the first
    `inherited`; reading the attribute is much cheaper than lxml's `element.base`, which walks
    up to the root on every call.
    """
    declared = element.get(XML_BASE)
    if declared is None:
        return inherited
    declared = declared.strip()
    if not inherited:
        return declared or None
    return _join(inherited, declared)


@lru_cache(maxsize=1024)
def _join(base: str, url: str) -> str:
    """Return `url` resolved against `base` (`base` itself when that fails)."""
    try:
        return urljoin(base, url)
    except ValueError:
        return base
