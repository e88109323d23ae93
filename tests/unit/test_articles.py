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


def _tokens(text: str) -> Counter[str]:
    return Counter(w.lower() for w in re.findall(r"\w+", text))


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_extracted_text_matches_the_expected_main_text(page: Path) -> None:
    got = _tokens(html_to_text(extract_article(page.read_bytes(), "http://fakehost/a/page")))
    want = _tokens(page.with_suffix(".txt").read_text(encoding="utf-8"))
    shared = sum((got & want).values())
    assert shared / sum(got.values()) >= 0.9, "precision"
    assert shared / sum(want.values()) >= 0.9, "recall"


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
