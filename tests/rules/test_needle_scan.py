"""The rules engine's prefilter scans an entry once for the needles of every place
(`matcher.needle_text`, `matcher.needle_pattern`): a needle is found exactly where it is in the
text of its place, the title's needles only in the title and so on, and a NUL in a field hides
none."""

from __future__ import annotations

import random

import pytest

from tidings.rules.engine import needle_set
from tidings.rules.matcher import fold, needle_key, needle_pattern, needle_text

PLACES = ("title", "author", "url", "all")


def found(keys: list[str], fields: dict[str, str]) -> set[str]:
    """The keys one scan finds in an entry with `fields` (title, summary, content, author,
    url)."""
    scan = needle_set([needle_pattern(key) for key in keys])
    text = needle_text(
        fields.get("title", ""),
        fields.get("summary", ""),
        fields.get("content", ""),
        fields.get("author", ""),
        fields.get("url", ""),
    )
    return {keys[i] for i in scan.Match(text.encode()) or ()}


def expected(keys: list[str], fields: dict[str, str]) -> set[str]:
    """What the scan must find: each needle in its place's own folded text ("all": the fields
    joined by newlines), NULs left out."""
    texts = {place: fields.get(place, "") for place in ("title", "author", "url")}
    texts["all"] = "\n".join(
        fields.get(name, "") for name in ("title", "summary", "content", "author", "url")
    )
    texts = {place: fold(text.replace("\x00", "")) for place, text in texts.items()}
    return {key for key in keys if key.partition("\x00")[2] in texts[key.partition("\x00")[0]]}


@pytest.mark.parametrize(
    ("fields", "key", "present"),
    [
        ({"title": "Harbour council"}, ("title", "harbour council"), True),
        ({"summary": "harbour council"}, ("title", "harbour council"), False),
        ({"title": "a", "summary": "harbour"}, ("title", "harbour"), False),
        ({"title": "Ann", "author": "Bob"}, ("author", "ann"), False),
        ({"author": "Ann Lee"}, ("author", "ann lee"), True),
        ({"author": "Ann", "url": "https://lee.example"}, ("author", "lee"), False),
        ({"url": "https://lee.example/a"}, ("url", "lee.example"), True),
        ({"title": "lee.example"}, ("url", "lee.example"), False),
        ({"url": "https://lee.example"}, ("all", "lee.example"), True),  # "all" is every field
        ({"author": "Zoë"}, ("all", "zoe"), True),  # folded as the needles are
        ({"title": "Ha\x00rbour"}, ("title", "harbour"), True),  # a NUL hides nothing
        ({"title": "a\x00b harbour"}, ("title", "harbour"), True),  # nor ends the title
        ({"title": "river", "summary": "[x]"}, ("all", "river\n[x]"), False),  # fields apart
    ],
)
def test_a_needle_is_found_in_its_place_only(
    fields: dict[str, str], key: tuple[str, str], present: bool
) -> None:
    needle = needle_key(*key)
    assert (needle in found([needle], fields)) is present


def test_a_stray_marker_can_only_add_a_needle() -> None:
    # A title's marker inside the content makes the content look like a title to the scan: an
    # evaluation more (the matcher then says no), never a needle lost.
    needle = needle_key("title", "harbour")
    assert found([needle], {"title": "x", "summary": "\x01 harbour"}) == {needle}
    assert found([needle], {"title": "\x02harbour\x03"}) == {needle}


def test_random_entries_and_needles_agree_with_each_places_text() -> None:
    rng = random.Random(5)
    words = ["harbour", "Council", "zoë", "river", "a", "b.c", "x-y", "\x00", "\n", "\t", " "]

    def text() -> str:
        return "".join(rng.choice(words) + rng.choice(["", " "]) for _ in range(rng.randint(0, 6)))

    checked = 0
    for _ in range(400):
        fields = {name: text() for name in ("title", "summary", "content", "author", "url")}
        keys = set()
        for _ in range(rng.randint(1, 8)):
            source = fields[rng.choice(list(fields))]
            start = rng.randint(0, len(source))
            piece = fold(source[start : start + rng.randint(1, 12)].replace("\x00", ""))
            if piece.strip() and piece.isprintable():  # as `matcher.needles` gives them
                keys.add(needle_key(rng.choice(PLACES), piece))
        if not keys:
            continue
        ordered = sorted(keys)
        assert found(ordered, fields) == expected(ordered, fields), fields
        checked += 1
    assert checked > 300
