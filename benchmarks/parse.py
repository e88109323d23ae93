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

from tidings.clean import cache_info, clean_many, clear_cache
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


def _rss20_item(rng: random.Random, i: int) -> str:
    return (
        f"<item><title>{escape(_sentence(rng, 8))}</title>"
        f"<link>https://bench.example.com/news/{i}.htm</link>"
        f'<guid isPermaLink="false">bench-{i}</guid>'
        f"<description>{escape(_html_body(rng, 3))}</description>"
        f"<dc:creator>Press Office</dc:creator><category>News</category>"
        f"<pubDate>Fri, {1 + i % 28:02d} Sep 2025 12:{i % 60:02d}:00 GMT</pubDate></item>"
    )


def _atom_entry(rng: random.Random, i: int) -> str:
    return (
        f'<entry><title type="html">{escape(_sentence(rng, 8))}</title>'
        f'<link href="https://atom.example.com/{i}"/><id>urn:bench:{i}</id>'
        f"<updated>2025-09-{1 + i % 28:02d}T12:00:00Z</updated>"
        f"<author><name>Writer {i % 5}</name></author>"
        f'<summary type="html">{escape(_html_body(rng, 1))}</summary>'
        f'<content type="html">{escape(_html_body(rng, 4))}</content></entry>'
    )


def _rdf_item(rng: random.Random, i: int) -> str:
    return (
        f'<item rdf:about="https://rdf.example.com/{i}"><title>{_sentence(rng, 7)}</title>'
        f"<link>https://rdf.example.com/{i}</link>"
        f"<description>{escape(_html_body(rng, 2))}</description>"
        f"<dc:date>2025-09-{1 + i % 28:02d}T12:00:00+02:00</dc:date>"
        f"<dc:subject>Topic {i % 7}</dc:subject></item>"
    )


def _json_item(rng: random.Random, i: int) -> str:
    item = {
        "id": str(i),
        "url": f"https://json.example.com/{i}",
        "title": _sentence(rng, 8),
        "content_html": _html_body(rng, 3),
        "date_published": f"2025-09-{1 + i % 28:02d}T12:00:00Z",
        "tags": ["bench"],
    }
    return json.dumps(item)


# name: (head, item maker, separator, tail, number of items)
FORMATS: dict[str, tuple[str, Callable[[random.Random, int], str], str, str, int]] = {
    "RSS 2.0": (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Bench News</title>'
        "<link>https://bench.example.com/</link><description>Benchmark feed</description>",
        _rss20_item,
        "",
        "</channel></rss>",
        50,
    ),
    "Atom 1.0": (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        '<title>Bench Atom</title><link href="https://atom.example.com/"/>'
        "<id>urn:bench</id><updated>2025-09-19T12:00:00Z</updated>",
        _atom_entry,
        "",
        "</feed>",
        30,
    ),
    "RDF": (
        '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        '<channel rdf:about="https://rdf.example.com/"><title>Bench RDF</title>'
        "<link>https://rdf.example.com/</link><description>RDF</description></channel>",
        _rdf_item,
        "",
        "</rdf:RDF>",
        40,
    ),
    "JSON Feed": (
        '{"version": "https://jsonfeed.org/version/1.1", "title": "Bench JSON", '
        '"home_page_url": "https://json.example.com/", "items": [',
        _json_item,
        ", ",
        "]}",
        40,
    ),
}


def document(name: str, items: list[str]) -> bytes:
    """Return a document of format `name` holding `items` (made by its item maker)."""
    head, _, separator, tail, _ = FORMATS[name]
    return (head + separator.join(items) + tail).encode("utf-8")


def corpus() -> dict[str, bytes]:
    """Return the benchmark documents by name (all items drawn from one generator)."""
    rng = random.Random(20250919)
    return {
        name: document(name, [make(rng, i) for i in range(count)])
        for name, (_, make, _, _, count) in FORMATS.items()
    }


def refetches(name: str, fetches: int) -> list[bytes]:
    """Return `fetches + 1` successive versions of a feed of format `name`: each has one new
    item at the top and drops its oldest; the other items are byte for byte the same as in the
    version before (each item is generated from its own seed)."""
    _, make, _, _, count = FORMATS[name]
    items = [make(random.Random(i), i) for i in range(count + fetches)]
    return [document(name, items[k : k + count][::-1]) for k in range(fetches + 1)]


def rate(function: Callable[[bytes], object], data: bytes, seconds: float) -> float:
    """Return how many times per second `function(data)` runs (best of three rounds)."""
    return rates({"": function}, data, seconds, rounds=3)[""]


def rates(
    functions: dict[str, Callable[[bytes], object]], data: bytes, seconds: float, rounds: int = 10
) -> dict[str, float]:
    """Return how many times per second each of `functions` runs on `data`: the best of
    `rounds` short rounds, with the functions taking turns in every round, so that load on a
    shared machine, which comes and goes, slows all of them alike and the best round of each is
    one with the machine to itself."""
    for function in functions.values():
        function(data)
    best = dict.fromkeys(functions, 0.0)
    for _ in range(rounds):
        for label, function in functions.items():
            count = 0
            start = time.perf_counter()
            deadline = start + seconds / rounds
            while True:
                function(data)
                count += 1
                now = time.perf_counter()
                if now >= deadline:
                    break
            best[label] = max(best[label], count / (now - start))
    return best


def warm_rate(name: str, seconds: float) -> tuple[float, float]:
    """Return (feeds per second, cache hit ratio) for tidings parsing successive fetches of one
    feed, each with one new item, with the fragment cache on (best of three rounds; each round
    starts from an empty cache and parses the first version untimed)."""
    fetches = max(50, int(seconds / 3 * rate(_cold, corpus()[name], 0.3)))
    versions = refetches(name, fetches)
    best = 0.0
    for _ in range(3):
        clear_cache()
        _tidings(versions[0])
        start = time.perf_counter()
        for data in versions[1:]:
            _tidings(data)
        best = max(best, fetches / (time.perf_counter() - start))
    info = cache_info()
    return best, info["hits"] / (info["hits"] + info["misses"])


ADDRESS = "https://bench.example.com/feed"  # where every parser is told the document came from


def _tidings(data: bytes) -> object:
    return parse_feed(data, ADDRESS)


def _told_the_address(parse: Callable[..., object]) -> Callable[[bytes], object]:
    """Return `parse` (feedparser's) called with the document's address, as tidings is: both
    then resolve relative URLs. Untold, feedparser skips that work (tidings does not)."""
    return lambda data: parse(data, response_headers={"content-location": ADDRESS})


def _cold(data: bytes) -> object:
    clear_cache()  # every fragment is cleaned from scratch
    return _tidings(data)


def fragments(data: bytes) -> list[tuple[str, str | None]]:
    """Return the HTML fragments (with their base URLs) that parse_feed cleans for `data`, as
    it hands them to clean_many."""
    seen: list[tuple[str, str | None]] = []
    entries: Any = importlib.import_module("tidings.parse.entries")  # where parse_feed calls it

    def spy(batch: list[tuple[str, str | None]], mode: str = "reader") -> list[str]:
        seen.extend(batch)
        return clean_many(batch, mode)

    entries.clean_many = spy
    try:
        _cold(data)
    finally:
        entries.clean_many = clean_many
    return seen


def cleaning_only(data: bytes) -> Callable[[bytes], object]:
    """Return a function that does only the cleaning a cold parse of `data` does: clean_many
    over the same fragments, cache cleared first (the bytes it is given are ignored)."""
    batch = fragments(data)

    def clean(_: bytes) -> object:
        clear_cache()
        return clean_many(batch)

    return clean


def contenders() -> dict[str, Callable[[bytes], object]]:
    """Return the parsers to compare, by name (those that are installed)."""
    found: dict[str, Callable[[bytes], object]] = {"tidings, cold": _cold}
    for module_name in ("feedparser", "fastfeedparser"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        # fastfeedparser resolves no relative URL (below): nothing to tell it.
        found[module_name] = (
            _told_the_address(module.parse) if module_name == "feedparser" else module.parse
        )
    return found


def reading_all(
    parsers: dict[str, Callable[[bytes], object]], data: bytes, expected: int
) -> tuple[dict[str, Callable[[bytes], object]], dict[str, int]]:
    """Return the parsers that read all `expected` entries of `data`, and how many entries
    each of the others read: a parser that gives up early (feedparser 6.0 reads no JSON Feed)
    is fast at failing, and its speed is no yardstick."""
    readers: dict[str, Callable[[bytes], object]] = {}
    failed: dict[str, int] = {}
    for label, parse in parsers.items():
        try:
            found = len(getattr(parse(data), "entries", ()))
        except Exception:  # a contender that raises reads nothing
            found = 0
        if found == expected:
            readers[label] = parse
        else:
            failed[label] = found
    return readers, failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.5, help="time per measurement")
    parser.add_argument("--profile", action="store_true", help="cProfile tidings on RSS 2.0")
    parser.add_argument("--warm", action="store_true", help="with --profile: successive fetches")
    args = parser.parse_args()
    documents = corpus()
    if args.profile:
        versions = refetches("RSS 2.0", 200) if args.warm else [documents["RSS 2.0"]] * 201
        _tidings(versions[0])
        profile = cProfile.Profile()
        profile.enable()
        for data in versions[1:]:
            (_tidings if args.warm else _cold)(data)
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
        return
    parsers = contenders()
    print("| feed | size | parser | feeds/s | MB/s | × feedparser | × bare lxml |")
    print("|---|---:|---|---:|---:|---:|---:|")
    hit_ratios = {}
    for name, data in documents.items():
        is_json = data.lstrip()[:1] == b"{"
        readers, failed = reading_all(parsers, data, FORMATS[name][4])
        measured = rates(
            {
                "bare": json.loads if is_json else etree.fromstring,
                **readers,
                "cleaning alone": cleaning_only(data),
            },
            data,
            args.seconds,
        )
        bare = measured.pop("bare")
        cleaning = measured.pop("cleaning alone")
        warm, hit_ratios[name] = warm_rate(name, args.seconds)
        measured = {
            "tidings, cold": measured.pop("tidings, cold"),
            "tidings, warm": warm,
            **measured,
        }
        reference = measured.get("feedparser")
        for label, value in measured.items():
            versus = f"{value / reference:.1f}" if reference else "n/a"
            print(
                f"| {name} | {len(data) / 1024:.0f} KB | {label} | {value:,.0f} | "
                f"{value * len(data) / 1e6:.1f} | {versus} | {bare / value:.1f}× slower |"
            )
        for label, found in failed.items():
            print(
                f"| {name} | {len(data) / 1024:.0f} KB | {label} | reads {found} of "
                f"{FORMATS[name][4]} entries: not compared | | | |"
            )
        print(
            f"| {name} | {len(data) / 1024:.0f} KB | its cleaning alone (clean_many, cold) | "
            f"{cleaning:,.0f} | | | {bare / cleaning:.1f}× slower |"
        )
        bare_label = "json.loads" if is_json else "lxml.etree.fromstring"
        print(
            f"| {name} | {len(data) / 1024:.0f} KB | {bare_label} | {bare:,.0f} | "
            f"{bare * len(data) / 1e6:.1f} | | 1.0 |"
        )
    print()
    print("cold: the fragment cache is cleared before every parse (each document is cleaned from")
    print("scratch); warm: successive fetches of one feed, each with one new item, cache on; hit")
    print("ratio: " + ", ".join(f"{name} {ratio:.0%}" for name, ratio in hit_ratios.items()))
    print("its cleaning alone: clean_many over the fragments a cold parse of the document cleans")
    print("(nh3, the fixed-point check, the cache), nothing else: a floor for a cold parse.")
    if "fastfeedparser" in parsers:
        print("fastfeedparser cleans no HTML and resolves no relative URL (a <script> or an")
        print("onclick in a description comes out as it went in): it does less than the others.")


if __name__ == "__main__":
    main()
