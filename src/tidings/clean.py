"""HTML from feeds -> HTML safe to show on our pages, and HTML -> plain text.

The allowlists are plain data so that a reviewer can read them in one glance. Everything not listed
is removed: tags (keeping their text, except for the tags in `DROP_WITH_CONTENT`), attributes, and
URL schemes. `data:` URLs are refused everywhere (images included): the simplest rule that cannot be
turned into script, at the price of losing a few inline icons.
"""

from __future__ import annotations

import html
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache, partial
from typing import Any
from urllib.parse import urljoin

import nh3

READER_TAGS: frozenset[str] = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "figcaption",
        "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "li", "ol", "p",
        "picture", "pre", "q", "s", "small", "strong", "sub", "sup", "table", "tbody", "td",
        "tfoot", "th", "thead", "tr", "u", "ul", "audio", "video", "source", "cite", "kbd",
        "mark", "span", "div", "caption",
    }
)  # fmt: skip

# Drupal's "Limited HTML" default for aggregated content.
STRICT_TAGS: frozenset[str] = frozenset(
    {"a", "b", "br", "dd", "dl", "dt", "em", "i", "li", "ol", "p", "strong", "u", "ul"}
)

READER_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "title"}),
    "abbr": frozenset({"title"}),
    "img": frozenset({"src", "alt", "title", "width", "height"}),
    "audio": frozenset({"src", "controls"}),
    "video": frozenset({"src", "controls", "width", "height"}),
    "source": frozenset({"src", "type"}),
    "td": frozenset({"colspan", "rowspan"}),
    "th": frozenset({"colspan", "rowspan", "scope"}),
    "ol": frozenset({"start"}),
}

STRICT_ATTRIBUTES: dict[str, frozenset[str]] = {"a": frozenset({"href", "title"})}

# Attributes we always set, whatever the source said.
SET_ATTRIBUTES: dict[str, dict[str, str]] = {"img": {"loading": "lazy"}}

URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})

# Removed together with everything inside them: their content is code or controls, not prose.
DROP_WITH_CONTENT: frozenset[str] = frozenset(
    {
        "script", "style", "iframe", "frame", "frameset", "noscript", "noembed", "noframes",
        "object", "embed", "applet", "template", "svg", "select", "textarea", "button",
        "title", "xmp", "annotation", "annotation-xml",
    }
)  # fmt: skip

# Presentation MathML: kept as its text ("if x = y, then"), never as markup. The sanitizer
# removes a foreign element it is not allowed to keep *with* its content, so these are allowed
# through it (no attributes; it keeps MathML's namespace rules, so nothing escapes through
# <mtext> or <mglyph>) and their tags are then removed from its output (`_MATHML_TAG`): the
# stored HTML holds no foreign content. `annotation` (TeX source, a duplicate of the formula)
# and `annotation-xml` (an HTML integration point) go with their content, above.
MATHML_TAGS: frozenset[str] = frozenset(
    {
        "math", "mi", "mn", "mo", "ms", "mtext", "mspace", "mrow", "mfrac", "msqrt", "mroot",
        "mstyle", "merror", "mpadded", "mphantom", "mfenced", "menclose", "msub", "msup",
        "msubsup", "munder", "mover", "munderover", "mmultiscripts",
        "mtable", "mtr", "mtd", "mlabeledtr", "semantics",
    }
)  # fmt: skip

LINK_REL = "noopener noreferrer"

MODES: dict[str, tuple[frozenset[str], dict[str, frozenset[str]]]] = {
    "reader": (READER_TAGS, READER_ATTRIBUTES),
    "strict": (STRICT_TAGS, STRICT_ATTRIBUTES),
}

# A MathML tag in the sanitizer's output: it keeps no attribute on them, so the tag is exactly
# this. An operator's tags become spaces ("x = y"), the others nothing.
_MATHML_TAG = re.compile("<(/?)(" + "|".join(sorted(MATHML_TAGS, key=len, reverse=True)) + ")>")


def _mathml_to_text(cleaned: str) -> str:
    """Return the sanitizer's output with MathML's tags removed, their text kept."""
    # The sanitizer drops MathML-named tags outside <math> (its namespace check) and closes
    # every element it keeps: without "</math>" there is nothing to do. One scan for a long
    # needle, the common case (0.1 µs a fragment; "<m" and "<semantics" cost 1.4 µs).
    if "</math>" not in cleaned:
        return cleaned
    return _MATHML_TAG.sub(lambda m: " " if m.group(2) == "mo" else "", cleaned)


def _needs_parser(text: str) -> bool:
    """Return True when `text` holds a character that makes html5ever's output differ from its
    input when there is no markup at all. Four `in` tests: 0.1 µs for a 300-character summary,
    where a character class (`[<&\r\0]`) read plain text at 3 ns a character."""
    return "<" in text or "&" in text or "\r" in text or "\0" in text


def _nested(outer: str, inner: str) -> str:
    """Return a pattern (after "<") for an `outer` start tag holding an `inner` start tag."""
    return rf"{outer}[\s>][^<]*+(?:<(?!/{outer}>|{inner})[^<]*+)*+<{inner}"


# Start tags that close an open <p> (HTML's tree construction, "in body" insertion mode).
_CLOSES_P = r"(?:blockquote|div|dl|dd|dt|figcaption|figure|ol|ul|p|h[1-6]|hr|pre|li|table)[\s/>]"
# In serialized output (every "<" starts a tag, every element is closed), an element the parser
# would not leave where it is: a block in a <p>, <li> in <li>, <dd>/<dt> in <dd>/<dt>, a heading
# in a heading, a link in a link. Possessive quantifiers: one linear scan, no backtracking.
# Any table tag (table, tbody, thead, tfoot, tr, td, th, caption) counts too: foster parenting
# and implied <tbody> are not worth modelling. One pattern, so the text is scanned once.
_MOVES_ON_REPARSE = re.compile(
    "<(?:"
    + "|".join(
        [
            _nested("p", _CLOSES_P),
            _nested("li", r"li[\s>]"),
            _nested("d[dt]", r"d[dt][\s>]"),
            _nested("h[1-6]", r"h[1-6][\s>]"),
            _nested("a", r"a[\s>]"),
            "t",
            "caption",
        ]
    )
    + ")"
)
_BLOCK_START = re.compile(r"<(?=/?(?:p|br|div|li|h[1-6]|tr|td|th|dt|dd|blockquote|hr)\b)", re.I)

# How deep elements may nest before the sanitizer sees them. html5ever walks the stack of open
# elements for many start tags ("is there a <p> in button scope?"), so its cost grows with
# depth times tags: 16,000 nested <li><blockquote> took 4.5 s. Browsers cap the tree at a few
# hundred levels too (Blink: 512); no article needs more than a few dozen.
MAX_DEPTH = 256
# Start and end tags by name, and comment openers (whose content is skipped).
_TAG_OR_COMMENT = re.compile(r"<(/?)([A-Za-z][^\s/>]*)|<!--")
_VOID = frozenset(
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta",
        "param", "source", "track", "wbr",
    }
)  # fmt: skip
# Elements a start tag of the same kind closes (HTML's implied end tags): a list of <li> or
# <p> without their end tags is flat, not deep.
_CLOSED_BY_SIBLING = frozenset({"p", "li", "dt", "dd", "tr", "td", "th", "option"})
# How far down the stack an end tag looks for its element; beyond it counts as stray (HTML
# pops through unclosed formatting elements, rarely more than a few).
_END_TAG_REACH = 8


def _shallow(text: str) -> str:
    """Return `text` with the start tags that would open an element deeper than MAX_DEPTH
    removed (their content stays, one level up), the text itself when none does.

    A linear scan over the tags with a rough model of HTML's nesting (void elements, implied
    end tags of li/p/dt/dd/tr/td/th/option, end tags popping through a few unclosed elements):
    enough to keep the sanitizer's work linear. The result still goes through the sanitizer,
    so what this removes can only make the output simpler, never unsafe.
    """
    if text.count("<") <= MAX_DEPTH:
        return text  # fewer tags than levels: it cannot be too deep
    stack: list[str] = []
    parts: list[str] = []
    kept_from = 0
    position = 0
    while (match := _TAG_OR_COMMENT.search(text, position)) is not None:
        name = match.group(2)
        if name is None:  # a comment: skip to its end, once
            close = text.find("-->", match.end())
            if close < 0:
                break
            position = close + 3
            continue
        position = match.end()
        name = name.lower()
        if match.group(1):
            for depth in range(len(stack) - 1, max(len(stack) - 1 - _END_TAG_REACH, -1), -1):
                if stack[depth] == name:
                    del stack[depth:]
                    break
            continue
        if name in _VOID:
            continue
        if stack and name in _CLOSED_BY_SIBLING and stack[-1] == name:
            stack.pop()
        if len(stack) < MAX_DEPTH:
            stack.append(name)
            continue
        end = text.find(">", position)
        if end < 0:
            break  # an unfinished tag at the end: the sanitizer drops it
        parts.append(text[kept_from : match.start()])
        kept_from = position = end + 1
    if not parts:
        return text
    parts.append(text[kept_from:])
    return "".join(parts)


# Cleaned fragments by (mode, base URL, raw HTML): a feed fetched again usually repeats most of
# its items, and the parse workers are long-lived. Bounded by entries and by characters (keys and
# values); huge fragments are not kept. See clear_cache() and cache_info().
CACHE_MAX_ENTRIES = 4096
CACHE_MAX_CHARS = 8_000_000
CACHE_MAX_FRAGMENT = 65_536
_cache: OrderedDict[tuple[str, str | None, str], str] = OrderedDict()
_cache_lock = threading.Lock()
_cache_stats = {"hits": 0, "misses": 0, "chars": 0}


def clean_html(text: str, base_url: str | None = None, mode: str = "reader") -> str:
    """Return `text` (an HTML fragment) with only allowlisted, inert markup left.

    Relative URLs are resolved against `base_url` when one is given. The result is a fixed point:
    cleaning it again gives it back unchanged. `mode` names an allowlist in MODES; another name
    is a ValueError. Results are cached per process (see CACHE_MAX_ENTRIES).
    """
    return clean_many([(text, base_url)], mode)[0]


def clean_many(fragments: Sequence[tuple[str, str | None]], mode: str = "reader") -> list[str]:
    """Return `clean_html(text, base_url, mode)` for each `(text, base_url)` of `fragments`, in
    order (a repeated fragment counts as a cache hit, as it would one call at a time).

    The results are those of one call each; a feed's worth is faster in one batch because each
    stage (cache lookups, the sanitizer, the fixed-point check, cache inserts) runs over every
    fragment before the next stage starts: alternating between the Rust sanitizer and the Python
    around it evicts each other's code and data from the CPU caches (a cold parse_feed of a
    50-item feed spends 8-15% less).
    """
    if mode not in MODES:
        raise ValueError(f"unknown HTML mode {mode!r}; expected one of {sorted(MODES)}")
    results: list[str] = []
    # Fragments to sanitize -> where their result goes; a repeat within the batch is done once.
    todo: dict[tuple[str, str | None, str], list[int]] = {}
    with _cache_lock:
        for text, base_url in fragments:
            if not _needs_parser(text):
                # Plain text: html5ever would only escape these two, so skip it (10-50x faster).
                results.append(text.replace(">", "&gt;").replace("\xa0", "&nbsp;"))
                continue
            key = (mode, base_url, text)
            cacheable = len(text) <= CACHE_MAX_FRAGMENT
            cached = _cache.get(key) if cacheable else None
            if cached is not None:
                _cache.move_to_end(key)
                _cache_stats["hits"] += 1
                results.append(cached)
                continue
            if cacheable and key in todo:
                _cache_stats["hits"] += 1  # one call at a time, the first would have cached it
            todo.setdefault(key, []).append(len(results))
            results.append("")  # filled in once cleaned
    cleaned = _clean_all([(text, base_url) for _, base_url, text in todo], mode)
    for slots, value in zip(todo.values(), cleaned, strict=True):
        for slot in slots:
            results[slot] = value
    with _cache_lock:
        for key, value in zip(todo, cleaned, strict=True):
            _remember(key, value)
    return results


def _remember(key: tuple[str, str | None, str], cleaned: str) -> None:
    """Cache one cleaned fragment (the caller holds the lock), evicting the least recently used
    beyond the bounds; huge fragments are not kept."""
    _, base_url, text = key
    if len(text) > CACHE_MAX_FRAGMENT:
        return
    _cache_stats["misses"] += 1
    if key in _cache:  # another thread cleaned it meanwhile
        return
    _cache[key] = cleaned
    _cache_stats["chars"] += len(text) + len(cleaned) + len(base_url or "")
    while len(_cache) > CACHE_MAX_ENTRIES or _cache_stats["chars"] > CACHE_MAX_CHARS:
        (_, old_base, old_text), old_cleaned = _cache.popitem(last=False)
        _cache_stats["chars"] -= len(old_text) + len(old_cleaned) + len(old_base or "")


def clear_cache() -> None:
    """Forget every cached fragment (and the hit counts)."""
    with _cache_lock:
        _cache.clear()
        _cache_stats.update(hits=0, misses=0, chars=0)


def cache_info() -> dict[str, int]:
    """Return the cache's hits, misses, entries and characters (keys and values) since the last
    clear_cache()."""
    with _cache_lock:
        return {**_cache_stats, "entries": len(_cache)}


def _clean(text: str, base_url: str | None, mode: str) -> str:
    """Return `text` sanitized into a fixed point (clean_html without the cache)."""
    return _clean_all([(text, base_url)], mode)[0]


def _clean_all(fragments: list[tuple[str, str | None]], mode: str) -> list[str]:
    """Return each `(text, base_url)` of `fragments` sanitized into a fixed point, one stage at
    a time over all of them (see clean_many)."""
    once = [_clean_once(_cleaner(mode, base_url), text) for text, base_url in fragments]
    return [
        cleaned if _is_fixed_point(cleaned) else _settle(_cleaner(mode, base_url), cleaned)
        for cleaned, (_, base_url) in zip(once, fragments, strict=True)
    ]


def _settle(cleaner: nh3.Cleaner, cleaned: str) -> str:
    """Return the sanitizer's output cleaned again until nothing changes (at most 3 more passes).

    The parser repairs untidy HTML into trees that do not always parse back the same once
    serialized (<li><blockquote><li> minus the blockquote is <li><li>; misnested links and
    headings; foster-parented table content), so what we store is a fixed point. Output that
    parses back the same (_is_fixed_point) is spared this second pass.
    """
    for _ in range(3):
        again = _clean_once(cleaner, cleaned)
        if again == cleaned:
            break
        cleaned = again
    return cleaned


def _is_fixed_point(cleaned: str) -> bool:
    """Return True when the sanitizer's output certainly parses back into the same tree.

    The output is a serialized tree: "<" in text and attributes is escaped, there are no
    comments, and every element is closed, so a regular expression sees its nesting. Parsing a
    well-nested tag sequence moves an element only by the rules _MOVES_ON_REPARSE lists (tables:
    foster parenting, implied <tbody>; a newline after <pre> is handled by _clean_once), and
    the sanitizer leaves only allowlisted tags, none of them form, button, select or foreign
    content. Scans, no Python loop over the tags: that would cost as much as the second pass.
    """
    return _MOVES_ON_REPARSE.search(cleaned) is None


def _clean_once(cleaner: nh3.Cleaner, text: str) -> str:
    """Return one sanitizer pass over `text`, serialized so that it parses back the same."""
    cleaned: str = _mathml_to_text(cleaner.clean(_shallow(text)))
    if "<pre>\n" in cleaned:
        # Parsers drop a newline right after <pre>; the HTML serializing algorithm doubles it
        # so that a leading newline of the content survives, html5ever's serializer does not.
        cleaned = cleaned.replace("<pre>\n", "<pre>\n\n")
    return cleaned


def escape_text(text: str) -> str:
    """Return plain `text` as an HTML fragment that shows it literally (and is already clean)."""
    return html.escape(text, quote=False).replace("\xa0", "&nbsp;").replace("\r", "")


def html_to_text(text: str) -> str:
    """Return the readable text of an HTML fragment: tags removed, entities decoded, whitespace
    collapsed to single spaces."""
    if "<" in text:
        text = _mathml_to_text(_TEXT_CLEANER.clean(_shallow(_BLOCK_START.sub(" <", text))))
    if "&" in text:
        text = html.unescape(text)
    return collapse_text(text)


def collapse_text(text: str) -> str:
    """Return `text` with runs of whitespace collapsed to single spaces, stripped.

    str.split() takes U+0085 for whitespace, but in a feed it is windows-1252's "…" read as
    Latin-1 or written "&#133;": it becomes "…" (parse/bounds.py maps the other C1 controls).
    """
    if "\x85" in text:
        text = text.replace("\x85", "…")
    return " ".join(text.split())


@lru_cache(maxsize=512)
def _cleaner(mode: str, base_url: str | None) -> nh3.Cleaner:
    """Return the sanitizer for `mode`, resolving relative URLs against `base_url`; one per feed
    base is cached because building one costs about as much as cleaning a small fragment."""
    tags, attributes = MODES[mode]
    options: dict[str, Any] = {
        "tags": set(tags | MATHML_TAGS),  # MathML's tags are removed from the output
        "clean_content_tags": set(DROP_WITH_CONTENT),
        "attributes": {tag: set(names) for tag, names in attributes.items()},
        "link_rel": LINK_REL,
        "set_tag_attribute_values": SET_ATTRIBUTES if "img" in tags else None,
        "url_schemes": set(URL_SCHEMES),
        "strip_comments": True,
    }
    if not base_url:
        return nh3.Cleaner(url_relative="pass_through", **options)
    try:
        return nh3.Cleaner(url_relative=("rewrite_with_base", base_url), **options)
    except ValueError:
        # A base nh3 cannot parse (itself relative, say, when a feed without a URL has a
        # relative site link): resolve as far as Python's urljoin can.
        return nh3.Cleaner(url_relative=partial(_join_or_keep, base_url), **options)


def _join_or_keep(base_url: str, url: str) -> str:
    """Return `url` resolved against `base_url`, or unchanged when they cannot be joined."""
    try:
        return urljoin(base_url, url)
    except ValueError:
        return url


_TEXT_CLEANER = nh3.Cleaner(
    tags=set(MATHML_TAGS), clean_content_tags=set(DROP_WITH_CONTENT), attributes={}, link_rel=None
)
