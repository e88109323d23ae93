"""The text a reader sees of a stored HTML fragment: what SQLite's search index reads.

Stored summaries and contents are HTML cleaned by nh3 (`tidings.clean`), serialised by html5ever:
every element is closed, comments are gone, a `<`, `>` or `&` of the text is an entity, and
attribute values are always double-quoted (a `>` may appear in one unescaped, a `"` never does).
So a regular expression that skips double-quoted values finds every tag, and `html.unescape`
gives back the text. (`clean.html_to_text` gets about the same through nh3, 2.5× slower.)

Where it runs: in the parse processes, next to the content hash (`refresh.parsing`): at ~15 µs
for an entry of 1 KB it would cost the single SQLite writer ~0.45 ms per feed of 30 new entries,
and the writer sets the pace of a large refresh. Also in migration 0005 for stored rows, and in
the writer for an entry given without its text (`store.updates`: tests, tools). It is a
top-level module, not in `tidings.store`, because importing that package loads SQLAlchemy, which
a parse process must not pay for.

Tags that start or end a block (paragraphs, list items, cells, line breaks, images, ...) become
a space, so `<p>a</p><p>b</p>` reads "a b"; inline tags go without one, so `mem<b>ory</b>` reads
"memory". Attribute values (links, image sources, `alt`) are not text. Whitespace runs become one
space. Text that only looks like markup (`&lt;script&gt;`) comes back as the characters a reader
sees: `<script>`. Tag names are matched in lower case, as html5ever writes them: an upper-case
tag is still removed, but as an inline one.
"""

from __future__ import annotations

import html
import re

__all__ = ["html_text"]

# A start or end tag in one match, so that a "<" inside an attribute value is never taken for a
# tag of its own: "<", a name (group 1 when it starts or ends a block), then attributes, where a
# double-quoted value may hold "<" or ">", then ">". Possessive quantifiers, and no "<" outside
# quotes: text that is not cleaned HTML (a lone "<", a tag never closed) is left as it is, in
# linear time.
_BLOCK_NAMES = (
    "address|article|aside|audio|blockquote|br|caption|dd|details|div|dl|dt|figcaption|figure"
    "|footer|h[1-6]|header|hr|img|li|main|nav|ol|p|picture|pre|section|source|summary|table"
    "|tbody|td|tfoot|th|thead|tr|ul|video"
)
_TAG = re.compile(rf'</?(?:((?:{_BLOCK_NAMES})(?=[\s/>]))|[A-Za-z])[^<>"]*+(?:"[^"]*+"[^<>"]*+)*+>')


def html_text(fragment: str | None) -> str | None:
    """Return the visible text of a cleaned HTML fragment: tags removed (a block boundary is a
    space), entities decoded, whitespace collapsed to single spaces, none at either end.
    None stays None."""
    if fragment is None:
        return None
    if "<" in fragment:
        # Text, group 1, text, group 1, ...: a block tag's name becomes a space, any other tag
        # (group 1 None) nothing. A quarter cheaper than a replacement function per tag.
        parts = _TAG.split(fragment)
        parts[1::2] = [" " if name else "" for name in parts[1::2]]
        fragment = "".join(parts)
    if "&" in fragment:
        fragment = html.unescape(fragment)
    return " ".join(fragment.split())
