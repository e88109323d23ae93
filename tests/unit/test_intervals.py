from __future__ import annotations

import pytest

from tidings.intervals import REFRESH_CHOICES, format_refresh, parse_refresh


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("auto", None),
        (" AUTO ", None),
        ("never", 0),
        ("3600", 3600),
        ("15m", 900),
        ("2h", 7200),
        ("1d", 86400),
        ("4w", 2419200),
    ],
)
def test_parse_refresh(text: str, seconds: int | None) -> None:
    assert parse_refresh(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "-5", "1.5h", "30", "59s"])
def test_parse_refresh_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="refresh interval"):
        parse_refresh(text)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, "auto"), (0, "never"), (900, "15 min"), (3600, "1 hour"), (172800, "2 days")],
)
def test_format_refresh(seconds: int | None, text: str) -> None:
    assert format_refresh(seconds) == text


def test_drupal_choices() -> None:
    assert len(REFRESH_CHOICES) == 15
    assert [format_refresh(s) for s in REFRESH_CHOICES][:3] == ["15 min", "30 min", "1 hour"]
    assert format_refresh(REFRESH_CHOICES[-1]) == "4 weeks"
