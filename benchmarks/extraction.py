"""Main-content extraction: trafilatura against readability-lxml on tests/data/articles/.

For every fixture page (NAME.html, with the expected main text in NAME.txt) each library extracts
the main content; the text of its output and the expected text are compared as multisets of
lower-cased word tokens: precision = shared / extracted, recall = shared / expected (micro-averaged
over all pages, and the worst page). Speed is the median time of one extraction over `--repeat`
runs of the whole set. `--tuning` compares trafilatura's options instead (tidings' call, then
with each option changed). Run:

    .venv/bin/pip install readability-lxml    # not a dependency: see below
    .venv/bin/python benchmarks/extraction.py [--tuning]

readability-lxml is installed by hand for the benchmark only: listed in the dev extra beside
trafilatura, pip's resolver fails on their two spellings of `lxml[html_clean]`.
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import trafilatura

from tidings.articles import TRAFILATURA_OPTIONS
from tidings.clean import clean_html, html_to_text

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "data" / "articles"
URL = "http://fakehost/test/page.html"
_WORD = re.compile(r"\w+")


def tokens(text: str) -> Counter[str]:
    """The page's words, lower-cased, with their counts."""
    return Counter(w.lower() for w in _WORD.findall(text))


def with_trafilatura(page: str, **changes: object) -> str:
    """trafilatura's main content as HTML, as tidings.articles asks for it (with `changes`)."""
    found = trafilatura.extract(page, url=URL, **(TRAFILATURA_OPTIONS | changes))
    return found or ""


def with_readability(page: str) -> str:
    """readability-lxml's main content as HTML."""
    import readability  # type: ignore[import-untyped]  # installed by hand (docstring)

    return str(readability.Document(page).summary(html_partial=True))


EXTRACTORS: dict[str, Callable[[str], str]] = {
    "trafilatura": with_trafilatura,
    "readability-lxml": with_readability,
}
# trafilatura's options that could change the result on article pages, each tried alone.
TUNINGS: dict[str, dict[str, object]] = {
    "favor_recall=False (its default)": {"favor_recall": False},
    "favor_precision=True": {"favor_recall": False, "favor_precision": True},
    "include_tables=False": {"include_tables": False},
    "fast=True": {"fast": True},
}


def _tuned(changes: dict[str, object]) -> Callable[[str], str]:
    return lambda page: with_trafilatura(page, **changes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--tuning", action="store_true", help="compare trafilatura's options")
    args = parser.parse_args()
    extractors = EXTRACTORS
    if args.tuning:
        extractors = {"trafilatura (tidings)": with_trafilatura} | {
            f"trafilatura {name}": _tuned(changes) for name, changes in TUNINGS.items()
        }
    pages = sorted(FIXTURES.glob("*.html"))
    print(f"{len(pages)} pages from tests/data/articles/")
    print("| library | precision | recall | worst P | worst R | ms/page (median) |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, extract in extractors.items():
        shared = extracted = expected = 0
        worst_p = worst_r = 1.0
        worst_pages: list[str] = []
        times: list[float] = []
        for path in pages:
            page = path.read_text(encoding="utf-8")
            want = tokens(path.with_suffix(".txt").read_text(encoding="utf-8"))
            got = tokens(html_to_text(clean_html(extract(page), base_url=URL)))
            both = sum((want & got).values())
            shared, extracted, expected = (
                shared + both,
                extracted + sum(got.values()),
                expected + sum(want.values()),
            )
            p = both / sum(got.values()) if got else 0.0
            r = both / sum(want.values())
            if min(p, r) < 0.9:
                worst_pages.append(f"{path.stem} P={p:.2f} R={r:.2f}")
            worst_p, worst_r = min(worst_p, p), min(worst_r, r)
        for _ in range(args.repeat):
            for path in pages:
                page = path.read_text(encoding="utf-8")
                start = time.perf_counter()
                extract(page)
                times.append(time.perf_counter() - start)
        print(
            f"| {name} | {shared / extracted:.3f} | {shared / expected:.3f} | {worst_p:.2f} "
            f"| {worst_r:.2f} | {statistics.median(times) * 1000:.1f} |"
        )
        for line in worst_pages:
            print(f"    below 0.9: {line}")


if __name__ == "__main__":
    main()
