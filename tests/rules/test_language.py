"""The query language's new parts, as tables: fields, labels, regular expressions, errors."""

from __future__ import annotations

import time

import pytest

from tidings.rules.matcher import EntryFacts, compile_matcher, tokens
from tidings.rules.regex import RegexError, regex
from tidings.search_query import SearchQueryError, TextTerm, parse_query, parse_search_query


def q(text: str):  # type: ignore[no-untyped-def]
    return parse_query(text, require_terms=False)


@pytest.mark.parametrize(
    ("text", "texts"),
    [
        ("title:rust", (TextTerm("title", "rust"),)),
        ('-author:"release bot"', (TextTerm("author", "release bot", negated=True),)),
        ("url:github.com", (TextTerm("url", "github.com"),)),
        ("CONTENT:Sale", (TextTerm("content", "Sale"),)),
    ],
)
def test_field_terms(text: str, texts: tuple[TextTerm, ...]) -> None:
    assert q(text).texts == texts


@pytest.mark.parametrize(
    ("text", "field", "pattern", "ignore_case", "negated"),
    [
        ("/v[0-9]+/", "text", "v[0-9]+", False, False),
        ("/sale/i", "text", "sale", True, False),
        ("-title:/^\\[ad\\]/i", "title", "^\\[ad\\]", True, True),
        ("url:/a\\/b/", "url", "a\\/b", False, False),
        ("/two words/", "text", "two words", False, False),
    ],
)
def test_regex_terms(text: str, field: str, pattern: str, ignore_case: bool, negated: bool) -> None:
    (term,) = q(text).texts
    assert (term.field, term.value, term.negated) == (field, pattern, negated)
    assert term.regex is not None
    assert term.regex.ignore_case is ignore_case


def test_labels() -> None:
    parsed = q("label:later -label:done label:later")
    assert parsed.labels == ("later",)
    assert parsed.without_labels == ("done",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("/abc", "missing its closing /"),
        ("/a(?i)b/", "only (?: ) groups"),
        ("/(?<=a)b/", "only (?: ) groups"),
        ("/a\\1/", "\\1 is not supported"),
        ("/\\p{Greek}/", "Unicode classes"),
        ("/[[:alpha:]]/", "[: :] classes"),
        ("/a{300}/", "at most 255"),
        ("/(/", "not a valid regular expression"),
        ("//", "empty regular expression"),
        ("/" + "a" * 301 + "/", "at most 300"),
        ("feed:/x/", "feed: does not take a regular expression"),
        ("/x/y", "put a space after"),
        ("-feed:3", "cannot be negated"),
        ("label:" + "x" * 101, "a label has at most"),
        ("title:", "title: needs a value"),
        ("", "write at least one condition"),
        ("http://example.org", "unknown filter http:"),
    ],
)
def test_malformed_rules_say_why(text: str, message: str) -> None:
    with pytest.raises(SearchQueryError) as caught:
        q(text)
    assert message in str(caught.value)


def test_a_search_still_needs_a_word_and_a_rule_does_not() -> None:
    with pytest.raises(SearchQueryError, match="type a word"):
        parse_search_query("title:rust")
    assert q("title:rust").texts


@pytest.mark.parametrize(
    ("pattern", "postgres"),
    [
        ("\\d+\\s\\w", "[0-9]+[\\t\\n\\f\\r ][0-9A-Za-z_]"),
        ("[\\d.-]", "[0-9.-]"),
        ("\\bword\\B", "\\yword\\Y"),
        ("a{2,3}b{", "a{2,3}b\\{"),
        ("(?:a|b)\\.", "(?:a|b)\\."),
        ("[]a]", "[]a]"),
    ],
)
def test_regexes_are_translated_for_postgresql(pattern: str, postgres: str) -> None:
    assert regex(pattern, ignore_case=False).postgres == postgres


@pytest.mark.timed
def test_a_catastrophic_pattern_runs_in_linear_time() -> None:
    pattern = regex("(a+)+b", ignore_case=False)
    started = time.perf_counter()
    assert not pattern.search("a" * 200_000)
    assert time.perf_counter() - started < 1.0  # a backtracking engine would not return at all


def test_regex_errors_are_user_errors() -> None:
    with pytest.raises(RegexError):
        regex("[", ignore_case=True)


FACTS = EntryFacts(
    entry_id=1,
    feed_id=7,
    feed_titles=("Rust weekly",),
    categories=frozenset({"Tech"}),
    labels=frozenset({"later"}),
    title="Rust 1.80 released",
    summary_text="A sale on memory, café prices.",
    content_text="",
    author="Release Bot",
    url="https://blog.example/rust",
)


@pytest.mark.parametrize(
    ("text", "matches"),
    [
        ("rust", True),
        ("cafe", True),  # diacritics removed, as FTS5 does
        ('"memory cafe"', True),  # punctuation between words of a phrase
        ('"sale memory"', False),
        ("-sale", False),
        ("title:ust", True),
        ("title:sale", False),
        ("content:SALE", True),
        ("-author:bot", False),
        ("url:blog.example", True),
        ("/1\\.80/", True),
        ("title:/^rust/", False),
        ("title:/^rust/i", True),
        ("feed:7", True),
        ("feed:8", False),
        ('feed:"weekly"', True),
        ("category:tech", True),
        ("label:later", True),
        ("label:Later", False),
        ("-label:later", False),
        ("is:unread", True),
        ("is:starred", False),
    ],
)
def test_the_matcher(text: str, matches: bool) -> None:
    assert compile_matcher(q(text))(FACTS) is matches


def test_tokens_follow_the_search_index() -> None:
    assert tokens("Café, x86_64 don't") == ("cafe", "x86", "64", "don", "t")
