"""Scraper rules: CSS selectors naming the elements of a feed's pages that are its article.

As Miniflux's `scraper_rules`: one selector list (comma-separated selectors), and the article is
every matched element, in the page's order. `check_scraper_rules` is what a front end calls on what
a reader typed (cheap: it only translates the selectors); `scrape` runs in a parse process
(tidings.articles.extract_article), which bounds it in time.
"""

from __future__ import annotations

from tidings.errors import InvalidInput

# Longer rules are refused: real ones are a few selectors ("article .body, .post-content"); the
# bound keeps a stored setting, and its translation into XPath, small.
MAX_SCRAPER_RULES = 500


def check_scraper_rules(text: str) -> str | None:
    """The rules as stored (trimmed; None for none), or InvalidInput with a sentence."""
    rules = text.strip()
    if not rules:
        return None
    if len(rules) > MAX_SCRAPER_RULES:
        raise InvalidInput(
            f"Scraper rules can be at most {MAX_SCRAPER_RULES} characters long "
            f"(these are {len(rules)})."
        )
    if any(ord(c) < 32 for c in rules):
        raise InvalidInput("Scraper rules cannot hold control characters or line breaks.")
    from cssselect import HTMLTranslator, SelectorError

    try:
        HTMLTranslator().css_to_xpath(rules)
    except SelectorError as exc:
        raise InvalidInput(f"The scraper rules are not valid CSS selectors ({exc}).") from None
    return rules


def scrape(page: str, rules: str) -> str:
    """The HTML of the page's elements that `rules` match, in the page's order; "" when none.

    An element inside another matched one is not repeated: it is already in its ancestor's HTML.
    The rules must have passed check_scraper_rules (an invalid one raises cssselect's error)."""
    import lxml.html
    from cssselect import HTMLTranslator

    if not page.strip():
        return ""
    try:
        root = lxml.html.document_fromstring(page)
    except Exception:  # lxml's ParserError for a page with no element at all
        return ""
    # lxml gives an XPath union in document order.
    matched = root.xpath(HTMLTranslator().css_to_xpath(rules))
    chosen = set()
    parts = []
    for element in matched:
        if not isinstance(element, lxml.html.HtmlElement):
            continue
        if any(ancestor in chosen for ancestor in element.iterancestors()):
            continue
        chosen.add(element)
        parts.append(lxml.html.tostring(element, encoding="unicode", with_tail=False))
    return "\n".join(parts)
