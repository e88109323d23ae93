"""Main-content extraction (tidings.articles.extract_article) on the saved article pages of
tests/data/articles/ (README there): each page's extracted text against its expected main text."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from tidings.articles import MAX_PAGE_BYTES, extract_article
from tidings.clean import html_to_text

FIXTURES = Path(__file__).resolve().parent.parent / "data" / "articles"
PAGES = sorted(FIXTURES.glob("*.html"))

# The floor of precision and of recall on every page (the goal of 0.9 is met summed over
# the set, and by 24 of its 33 pages; see docs/articles.md). Below it, an extraction has lost or
# gained a paragraph's worth of text, which a regression in tidings' call or in trafilatura does.
PAGE_FLOOR = 0.8
# Pages trafilatura is known to do worse on, with their own floor (about 0.05 under the measured
# value, so that a further loss still fails) and why.
KNOWN_HARD = {
    # a 1990s layout table: the story, the site's sidebars and menus are cells of one table and
    # trafilatura keeps all of it (P 0.28)
    "readability-hukumusume": (0.2, PAGE_FLOOR),
    # "You Might Also Like", slide shows and "Related Videos" after the article are kept (P 0.73)
    "readability-salon-1": (0.65, PAGE_FLOOR),
    # "Other Opinion Columns" teasers after the column are kept (P 0.81)
    "readability-herald-sun-1": (0.75, PAGE_FLOOR),
    # a short news item (5 paragraphs): the "related stories" links that end its body field and the
    # donation box after it (PromptPay, PayPal, follow-us links) are kept (P 0.78)
    "drupal-prachatai": (0.73, PAGE_FLOOR),
}
# Summed over the set (measured: precision 0.971, recall 0.983).
SET_FLOOR = 0.95


def _tokens(text: str) -> Counter[str]:
    return Counter(w.lower() for w in re.findall(r"\w+", text))


@pytest.fixture(scope="module")
def scores() -> dict[str, tuple[int, int, int]]:
    """Per page: (words shared with the expected text, words extracted, words expected)."""
    found = {}
    for page in PAGES:
        got = _tokens(html_to_text(extract_article(page.read_bytes(), "http://fakehost/a/page")))
        want = _tokens(page.with_suffix(".txt").read_text(encoding="utf-8"))
        found[page.stem] = (sum((got & want).values()), sum(got.values()), sum(want.values()))
    return found


def test_the_set_is_large_and_varied() -> None:
    assert len(PAGES) >= 32
    assert all(page.with_suffix(".txt").is_file() for page in PAGES)


@pytest.mark.parametrize("page", [p.stem for p in PAGES])
def test_extracted_text_matches_the_expected_main_text(
    page: str, scores: dict[str, tuple[int, int, int]]
) -> None:
    shared, extracted, expected = scores[page]
    precision_floor, recall_floor = KNOWN_HARD.get(page, (PAGE_FLOOR, PAGE_FLOOR))
    assert extracted, "nothing extracted"
    assert shared / extracted >= precision_floor, f"precision {shared / extracted:.2f}"
    assert shared / expected >= recall_floor, f"recall {shared / expected:.2f}"


def test_precision_and_recall_over_the_set(scores: dict[str, tuple[int, int, int]]) -> None:
    shared, extracted, expected = (sum(column) for column in zip(*scores.values(), strict=True))
    assert shared / extracted >= SET_FLOOR, f"precision {shared / extracted:.3f}"
    assert shared / expected >= SET_FLOOR, f"recall {shared / expected:.3f}"


def test_output_is_cleaned_by_the_feed_allowlist() -> None:
    body = (
        b"<html><body><article>"
        + b"<p onclick='x()'>Owls hunt at night by sound alone, even under deep snow.</p>" * 6
        + b"<p>Read <a href='javascript:alert(1)'>the notes</a> and <a href='/ok'>the full"
        b" survey of owls</a> for the long story of their hunting.</p></article></body>"
    )
    out = extract_article(body, "http://fakehost/a/page")
    assert "Owls hunt" in out
    assert "onclick" not in out and "javascript:" not in out
    assert 'href="http://fakehost/ok"' in out


def test_pages_past_the_size_limit_are_not_parsed() -> None:
    huge = b"<html><body><p>" + b"word " * (MAX_PAGE_BYTES // 5 + 1) + b"</p></body></html>"
    assert extract_article(huge, "http://fakehost/") == ""


def test_charset_from_the_content_type_is_used() -> None:
    text = "Café crème et éclairs au chocolat, servis chaque matin dans la vieille ville. " * 5
    body = f"<html><body><article><p>{text}</p></article></body></html>".encode("latin-1")
    out = extract_article(body, "http://fakehost/", "text/html; charset=ISO-8859-1")
    assert "Café crème" in out
