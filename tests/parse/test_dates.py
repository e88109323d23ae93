"""parse_date: RFC 822 and its broken cousins, ISO 8601 variants, and what is not a date."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tidings.parse.dates import parse_date

NOON = datetime(2025, 9, 19, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fri, 19 Sep 2025 12:00:00 GMT", NOON),
        ("Fri, 19 Sep 2025 12:00:00 +0000", NOON),
        ("19 Sep 2025 12:00:00 UT", NOON),
        ("Fri, 19 Sep 25 12:00:00 GMT", NOON),  # two-digit year
        ("Fri, 19 Sep 99 12:00:00 GMT", datetime(1999, 9, 19, 12, tzinfo=UTC)),
        ("Fri, 19 Sep 2025 12:00 GMT", NOON),  # no seconds
        ("Fri, 19 Sep 2025 12:00:00", NOON),  # no zone: UTC
        ("Mon, 19 Sep 2025 12:00:00 GMT", NOON),  # wrong day name
        ("Fry, 19 Sep 2025 12:00:00 GMT", NOON),  # a misspelt day name
        ("Friday, 19 September 2025 12:00:00 GMT", NOON),
        ("fri, 19 sept 2025 12:00:00 gmt", NOON),  # lower case, "Sept"
        ("19 Sep. 2025 12:00:00 GMT", NOON),  # NATO's
        ("19-Sep-2025 12:00:00 GMT", NOON),
        ("  Fri,  19 Sep 2025\n12:00:00   GMT ", NOON),
        ("Fri, 19 Sep 2025 08:00:00 EDT", NOON),
        ("Fri, 19 Sep 2025 07:00:00 EST", NOON),
        ("Fri, 19 Sep 2025 07:00:00 CDT", NOON),
        ("Fri, 19 Sep 2025 06:00:00 CST", NOON),
        ("Fri, 19 Sep 2025 06:00:00 MDT", NOON),
        ("Fri, 19 Sep 2025 05:00:00 MST", NOON),
        ("Fri, 19 Sep 2025 05:00:00 PDT", NOON),
        ("Fri, 19 Sep 2025 04:00:00 PST", NOON),
        ("Fri, 19 Sep 2025 13:00:00 CET", NOON),
        ("Fri, 19 Sep 2025 14:00:00 CEST", NOON),
        ("Fri, 19 Sep 2025 13:00:00 BST", NOON),
        ("Fri, 19 Sep 2025 12:00:00 Z", NOON),
        ("Fri, 19 Sep 2025 11:00:00 A", NOON),  # military letters, RFC 822 signs
        ("Fri, 19 Sep 2025 13:00:00 N", NOON),
        ("Fri, 19 Sep 2025 14:00:00 +0200", NOON),
        ("Fri, 19 Sep 2025 14:00:00 +02:00", NOON),
        ("Fri, 19 Sep 2025 14:00:00 GMT+2", NOON),
        ("Fri, 19 Sep 2025 12:00:00 XYZ", NOON),  # unknown zone name: UTC
        ("Sep 19, 2025 12:00:00 GMT", NOON),
        ("Fri Sep 19 12:00:00 2025", NOON),  # asctime
        ("19 Sep 2025 24:00:00 GMT", datetime(2025, 9, 20, tzinfo=UTC)),
        ("2025-09-19T12:00:00Z", NOON),
        ("2025-09-19T14:00:00+02:00", NOON),
        ("2025-09-19T12:00:00", NOON),  # no zone: UTC
        ("2025-09-19", datetime(2025, 9, 19, tzinfo=UTC)),  # date only
        ("2025-09-19 12:00:00", NOON),  # space instead of T
        ("2025-09-19T12:00:00.123456Z", NOON),  # fractional seconds dropped
        ("2025-09-19t12:00z", NOON),
        ("20250919T120000Z", NOON),
        ("2025-09-19T13:00:00 +0100", NOON),
        ("", None),
        (None, None),
        ("   ", None),
        ("yesterday", None),
        ("31 Feb 2025 12:00:00 GMT", None),
        ("2025-13-01", None),
        ("Fri, 19 Foo 2025 12:00:00 GMT", None),
        ("Fri, 19 Sep 2025 12:00:00 +9900", None),
        ("0001-01-01T00:00:00+01:00", None),  # before year 1 in UTC
    ],
)
def test_parse_date(text: str | None, expected: datetime | None) -> None:
    assert parse_date(text) == expected


def test_results_are_aware_utc() -> None:
    for text in ("Fri, 19 Sep 2025 14:00:00 +0200", "2025-09-19T14:00:00+02:00", "2025-09-19"):
        moment = parse_date(text)
        assert moment is not None
        assert moment.utcoffset() is not None
        assert moment.tzinfo is UTC
