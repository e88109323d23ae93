"""clean_html and html_to_text: allowlists, URL handling, idempotence, hostile input."""

from __future__ import annotations

import nh3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from parsecases import HOSTILE, assert_inert

from tidings.clean import READER_TAGS, STRICT_TAGS, clean_html, escape_text, html_to_text

BASE = "https://example.org/blog/post/"


@pytest.mark.parametrize(
    ("html", "mode", "expected"),
    [
        ("plain text", "reader", "plain text"),
        ("a > b", "reader", "a &gt; b"),
        ("<p>Hi <b>there</b></p>", "reader", "<p>Hi <b>there</b></p>"),
        ("<h2>Title</h2><table><tr><td>1</td></tr></table>", "reader",
         "<h2>Title</h2><table><tbody><tr><td>1</td></tr></tbody></table>"),
        ('<a href="/x">x</a>', "reader",
         '<a href="https://example.org/x" rel="noopener noreferrer">x</a>'),
        ('<a href="y" rel="nofollow" target="_blank">y</a>', "reader",
         '<a href="https://example.org/blog/post/y" rel="noopener noreferrer">y</a>'),
        ('<img src="i.png" alt="I" onerror="x()">', "reader",
         '<img src="https://example.org/blog/post/i.png" alt="I" loading="lazy">'),
        ('<img src="//cdn.example.net/i.png">', "reader",
         '<img src="https://cdn.example.net/i.png" loading="lazy">'),
        ('<p class="c" style="color:red" id="i">x</p>', "reader", "<p>x</p>"),
        ("<div><span>x</span></div>", "reader", "<div><span>x</span></div>"),
        ("<h2>Title</h2><p>x</p>", "strict", "Title<p>x</p>"),
        ('<img src="i.png">text', "strict", "text"),
        ('<a href="/x" title="t">x</a>', "strict",
         '<a href="https://example.org/x" title="t" rel="noopener noreferrer">x</a>'),
        ('<video src="v.mp4" controls autoplay></video>', "reader",
         '<video src="https://example.org/blog/post/v.mp4" controls=""></video>'),
        ("<!-- a comment --><p>x</p>", "reader", "<p>x</p>"),
    ],
)  # fmt: skip
def test_clean_html(html: str, mode: str, expected: str) -> None:
    assert clean_html(html, BASE, mode) == expected


def test_relative_urls_stay_relative_without_a_base() -> None:
    assert clean_html('<a href="x">x</a>') == '<a href="x" rel="noopener noreferrer">x</a>'


@pytest.mark.parametrize("html", HOSTILE)
@pytest.mark.parametrize("mode", ["reader", "strict"])
def test_nothing_executable_survives(html: str, mode: str) -> None:
    cleaned = clean_html(html, BASE, mode)
    assert_inert(cleaned, READER_TAGS if mode == "reader" else STRICT_TAGS)
    assert "alert(1)</script>" not in cleaned


@pytest.mark.parametrize("html", HOSTILE)
def test_hostile_text_becomes_inert_plain_text(html: str) -> None:
    text = html_to_text(html)
    assert "<script" not in text.lower()
    assert "alert(1)</script>" not in text


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("plain", "plain"),
        ("  spaced \n\t out  ", "spaced out"),
        ("Tom &amp; Jerry", "Tom & Jerry"),
        ("caf&eacute; &rsquo;n&rsquo; &#8217;", "café ’n’ ’"),
        ("<b>bold</b> and <i>italic</i>", "bold and italic"),
        ("<p>one</p><p>two</p>", "one two"),
        ("line<br>break", "line break"),
        ("x<script>alert(1)</script>y", "xy"),
        ("<style>p{}</style>text", "text"),
        ("a < b", "a < b"),
        ("&lt;b&gt;not a tag&lt;/b&gt;", "<b>not a tag</b>"),
        ("", ""),
    ],
)
def test_html_to_text(html: str, expected: str) -> None:
    assert html_to_text(html) == expected


def test_escape_text_is_already_clean() -> None:
    text = "a <b> & c\xa0d"
    escaped = escape_text(text)
    assert escaped == "a &lt;b&gt; &amp; c&nbsp;d"
    assert clean_html(escaped) == escaped


# Tag soup from a small alphabet finds more parser corner cases than arbitrary text does.
_SOUP = st.lists(
    st.sampled_from(
        [
            "<p>", "</p>", "<a href='x'>", "<a href=\"/y\" onclick=1>", "</a>", "<b>", "</b>",
            "<table>", "<tr>", "<td>", "</table>", "<ul>", "<li>", "</ul>", "<img src=i.png>",
            "<script>", "</script>", "<style>", "<br>", "<pre>", "</pre>", "<h1>", "</h1>",
            "&amp;", "&nbsp;", "&", "<", ">", "\"", "'", "text", " ", "\n", "\r\n", "é",
            "<!--", "-->", "<![CDATA[", "]]>", "<svg>", "<math>", "<form>", "<select>", "<option>",
            "<iframe>", "<noscript>", "<textarea>", "<div>", "</div>", "<figure>", "<dl><dt>",
            "\x00", "<video src=v>", "<source src=s>", "<em>", "</em>", "<blockquote>", "<hr>",
            "</li>", "</blockquote>", "</figure>", "</dt>", "</dl>", "<span>", "</span>", "<h2>",
            "</h2>", "<i>", "</i>", "<ol>", "</ol>", "<code>", "</code>", "<dd>", "</dd>",
        ]
    ),
    max_size=30,
).map("".join)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(_SOUP, st.sampled_from(["reader", "strict"]), st.sampled_from([None, BASE]))
def test_cleaning_is_idempotent(html: str, mode: str, base: str | None) -> None:
    once = clean_html(html, base, mode)
    assert clean_html(once, base, mode) == once


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_cleaning_arbitrary_text_is_idempotent(text: str) -> None:
    once = clean_html(text)
    assert clean_html(once) == once


@settings(max_examples=200, deadline=None)
@given(st.text().filter(lambda t: not any(c in t for c in "<&\r\0")))
def test_plain_text_shortcut_matches_the_sanitizer(text: str) -> None:
    assert clean_html(text) == nh3.clean(text)
