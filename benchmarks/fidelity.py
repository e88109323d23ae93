"""Parse every feed of the real-world corpus (tests/data/corpus) with tidings and feedparser,
compare what a reader sees, and classify every disagreement.

    .venv/bin/python benchmarks/fidelity.py [--details] [--speed SECONDS] [--sizes]

Compared: the feed's title and link; the entry count; each entry's id, link, title, published
and updated dates, author, whether it has a summary or content, and its enclosure URLs. Entries
are paired in document order. A disagreement is classified by `classify` (pure rules, below) as
one of the VERDICTS; one no rule explains is "unexplained" and listed with --details, so that
it is looked at by a person and either fixed in the parser or given a rule with its reason.

feedparser is a dev dependency (pyproject.toml, `pip install -e '.[dev]'`). With --speed, the
corpus is also parsed end to end by both, cold (tidings' fragment cache cleared before every
document), best of five rounds, and a throughput table is printed. Both parsers are told the
documents' address (`BASE`), in the speed table as in the comparison: the calls timed are those
whose results are compared. With --sizes, each document is timed on its own (the best of seven
cold parses by each parser, each reading the whole corpus in its turn) and the medians are
printed by document size: where a fixed cost per document would show.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import feedparser

from tidings.clean import clear_cache, html_to_text
from tidings.model import ParsedEntry, ParsedFeed
from tidings.parse import FeedParseError, parse_feed

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "corpus"
BASE = "https://corpus.example/feed"  # where the documents are said to come from

TIDINGS_RIGHT = "tidings right"
FEEDPARSER_RIGHT = "feedparser right"
BOTH = "both acceptable"
DELIBERATE = "deliberate"
UNEXPLAINED = "unexplained"
VERDICTS = (TIDINGS_RIGHT, FEEDPARSER_RIGHT, BOTH, DELIBERATE, UNEXPLAINED)


@dataclass(frozen=True, slots=True)
class Disagreement:
    """One field on which the two parsers differ for one feed (entry None) or entry."""

    file: str
    entry: int | None
    field: str
    tidings: object
    feedparser: object


@dataclass(frozen=True, slots=True)
class Verdict:
    """Who is right about a disagreement, and why."""

    verdict: str
    reason: str


def corpus_files() -> list[Path]:
    """Return the corpus documents (every file the manifest lists), sorted by name."""
    with (CORPUS / "MANIFEST.tsv").open(encoding="utf-8") as manifest:
        names = [row["file"] for row in csv.DictReader(manifest, delimiter="\t")]
    return sorted(CORPUS / name for name in names)


# --- what each parser says, as comparable values ----------------------------------------------


def _text(value: str | None) -> str:
    return " ".join(html_to_text(value or "").split())


def _plain(value: str | None) -> str:
    # tidings' titles and authors are plain text already: "<hr/>" in one is text, not a tag
    return " ".join((value or "").split())


def _stamp(value: datetime | None) -> str | None:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def _fp_stamp(value: Any) -> str | None:
    if not value:
        return None
    return _stamp(datetime.fromtimestamp(calendar.timegm(value), UTC))


def _fp_link(value: str | None) -> str | None:
    return urljoin(BASE, value) if value else None


def tidings_view(feed: ParsedFeed) -> tuple[dict[str, object], list[dict[str, object]]]:
    """Return the compared fields of a tidings feed and of each of its entries."""
    head: dict[str, object] = {"title": _plain(feed.title), "link": feed.link}
    return head, [_tidings_entry(entry) for entry in feed.entries]


def _tidings_entry(entry: ParsedEntry) -> dict[str, object]:
    return {
        "id": entry.id,
        "link": entry.link,
        "title": _plain(entry.title),
        "published": _stamp(entry.published),
        "updated": _stamp(entry.updated),
        "author": _plain(entry.author) or None,
        "has text": bool(_text(entry.summary) or _text(entry.content)),
        "enclosures": tuple(sorted(e.url for e in entry.enclosures)),
    }


def feedparser_view(result: Any) -> tuple[dict[str, object], list[dict[str, object]]]:
    """Return the compared fields of a feedparser result and of each of its entries."""
    head: dict[str, object] = {
        "title": _text(result.feed.get("title")),
        "link": _fp_link(result.feed.get("link")),
    }
    return head, [_feedparser_entry(entry) for entry in result.entries]


def _feedparser_entry(entry: Any) -> dict[str, object]:
    texts = [entry.get("summary", "")] + [c.get("value", "") for c in entry.get("content", [])]
    enclosures = {
        urljoin(BASE, link["href"])
        for link in entry.get("links", [])
        if link.get("rel") == "enclosure" and link.get("href")
    }
    return {
        "id": entry.get("id") or None,
        "link": _fp_link(entry.get("link")),
        "title": _text(entry.get("title")),
        "published": _fp_stamp(entry.get("published_parsed")),
        # dict.get: FeedParserDict.get("updated_parsed") falls back to the published date
        "updated": _fp_stamp(dict.get(entry, "updated_parsed")),
        "author": _text(entry.get("author")) or None,
        "has text": any(_text(t) for t in texts),
        "enclosures": tuple(sorted(enclosures)),
    }


def compare(name: str, data: bytes) -> list[Disagreement]:
    """Return where tidings and feedparser disagree on the document `data` (file `name`)."""
    try:
        ours = tidings_view(parse_feed(data, BASE))
    except FeedParseError as error:
        return [Disagreement(name, None, "parsed", f"refused: {error}", "read")]
    theirs = feedparser_view(_feedparser(data))
    if data.lstrip()[:1] == b"{" and not theirs[1]:  # feedparser 6 reads no JSON Feed at all
        return [Disagreement(name, None, "parsed", "read", "JSON Feed not read")]
    found = [
        Disagreement(name, None, field, ours[0][field], theirs[0][field])
        for field in ours[0]
        if ours[0][field] != theirs[0][field]
    ]
    if len(ours[1]) != len(theirs[1]):
        found.append(Disagreement(name, None, "entries", len(ours[1]), len(theirs[1])))
    for index, (mine, other) in enumerate(zip(ours[1], theirs[1], strict=False)):
        if (
            mine["published"] is not None
            and mine["updated"] is None
            and other["published"] is None
            and other["updated"] == mine["published"]
        ):  # one date, filed under different names: compared as one field
            found.append(Disagreement(name, index, "date filed as", "published", "updated"))
            mine = {**mine, "updated": None, "published": None}
            other = {**other, "updated": None, "published": None}
        found.extend(
            Disagreement(name, index, field, mine[field], other[field])
            for field in mine
            if mine[field] != other[field]
        )
    return found


# --- who is right: rules, first match wins ----------------------------------------------------

Rule = tuple[str, Callable[[Disagreement], bool], Verdict]


def _none_vs_some(d: Disagreement) -> bool:
    return d.tidings is not None and d.feedparser is None


# windows-1252's characters for the bytes 0x80-0x9F it defines (feedparser maps C1 controls so)
_CP1252 = {
    code: bytes([code]).decode("cp1252")
    for code in range(0x80, 0xA0)
    if code not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}


def _utf8_read_as_latin1(d: Disagreement) -> bool:
    """True when feedparser's text is tidings' read from UTF-8 bytes as Latin-1 (mojibake)."""
    if not isinstance(d.tidings, str) or not isinstance(d.feedparser, str) or d.tidings.isascii():
        return False
    # feedparser strips the decoded text (str.strip takes U+0085 for space) before mapping C1
    misread = d.tidings.encode("utf-8").decode("latin-1").strip().translate(_CP1252)
    return _text(misread) == d.feedparser


RULES: list[Rule] = [
    (
        "id",
        lambda d: d.feedparser is None,
        Verdict(
            DELIBERATE,
            "the entry has no id: tidings derives a stable one (link, title, "
            "date, enclosure), feedparser gives none",
        ),
    ),
    (
        "id",
        lambda d: isinstance(d.tidings, str) and d.tidings.startswith("sha256:"),
        Verdict(
            DELIBERATE,
            "an id shared by different entries of one document: tidings keeps "
            "each, with an id derived from its content, so none is lost",
        ),
    ),
    (
        "id",
        lambda d: isinstance(d.tidings, str) and d.feedparser == urljoin(BASE, d.tidings),
        Verdict(
            TIDINGS_RIGHT,
            'feedparser resolves a relative id ("entry1") against the document\'s address; '
            "an id is a name, not an address, and tidings keeps it as written",
        ),
    ),
    (
        "link",
        lambda d: (
            d.tidings is None
            and isinstance(d.feedparser, str)
            and d.feedparser.startswith(urljoin(BASE, "/"))
        ),
        Verdict(
            TIDINGS_RIGHT,
            "feedparser makes a link of a relative id resolved against the document's address",
        ),
    ),
    (
        "date filed as",
        lambda d: True,
        Verdict(
            BOTH,
            "the entry's one date (RSS 1.0/Dublin Core dc:date): tidings files it as published, "
            "feedparser as updated",
        ),
    ),
    (
        "published",
        _none_vs_some,
        Verdict(TIDINGS_RIGHT, "a date form feedparser cannot read"),
    ),
    (
        "updated",
        _none_vs_some,
        Verdict(TIDINGS_RIGHT, "a date form feedparser cannot read"),
    ),
    (
        "link",
        lambda d: d.tidings is not None and d.feedparser is None,
        Verdict(
            TIDINGS_RIGHT,
            "a permalink guid or an alternate link feedparser does not take as the link",
        ),
    ),
    (
        "link",
        lambda d: (
            d.tidings is None
            and isinstance(d.feedparser, str)
            and not d.feedparser.startswith(("http:", "https:"))
        ),
        Verdict(
            TIDINGS_RIGHT,
            "feedparser takes a link that is no web address (tag:, urn:, "
            "or an entry's id) as the link; tidings keeps http(s) links only",
        ),
    ),
    (
        "enclosures",
        lambda d: (
            isinstance(d.tidings, tuple)
            and isinstance(d.feedparser, tuple)
            and set(d.feedparser) - set(d.tidings) == {BASE}
        ),
        Verdict(
            TIDINGS_RIGHT,
            "an enclosure with an empty URL: feedparser resolves it to the feed's own address, "
            "tidings drops it",
        ),
    ),
    (
        "enclosures",
        lambda d: (
            isinstance(d.tidings, tuple)
            and isinstance(d.feedparser, tuple)
            and set(d.feedparser) < set(d.tidings)
        ),
        Verdict(
            DELIBERATE,
            "media:content (also inside media:group) is an enclosure, a file a reader can play "
            'or show; feedparser lists only `<enclosure>` and Atom `rel="enclosure"` links',
        ),
    ),
    (
        "title",
        lambda d: (
            isinstance(d.tidings, str) and d.tidings != "" and _text(d.tidings) == d.feedparser
        ),
        Verdict(
            TIDINGS_RIGHT,
            'an Atom `type="text"` title is text: a `<p>` in it (or GitHub\'s `Atomic<T>`) is '
            "shown as written; feedparser reads it as markup and drops it",
        ),
    ),
    (
        "title",
        _utf8_read_as_latin1,
        Verdict(
            TIDINGS_RIGHT,
            "a document without an encoding declaration is UTF-8 (XML 1.0 4.3.3); given an HTTP "
            "response without a Content-Type, feedparser reads it as ISO-8859-1 (RFC 3023's "
            "text/xml default) and its re-reading of Latin-1 fields as UTF-8 mends most, not all",
        ),
    ),
    (
        "title",
        lambda d: d.tidings == "" and d.feedparser != "",
        Verdict(FEEDPARSER_RIGHT, "tidings lost a title"),
    ),
    (
        "author",
        lambda d: (
            isinstance(d.feedparser, str)
            and isinstance(d.tidings, str)
            and d.tidings in d.feedparser
        ),
        Verdict(
            TIDINGS_RIGHT,
            'feedparser keeps the email with the name (RSS 2.0\'s "a@b (Name)", or an Atom '
            "author's email in brackets); tidings gives the name",
        ),
    ),
    (
        "author",
        lambda d: d.tidings is not None and d.feedparser is None,
        Verdict(
            TIDINGS_RIGHT,
            "the feed's author inherited by its entries (RFC 4287 4.2.1), or itunes:author",
        ),
    ),
    (
        "has text",
        lambda d: d.tidings is False,
        Verdict(FEEDPARSER_RIGHT, "tidings lost an entry's text"),
    ),
    (
        "parsed",
        lambda d: d.feedparser == "JSON Feed not read",
        Verdict(TIDINGS_RIGHT, "a JSON Feed: feedparser 6 reads none"),
    ),
    (
        "parsed",
        lambda d: True,
        Verdict(FEEDPARSER_RIGHT, "tidings refused a document feedparser reads"),
    ),
]

# Verdicts given by a person to one file's field, for what no general rule decides.
BY_FILE: dict[tuple[str, str], Verdict] = {
    ("rsatom-content_text_other.xml", "has text"): Verdict(
        DELIBERATE,
        "Atom content of a non-text media type (`application/octet-stream`, base64) is a file, "
        "not text: tidings shows none, feedparser decodes the bytes and shows them as text",
    ),
    ("rsatom-entry.xml", "author"): Verdict(
        BOTH,
        "an entry with two Atom `<author>`s: tidings names the first, feedparser the last (both "
        "are in its authors list); ParsedEntry has one author field",
    ),
    ("rsatom-entry_with_non_standard_dates.xml", "author"): Verdict(
        BOTH,
        "an entry with two Atom `<author>`s: tidings names the first, feedparser the last (both "
        "are in its authors list); ParsedEntry has one author field",
    ),
    ("rssp-atom-link-alternate-href.xml", "link"): Verdict(
        TIDINGS_RIGHT,
        "an Atom enclosure link with its URL written as its text, not in href: feedparser makes "
        'it the entry\'s link, though the entry has a rel="alternate" link to its page',
    ),
    ("rssp-feed-test-xsl.xml", "published"): Verdict(
        TIDINGS_RIGHT,
        'Sky Sports\' "BST" dates (an en-gb feed: British Summer Time, UTC+1): feedparser does not '
        "know the zone and reads the times as UTC, an hour late",
    ),
    ("rssparser-craigslist.rss", "updated"): Verdict(
        BOTH,
        "Craigslist writes each item's one date twice, as dc:date and dcterms:issued (the same "
        "instant): both take it as published; feedparser also files dc:date as updated, tidings "
        "leaves updated empty (an update equal to the publication says nothing more)",
    ),
    ("fprs-entry_author_dc_creator.xml", "author"): Verdict(
        BOTH,
        "an item with both `<author>` and `dc:creator` names two people: tidings takes `<author>`, "
        "feedparser the last one written",
    ),
}


def classify(d: Disagreement) -> Verdict:
    """Return the verdict on a disagreement: a person's for that file and field, else the first
    rule for its field that matches, else UNEXPLAINED."""
    if (d.file, d.field) in BY_FILE:
        return BY_FILE[(d.file, d.field)]
    for field, test, verdict in RULES:
        if field == d.field and test(d):
            return verdict
    return Verdict(UNEXPLAINED, "")


# --- speed ------------------------------------------------------------------------------------


def _feedparser(data: bytes) -> object:
    """Parse `data` with feedparser told where it came from, as tidings is (`BASE`): both then
    resolve the documents' relative URLs. Given no address, feedparser leaves them as written
    and takes about an eighth less time on the corpus (tidings the same with or without one)."""
    return feedparser.parse(data, response_headers={"content-location": BASE})


def _feedparser_without_address(data: bytes) -> object:
    """feedparser as the speed table timed it before the twenty-first session: not told the
    address, so not resolving relative URLs, while tidings was told and resolved them."""
    return feedparser.parse(data)


def _tidings_cold(data: bytes) -> object:
    """Parse `data` with tidings, its fragment cache cleared first (a document never seen)."""
    clear_cache()
    try:
        return parse_feed(data, BASE)
    except FeedParseError:
        return None


def speed(documents: dict[str, bytes], seconds: float) -> dict[str, float]:
    """Return documents per second for tidings (cold) and feedparser over the whole corpus, the
    best of five rounds with the parsers taking turns; feedparser both as compared (told the
    documents' address) and without the address, as earlier sessions timed it."""

    parsers: dict[str, Callable[[bytes], object]] = {"tidings, cold": _tidings_cold}
    parsers["feedparser"] = _feedparser
    parsers["feedparser, not told the address"] = _feedparser_without_address
    best = dict.fromkeys(parsers, 0.0)
    rounds = 5
    for _ in range(rounds):
        for label, parse in parsers.items():
            start = time.perf_counter()
            count = 0
            while time.perf_counter() - start < seconds / rounds or count == 0:
                for data in documents.values():
                    parse(data)
                count += len(documents)
            best[label] = max(best[label], count / (time.perf_counter() - start))
    return best


SIZE_CLASSES = ((0, 1024, "under 1 KB"), (1024, 2048, "1-2 KB"), (2048, 1 << 62, "over 2 KB"))


def per_document(documents: dict[str, bytes], runs: int = 7) -> dict[str, tuple[float, float]]:
    """Return each document's best time in seconds (tidings cold, feedparser) over `runs`
    rounds. As in `speed`, each parser reads the whole corpus in its turn: interleaving the two
    document by document would time each with the other's code and data in the CPU caches."""
    parsers: tuple[Callable[[bytes], object], ...] = (_tidings_cold, _feedparser)
    best = {name: [float("inf")] * len(parsers) for name in documents}
    for _ in range(runs):
        for index, parse in enumerate(parsers):
            for name, data in documents.items():
                start = time.perf_counter()
                parse(data)
                best[name][index] = min(best[name][index], time.perf_counter() - start)
    return {name: (ours, theirs) for name, (ours, theirs) in best.items()}


def print_sizes(documents: dict[str, bytes]) -> None:
    """Print the median time per document of each parser by size class, and the ratio of the
    sums (what a run over the class would take)."""
    times = per_document(documents)
    print("\n| document size | documents | tidings cold, median | feedparser, median | × (sums) |")
    print("|---|---:|---:|---:|---:|")
    for low, high, label in (*SIZE_CLASSES, (0, 1 << 62, "all")):
        chosen = [times[name] for name, data in documents.items() if low <= len(data) < high]
        ours = sorted(t for t, _ in chosen)
        theirs = sorted(t for _, t in chosen)
        ratio = sum(theirs) / sum(ours)
        print(
            f"| {label} | {len(chosen)} | {ours[len(ours) // 2] * 1e6:,.0f} µs | "
            f"{theirs[len(theirs) // 2] * 1e6:,.0f} µs | {ratio:.1f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--details", action="store_true", help="list every disagreement")
    parser.add_argument("--speed", type=float, default=0.0, help="seconds for the speed table")
    parser.add_argument("--sizes", action="store_true", help="time each document, by size")
    args = parser.parse_args()
    documents = {path.name: path.read_bytes() for path in corpus_files()}
    counts: Counter[tuple[str, str]] = Counter()
    reasons: Counter[tuple[str, str, str]] = Counter()
    for name, data in documents.items():
        for d in compare(name, data):
            verdict = classify(d)
            counts[(d.field, verdict.verdict)] += 1
            reasons[(verdict.verdict, d.field, verdict.reason)] += 1
            if args.details and verdict.verdict in (UNEXPLAINED, FEEDPARSER_RIGHT):
                print(
                    f"{verdict.verdict}: {d.file} #{d.entry} {d.field}: "
                    f"tidings={d.tidings!r} feedparser={d.feedparser!r}"
                )
    size = sum(len(data) for data in documents.values())
    print(f"{len(documents)} documents, {size / 1e6:.2f} MB\n")
    print("| field | " + " | ".join(VERDICTS) + " |")
    print("|---|" + "---:|" * len(VERDICTS))
    for field in sorted({field for field, _ in counts}):
        row = " | ".join(str(counts[(field, verdict)]) for verdict in VERDICTS)
        print(f"| {field} | {row} |")
    total = " | ".join(
        str(sum(n for (_, v), n in counts.items() if v == verdict)) for verdict in VERDICTS
    )
    print(f"| **all** | {total} |\n")
    print("| verdict | field | count | reason |")
    print("|---|---|---:|---|")
    for (verdict, field, reason), count in sorted(reasons.items()):
        print(f"| {verdict} | {field} | {count} | {reason} |")
    # feedparser 6 reads no JSON Feed: failing fast is no yardstick, so XML documents only
    xml = {name: data for name, data in documents.items() if data.lstrip()[:1] != b"{"}
    if args.speed:
        size = sum(len(data) for data in xml.values())
        print(f"\nspeed over the {len(xml)} XML documents ({size / 1e6:.2f} MB):")
        rates = speed(xml, args.speed)
        unaddressed = rates["feedparser, not told the address"]
        print("\n| parser | documents/s | MB/s | × feedparser | × feedparser, no address |")
        print("|---|---:|---:|---:|---:|")
        for label, rate in rates.items():
            print(
                f"| {label} | {rate:,.0f} | {rate * size / len(xml) / 1e6:.1f} | "
                f"{rate / rates['feedparser']:.1f} | {rate / unaddressed:.1f} |"
            )
    if args.sizes:
        print_sizes(xml)


if __name__ == "__main__":
    main()
