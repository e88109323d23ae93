"""parse_date: RFC 822 and its broken cousins, ISO 8601 variants, and what is not a date."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tidings.parse.dates import _common_rfc822, parse_date, parse_date_general

NOON = datetime(2025, 9, 19, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fri, 19 Sep 2025 12:00:00 GMT", NOON),
        ("Fri, 19 Sep 2025 12:00:00 +0000", NOON),
        # Year first with slashes and one-digit parts (issue 18).
        ("2025/9/19 12:00:00", NOON),
        ("2025/09/19 12:00", NOON),
        ("2025/9/19", datetime(2025, 9, 19, tzinfo=UTC)),
        ("2025.9.19 14:00 +0200", NOON),
        ("2020/1/10 14:33:00", datetime(2020, 1, 10, 14, 33, tzinfo=UTC)),
        ("2025/13/19 12:00", None),
        # 12-hour clocks with am/pm, with and without a zone (issue 18).
        ("Mon, 21 Jan 2008 8:56 am PST", datetime(2008, 1, 21, 16, 56, tzinfo=UTC)),
        ("Fri, 19 Sep 2025 4:00 AM PST", NOON),
        ("Fri, 19 Sep 2025 12:00 PM", NOON),
        ("Fri, 19 Sep 2025 12:00:00 pm GMT", NOON),
        ("Fri, 19 Sep 2025 12:30 am", datetime(2025, 9, 19, 0, 30, tzinfo=UTC)),
        ("Sep 19, 2025 8:00 p.m. EDT", datetime(2025, 9, 20, tzinfo=UTC)),
        ("2025/9/19 2:00 pm +0200", NOON),
        ("Fri, 19 Sep 2025 13:00 pm", None),
        ("Fri, 19 Sep 2025 0:00 am", None),
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
        ("Fri, 19 Sep 2025 12:00 UTC", NOON),  # was read as "UT" and military "C" (-3)
        ("19 Sep 2025 12:00:00 utc", NOON),
        ("2025-09-19 12:00 UTC", NOON),
        ("Fri, 19 Sep 2025 14:00:00 UTC+2", NOON),
        ("Fri, 19 Sep 2025 10:00:00 UT-2", NOON),
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


# The RFC 822 fast path: the shapes it takes, each checked against the general path.
@pytest.mark.parametrize(
    "text",
    [
        "Fri, 19 Sep 2025 12:00:00 GMT",
        "Fri, 19 Sep 2025 12:00:00 UTC",
        "19 Sep 2025 12:00:00 GMT",  # no day name
        "Fri, 9 Sep 2025 12:00:00 GMT",  # one-digit day
        "Fri, 19 Sep 2025 14:00:00 +0200",
        "Fri, 19 Sep 2025 07:00:00 -0500",
        "Fri, 19 Sep 2025 17:30:00 +0530",
        "Fri, 19 Sep 2025 23:59:59 +1400",
        "Fri, 19 Sep 2025 00:00:00 -1459",
        "Mon, 01 Jan 0001 00:00:00 GMT",
        "Fri, 31 Dec 9999 23:59:59 -0000",
        "Fri, 29 Feb 2024 12:00:00 GMT",  # a leap day
    ],
)
def test_fast_path_agrees_with_the_general_path(text: str) -> None:
    fast = _common_rfc822(text)
    assert fast is not None
    assert fast == parse_date_general(text) == parse_date(text)
    assert fast.tzinfo is UTC


# The shapes the fast path must hand to the general path (None), whatever that then says.
@pytest.mark.parametrize(
    "text",
    [
        "Fri, 19 Sep 2025 24:00:00 GMT",  # 24:00 is the next midnight
        "Fri, 19 Sep 2025 12:00:60 GMT",  # a leap second
        "Fri, 19 Sep 2025 12:60:00 GMT",
        "Fri, 19 Sep 2025 12:00 GMT",  # no seconds
        "Fri, 19 Sep 2025 12:00:00 EST",  # a named zone
        "Fri, 19 Sep 2025 12:00:00 +02:00",  # a colon in the zone
        "Fri, 19 Sep 2025 12:00:00 +1500",  # beyond 14 hours: not a zone
        "Fri, 19 Sep 2025 12:00:00 +0260",
        "Fri, 19 Sep 2025 12:00:00",  # no zone
        "Fri, 19 Sep 25 12:00:00 GMT",  # two-digit year
        "Fri, 19 Sept 2025 12:00:00 GMT",
        "Fri, 19 sep 2025 12:00:00 GMT",  # lower case
        "Fri, 19 Foo 2025 12:00:00 GMT",
        "Fri, 31 Feb 2025 12:00:00 GMT",  # no such day
        "Fri, 00 Sep 2025 12:00:00 GMT",
        "Fri, 19 Sep 0000 12:00:00 GMT",
        "Mon, 01 Jan 0001 00:00:00 +0100",  # before year 1 in UTC
        "Fri, 31 Dec 9999 23:00:00 -0100",  # after year 9999 in UTC
        "Friday, 19 Sep 2025 12:00:00 GMT",
        " Fri, 19 Sep 2025 12:00:00 GMT",
        "Fri, 19 Sep 2025 12:00:00 GMT ",
        "2025-09-19T12:00:00Z",
    ],
)
def test_fast_path_hands_other_shapes_to_the_general_path(text: str) -> None:
    assert _common_rfc822(text) is None
    assert parse_date(text) == parse_date_general(text)


# ISO 8601 through datetime.fromisoformat: skipping replace() and astimezone() when they would
# change nothing must not change the result.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-09-19T12:00:00Z", NOON),
        ("2025-09-19T12:00:00+00:00", NOON),
        ("2025-09-19T12:00:00-00:00", NOON),
        ("2025-09-19T12:00:00.999999Z", NOON),
        ("2025-09-19T12:00:00.5", NOON),
        ("2025-09-19T14:00:00.5+02:00", NOON),
        ("2025-09-19T12:00:00", NOON),
    ],
)
def test_iso_results_are_whole_seconds_in_utc(text: str, expected: datetime) -> None:
    moment = parse_date(text)
    assert moment == expected
    assert moment is not None and moment.tzinfo is UTC and moment.microsecond == 0


_RFC822_LIKE = st.builds(
    "{}{} {} {} {}:{}:{} {}".format,
    st.sampled_from(["", "Fri, ", "Mon, ", "fri, "]),
    st.integers(0, 32).map(str) | st.integers(0, 9).map("0{}".format),
    st.sampled_from(["Jan", "Feb", "Sep", "Sept", "sep", "Foo", "Dec"]),
    st.integers(0, 10_000).map("{:04d}".format),
    st.integers(0, 25).map("{:02d}".format),
    st.integers(0, 61).map("{:02d}".format),
    st.integers(0, 61).map("{:02d}".format),
    st.sampled_from(["GMT", "UTC", "EST", "Z"])
    | st.builds(
        "{}{:02d}{:02d}".format, st.sampled_from("+-"), st.integers(0, 16), st.integers(0, 61)
    ),
)


@settings(max_examples=2000, deadline=None)
@given(_RFC822_LIKE)
def test_fast_path_never_disagrees_with_the_general_path(text: str) -> None:
    fast = _common_rfc822(text)
    assert fast is None or fast == parse_date_general(text)
    assert parse_date(text) == parse_date_general(text)
