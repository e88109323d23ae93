"""Shared data for the parser tests: the fixture feeds, how each is fetched, and hostile HTML."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import lxml.html

from tidings.clean import READER_TAGS

FEEDS = Path(__file__).resolve().parent.parent / "data" / "feeds"

# The HTTP Content-Type a fixture arrives with, when it matters; the rest arrive with none.
CONTENT_TYPES: dict[str, str] = {
    "http_charset.xml": "application/rss+xml; charset=windows-1252",
}


def fixture_url(path: Path) -> str:
    """Return the URL a fixture pretends to have been fetched from."""
    return f"https://feeds.example.com/{path.name}"


def fixture_paths() -> list[Path]:
    """Return every fixture document (not the expectations beside them), sorted by name."""
    return sorted(p for p in FEEDS.iterdir() if not p.name.endswith(".expected.json"))


def expected_path(path: Path) -> Path:
    """Return the golden expectation file beside a fixture."""
    return path.with_name(path.stem + ".expected.json")


# Hostile HTML: nothing executable may survive, whatever the trick.
HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<img src=x onerror=alert(1)//",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<img src="data:image/svg+xml;base64,PHN2Zy8+">',
    '<svg onload="alert(1)"><script>alert(1)</script></svg>',
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<iframe src="https://evil.example/"></iframe>',
    '<frameset><frame src="javascript:alert(1)"></frameset>',
    '<form action="javascript:alert(1)"><input type=submit></form>',
    '<button formaction="javascript:alert(1)">x</button>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<link rel="stylesheet" href="javascript:alert(1)">',
    '<div onmouseover="alert(1)">x</div>',
    '<body onload="alert(1)">',
    '<video><source onerror="alert(1)"></video>',
    '<audio src="x" onerror="alert(1)"></audio>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<template><script>alert(1)</script></template>",
    '<a href="https://ok.example/" onclick="alert(1)">ok</a>',
    "<<script>script>alert(1)<</script>/script>",
    "<!--<script>alert(1)//-->",
    '<img src="x" srcset="javascript:alert(1)">',
    '<a href="' + "".join(f"&#{ord(c):07d}" for c in "javascript:alert(1)") + '">x</a>',
]
_ALLOWED_ATTRIBUTES = {"href", "src", "alt", "title", "rel", "loading", "controls", "width",
                       "height", "type", "colspan", "rowspan", "scope", "start"}  # fmt: skip


def assert_inert(cleaned: str | None, allowed_tags: frozenset[str] = READER_TAGS) -> None:
    """Fail unless `cleaned` holds only allowlisted tags and attributes, and only safe URLs."""
    if not cleaned:
        return
    fragment = lxml.html.fragment_fromstring(cleaned, create_parent="div")
    for element in fragment.iterdescendants():
        assert isinstance(element.tag, str), cleaned  # no comments, no processing instructions
        assert element.tag in allowed_tags, cleaned
        for name, value in element.attrib.items():
            assert name in _ALLOWED_ATTRIBUTES, cleaned
            if name in ("href", "src"):
                scheme = urlsplit(value.strip()).scheme.lower()
                assert scheme in ("", "http", "https", "mailto"), cleaned
