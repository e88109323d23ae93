"""The visible text of cleaned HTML, which SQLite's search index reads (tidings.plaintext)."""

from __future__ import annotations

import time

import pytest

from tidings.clean import clean_html
from tidings.plaintext import html_text

CASES = [
    (None, None),
    ("", ""),
    ("   \n\t ", ""),
    ("plain words", "plain words"),
    ("  several \n  spaces\tand\r\nlines  ", "several spaces and lines"),
    ("<p>a</p><p>b</p>", "a b"),
    ("<p>one<br>two</p>", "one two"),
    ("<ul><li>x</li><li>y</li></ul>", "x y"),
    ("<table><tr><td>1</td><td>2</td></tr></table>", "1 2"),
    ("<h2>Title</h2><div>Body</div>", "Title Body"),
    # Inline tags join what they touch: a word split by markup stays one word.
    ("mem<strong>ory</strong> <em>safe</em>ty", "memory safety"),
    ("<p>a <b>nested <i>deep <u>tags</u></i></b> end</p>", "a nested deep tags end"),
    # Attributes are never text: links, image sources and alt, rel, loading.
    (
        '<p><a href="https://news.example.org/story/1" rel="noopener noreferrer">Read</a> on</p>',
        "Read on",
    ),
    (
        '<img src="https://cdn.example.org/i.jpg" alt="a photo" width="640" loading="lazy">Caption',
        "Caption",
    ),
    # A ">" inside a double-quoted value does not end the tag (html5ever leaves it unescaped).
    ('<img alt="a > b" src="x.png">after', "after"),
    ('<a title="x > y" href="/">link</a> text', "link text"),
    ('<a title="<b>" href="/">l</a>', "l"),
    ('<a title="<p x" href="/">link</a> text "q" more', 'link text "q" more'),
    # Entities are decoded once, after the tags are gone: markup in the text stays text.
    ("Tom &amp; Jerry", "Tom & Jerry"),
    ("&lt;script&gt;alert(1)&lt;/script&gt;", "<script>alert(1)</script>"),
    ("<p>&lt;b&gt;not bold&lt;/b&gt;</p>", "<b>not bold</b>"),
    ("&amp;lt;", "&lt;"),
    ("caf&eacute; &#233;t&#xe9; &quot;q&quot; &#39;s&#39;", "café été \"q\" 's'"),
    ("a&nbsp;b", "a b"),
    # Not cleaned HTML, still handled: a lone "<" is text, an upper-case tag is removed.
    ("1 < 2 and 3 > 2", "1 < 2 and 3 > 2"),
    ("<P>upper</P>case", "uppercase"),
    ("<p>unclosed <a href='x", "unclosed <a href='x"),
]


@pytest.mark.parametrize(("fragment", "text"), CASES)
def test_html_text(fragment: str | None, text: str | None) -> None:
    assert html_text(fragment) == text


def test_cleaned_html_gives_what_a_reader_sees() -> None:
    raw = (
        '<p class="lead"><img src="https://cdn.example.org/1.jpg" alt="x > y">Harbour news: '
        '<a href="https://e.org/s?a=1&b=2">council &amp; budget</a> <script>track()</script>'
        "<em>today</em></p><p>Next</p>"
    )
    cleaned = clean_html(raw, "https://e.org/")
    assert "noopener" in cleaned and "lazy" in cleaned  # what nh3 adds, and must not be text
    assert html_text(cleaned) == "Harbour news: council & budget today Next"


@pytest.mark.timed
def test_a_tag_never_closed_costs_linear_time() -> None:
    # Possessive patterns: no backtracking blow-up on input that is not cleaned HTML.
    hostile = '<a b="' + '" '.join(["x"] * 20_000)
    started = time.perf_counter()
    assert html_text(hostile) is not None
    assert time.perf_counter() - started < 1.0
