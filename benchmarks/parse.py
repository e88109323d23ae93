"""Parse the same feed bytes with tidings, feedparser (and fastfeedparser when installed) and bare
lxml, and print a Markdown table of throughput.

    .venv/bin/python benchmarks/parse.py [--seconds 1.0] [--profile]

The corpus is generated (deterministically) so the numbers are comparable between runs: a 50-item
RSS 2.0 feed of about 64 KB with HTML descriptions, an Atom feed with HTML content, an RDF feed and
a JSON Feed. Cleaning is included in tidings' time: it is part of what parse_feed gives.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import json
import pstats
import random
import time
from collections.abc import Callable
from html import escape
from typing import Any

from lxml import etree

from tidings.parse import parse_feed

WORDS = [
    "alliance",
    "defence",
    "security",
    "summit",
    "minister",
    "council",
    "partner",
    "mission",
    "exercise",
    "support",
    "training",
    "forces",
    "report",
    "meeting",
    "statement",
    "press",
    "release",
    "cooperation",
    "operation",
    "capability",
    "the",
    "of",
    "and",
    "to",
    "in",
    "on",
    "for",
    "with",
    "at",
    "by",
    "from",
    "as",
]


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def _html_body(rng: random.Random, paragraphs: int) -> str:
    parts = []
    for i in range(paragraphs):
        link = f'<a href="/news/{rng.randrange(10**6)}.htm">{_sentence(rng, 3)}</a>'
        image = f'<img src="/img/{i}.jpg" alt="photo" width="300">' if i % 3 == 0 else ""
        parts.append(f"<p>{_sentence(rng, 25)} {link} <em>{_sentence(rng, 6)}</em>{image}</p>")
    return "".join(parts)


def rss20(rng: random.Random, items: int = 50) -> bytes:
    """Return an RSS 2.0 feed of about 64 KB with escaped HTML descriptions."""
    out = [
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Bench News</title>'
        "<link>https://bench.example.com/</link><description>Benchmark feed</description>"
    ]
    for i in range(items):
        out.append(
            f"<item><title>{escape(_sentence(rng, 8))}</title>"
            f"<link>https://bench.example.com/news/{i}.htm</link>"
            f'<guid isPermaLink="false">bench-{i}</guid>'
            f"<description>{escape(_html_body(rng, 3))}</description>"
            f"<dc:creator>Press Office</dc:creator><category>News</category>"
            f"<pubDate>Fri, {1 + i % 28:02d} Sep 2025 12:{i % 60:02d}:00 GMT</pubDate></item>"
        )
    out.append("</channel></rss>")
    return "".join(out).encode("utf-8")


def atom(rng: random.Random, entries: int = 30) -> bytes:
    """Return an Atom 1.0 feed with HTML summaries and content."""
    out = [
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        '<title>Bench Atom</title><link href="https://atom.example.com/"/>'
        "<id>urn:bench</id><updated>2025-09-19T12:00:00Z</updated>"
    ]
    for i in range(entries):
        out.append(
            f'<entry><title type="html">{escape(_sentence(rng, 8))}</title>'
            f'<link href="https://atom.example.com/{i}"/><id>urn:bench:{i}</id>'
            f"<updated>2025-09-{1 + i % 28:02d}T12:00:00Z</updated>"
            f"<author><name>Writer {i % 5}</name></author>"
            f'<summary type="html">{escape(_html_body(rng, 1))}</summary>'
            f'<content type="html">{escape(_html_body(rng, 4))}</content></entry>'
        )
    out.append("</feed>")
    return "".join(out).encode("utf-8")


def rdf(rng: random.Random, items: int = 40) -> bytes:
    """Return an RSS 1.0 (RDF) feed with dc: metadata."""
    out = [
        '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        '<channel rdf:about="https://rdf.example.com/"><title>Bench RDF</title>'
        "<link>https://rdf.example.com/</link><description>RDF</description></channel>"
    ]
    for i in range(items):
        out.append(
            f'<item rdf:about="https://rdf.example.com/{i}"><title>{_sentence(rng, 7)}</title>'
            f"<link>https://rdf.example.com/{i}</link>"
            f"<description>{escape(_html_body(rng, 2))}</description>"
            f"<dc:date>2025-09-{1 + i % 28:02d}T12:00:00+02:00</dc:date>"
            f"<dc:subject>Topic {i % 7}</dc:subject></item>"
        )
    out.append("</rdf:RDF>")
    return "".join(out).encode("utf-8")


def json_feed(rng: random.Random, items: int = 40) -> bytes:
    """Return a JSON Feed 1.1 document with HTML content."""
    document: dict[str, Any] = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Bench JSON",
        "home_page_url": "https://json.example.com/",
        "items": [
            {
                "id": str(i),
                "url": f"https://json.example.com/{i}",
                "title": _sentence(rng, 8),
                "content_html": _html_body(rng, 3),
                "date_published": f"2025-09-{1 + i % 28:02d}T12:00:00Z",
                "tags": ["bench"],
            }
            for i in range(items)
        ],
    }
    return json.dumps(document).encode("utf-8")


def corpus() -> dict[str, bytes]:
    """Return the benchmark documents by name."""
    rng = random.Random(20250919)
    return {
        "RSS 2.0": rss20(rng),
        "Atom 1.0": atom(rng),
        "RDF": rdf(rng),
        "JSON Feed": json_feed(rng),
    }


def rate(function: Callable[[bytes], object], data: bytes, seconds: float) -> float:
    """Return how many times per second `function(data)` runs (best of three rounds)."""
    function(data)
    best = 0.0
    for _ in range(3):
        count = 0
        start = time.perf_counter()
        deadline = start + seconds / 3
        while True:
            function(data)
            count += 1
            now = time.perf_counter()
            if now >= deadline:
                break
        best = max(best, count / (now - start))
    return best


def contenders() -> dict[str, Callable[[bytes], object]]:
    """Return the parsers to compare, by name (those that are installed)."""
    found: dict[str, Callable[[bytes], object]] = {
        "tidings": lambda data: parse_feed(data, "https://bench.example.com/feed"),
    }
    for module_name in ("feedparser", "fastfeedparser"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        found[module_name] = module.parse
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.5, help="time per measurement")
    parser.add_argument("--profile", action="store_true", help="cProfile tidings on RSS 2.0")
    args = parser.parse_args()
    documents = corpus()
    if args.profile:
        data = documents["RSS 2.0"]
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(200):
            parse_feed(data, "https://bench.example.com/feed")
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
        return
    parsers = contenders()
    print("| feed | size | parser | feeds/s | MB/s | × feedparser | × bare lxml |")
    print("|---|---:|---|---:|---:|---:|---:|")
    for name, data in documents.items():
        is_json = data.lstrip()[:1] == b"{"
        bare = rate(json.loads if is_json else etree.fromstring, data, args.seconds)
        rates = {label: rate(function, data, args.seconds) for label, function in parsers.items()}
        reference = rates.get("feedparser")
        for label, value in rates.items():
            versus = f"{value / reference:.1f}" if reference else "n/a"
            print(
                f"| {name} | {len(data) / 1024:.0f} KB | {label} | {value:,.0f} | "
                f"{value * len(data) / 1e6:.1f} | {versus} | {bare / value:.1f}× slower |"
            )
        bare_label = "json.loads" if is_json else "lxml.etree.fromstring"
        print(
            f"| {name} | {len(data) / 1024:.0f} KB | {bare_label} | {bare:,.0f} | "
            f"{bare * len(data) / 1e6:.1f} | | 1.0 |"
        )


if __name__ == "__main__":
    main()
