"""Folding as the full-text index does it (`fold`, `tokens`): lower-cased, in compatibility
decomposition, combining marks removed. The fast paths (ASCII, then a pattern of the marks up
to U+FFFF, the marks past it tested one by one) must give what the plain definition gives."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tidings.rules.matcher import _combining_marks, fold, tokens


def plain_fold(text: str) -> str:
    """The definition, character by character."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Council", "council"),
        ("Café Crème", "cafe creme"),
        ("cafe\u0301", "cafe"),  # already decomposed
        ("İstanbul", "istanbul"),  # lowered to "i" and a combining dot
        ("Straße", "straße"),  # ß is not a mark; lower-casing keeps it
        ("ﬁnal ½", "final 1⁄2"),  # compatibility decompositions
        ("l’économie…", "l’economie..."),  # ’ is no mark; … decomposes to three dots
        ("Ωμέγα", "ωμεγα"),
        ("Ǆ", "dz"),  # DŽ: lower-cased, decomposed, its caron removed
        ("a\U0001d165b", "ab"),  # a musical combining stem, a mark past U+FFFF
        ("\U00011046x", "x"),  # BRAHMI VOWEL SIGN VIRAMA
        ("\U0001f600 é", "\U0001f600 e"),  # a character past U+FFFF that is no mark
        ("\ud800é", "\ud800e"),  # a lone surrogate is kept, as the plain definition keeps it
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded == plain_fold(text)


def test_tokens_fold_each_token_and_split_where_the_text_does() -> None:
    # The text is split first: "İ" is a letter (lowered it is "i" and a combining dot, which is
    # not), and a combining acute written apart ends a token.
    expected = ("istanbul", "s", "cafe", "cafe", "s", "1⁄2")
    assert tokens("İstanbul’s Café, cafe\u0301s ½") == expected
    # Folded together, each token still ends where it did: a sigma ending one is final.
    assert (
        tokens("ΟΔΟΣ ΑΛΣ ΣΑ")
        == ("οδος", "αλς", "σα")
        == tuple(plain_fold(word) for word in ("ΟΔΟΣ", "ΑΛΣ", "ΣΑ"))
    )


def test_the_marks_pattern_holds_every_mark_up_to_u_ffff_and_nothing_else() -> None:
    pattern = _combining_marks()
    for code in range(0x10000):
        character = chr(code)
        assert (pattern.fullmatch(character) is not None) == bool(
            unicodedata.combining(character)
        ), hex(code)


# Letters, marks (both sides of U+FFFF), compatibility characters and surrogates, mixed.
_CHARACTERS = st.one_of(
    st.characters(),
    st.sampled_from([chr(c) for c in range(0x300, 0x370)] + ["\U0001d165", "\U00011046"]),
    st.sampled_from(list("aéİΣßΩK’…ﬁ½ \ud800")),
)


@settings(max_examples=500, deadline=None)
@given(st.text(_CHARACTERS, max_size=20))
def test_fold_and_tokens_are_the_plain_definition(text: str) -> None:
    assert fold(text) == plain_fold(text)
    plain_tokens = tuple(plain_fold(token) for token in re.findall(r"[^\W_]+", text))
    assert tokens.__wrapped__(text) == plain_tokens  # not the cached one: a fresh computation
