"""Scraper rules (tidings.scraper): what is accepted, and what they select from a page,
through extract_article (the parse process's function) so the allowlist is applied too."""

from __future__ import annotations

import pytest

from tidings.articles import extract_article
from tidings.errors import InvalidInput
from tidings.scraper import MAX_SCRAPER_RULES, check_scraper_rules, scrape

PAGE = """<html><head><title>t</title></head><body>
<nav><a href="/">Home</a></nav>
<div class="ad">Buy owls</div>
<article><h1>Owls</h1><div class="body"><p onclick="x()">Owls hunt by sound.</p>
<p>They fly <a href="/silent">silently</a>.</p></div></article>
<aside class="related">Related: bats</aside>
<div class="comments"><p>First!</p></div>
</body></html>"""


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("article", "article"),
        ("  .body , .comments  ", ".body , .comments"),
        ("div.body > p:first-child", "div.body > p:first-child"),
        ("li:nth-child(2n+1)", "li:nth-child(2n+1)"),
        ("", None),
        ("   ", None),
    ],
)
def test_good_rules_are_stored_trimmed(typed: str, stored: str | None) -> None:
    assert check_scraper_rules(typed) == stored


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("a[", "not valid CSS selectors"),
        ("div >", "not valid CSS selectors"),
        ("p::before", "not valid CSS selectors"),
        (",", "not valid CSS selectors"),
        ("p\nq", "line breaks"),
        ("p" * (MAX_SCRAPER_RULES + 1), f"at most {MAX_SCRAPER_RULES} characters"),
    ],
)
def test_bad_rules_are_refused_with_a_sentence(typed: str, says: str) -> None:
    with pytest.raises(InvalidInput, match=says) as refused:
        check_scraper_rules(typed)
    assert str(refused.value).endswith(".")


@pytest.mark.parametrize(
    ("rules", "present", "absent"),
    [
        (".body", ["Owls hunt", "silently"], ["<h1>", "Buy owls", "bats", "First!"]),
        ("article", ["<h1>Owls</h1>", "Owls hunt"], ["Buy owls", "bats"]),
        (".body, .comments", ["Owls hunt", "First!"], ["Buy owls", "bats", "<h1>"]),
        ("#missing", [], ["Owls"]),
    ],
)
def test_rules_select_the_matched_elements(
    rules: str, present: list[str], absent: list[str]
) -> None:
    out = extract_article(PAGE.encode(), "http://fakehost/a/page", "text/html", rules)
    for text in present:
        assert text in out
    for text in absent:
        assert text not in out
    if not present:
        assert out == ""


def test_matches_are_cleaned_by_the_feed_allowlist_with_links_made_absolute() -> None:
    out = extract_article(PAGE.encode(), "http://fakehost/a/page", None, ".body")
    assert "onclick" not in out
    assert 'href="http://fakehost/silent"' in out


def test_an_element_inside_another_match_is_not_repeated() -> None:
    out = scrape(PAGE, "article, .body, p")
    assert out.count("Owls hunt by sound") == 1
    assert out.startswith("<article>")


def test_matches_come_in_the_pages_order() -> None:
    out = scrape(PAGE, ".comments, h1")
    assert out.index("Owls") < out.index("First!")


@pytest.mark.parametrize("page", ["", "   ", "just text"])
def test_a_page_without_elements_matches_nothing(page: str) -> None:
    assert scrape(page, "article") == ""
