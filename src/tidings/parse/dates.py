"""Dates as feeds write them (RFC 822 and its broken cousins, ISO 8601) -> aware UTC datetimes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
    "january": 1, "february": 2, "march": 3, "april": 4, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
}  # fmt: skip

# Hours east of UTC. Military letters follow RFC 822's table (A = -1 ... M = -12, N = +1 ...
# Y = +12), as feedparser does: RFC 1123 says those signs were a mistake, but agreeing with the
# reference parser matters more than a letter almost nobody sends.
_ZONES: dict[str, float] = {
    "ut": 0, "utc": 0, "gmt": 0, "z": 0, "wet": 0,
    "edt": -4, "est": -5, "cdt": -5, "cst": -6, "mdt": -6, "mst": -7, "pdt": -7, "pst": -8,
    "akst": -9, "akdt": -8, "hst": -10, "ast": -4, "adt": -3,
    "cet": 1, "cest": 2, "met": 1, "mest": 2, "bst": 1, "eet": 2, "eest": 3, "ist": 5.5,
    "jst": 9, "kst": 9, "aest": 10, "aedt": 11,
}  # fmt: skip
for _i, _letter in enumerate("abcdefghiklm", start=1):
    _ZONES[_letter] = -_i
for _i, _letter in enumerate("nopqrstuvwxy", start=1):
    _ZONES[_letter] = _i

_ISO = re.compile(
    r"\s*(\d{4})-?(\d{2})-?(\d{2})"
    r"(?:[t\s]+(\d{1,2}):?(\d{2})(?::?(\d{2})(?:[.,]\d+)?)?)?"
    r"\s*(z|utc|gmt|[+-]\d{2}(?::?\d{2})?)?\s*$",
    re.I,
)
_TIME = r"(?:[\sT,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
_ZONE = r"\s*(?:\(?([a-z]{1,5}|(?:gmt|utc|ut)?\s*[+-]\d{1,2}(?::?\d{2})?)\)?)?"
# "Fri, 19 Sep 2025 12:00:00 GMT" and its relatives: no day name, "Sep.", 2-digit years, dashes.
_DAY_FIRST = re.compile(r"(\d{1,2})[\s\-/]*([a-z]+)\.?[\s\-/,]*(\d{2,4})" + _TIME + _ZONE + r"\s*$")
# "Sep 19, 2025 12:00 PM"-less cousins: "Sep 19 2025 12:00:00 GMT", asctime without the zone.
_MONTH_FIRST = re.compile(
    r"([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{2,4})" + _TIME + _ZONE + r"\s*$"
)
_ASCTIME = re.compile(r"([a-z]+)\s+(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})\s+(\d{4})$")
# A leading day name, right or wrong ("Thursday" on a Friday), or any word before a comma.
_DAY_NAME = re.compile(r"^(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?|[a-z]+\.?,)\s*")


# The form most feeds actually send, parsed without the general machinery (3x faster): UTC or
# a numeric zone ("+0200", "-0500").
_COMMON = re.compile(
    r"(?:[A-Z][a-z]{2}, )?(\d{1,2}) ([A-Z][a-z]{2}) (\d{4}) (\d\d):(\d\d):(\d\d)"
    r" (?:GMT|UTC|([+-])(\d\d)(\d\d))$"
)
_COMMON_MONTHS = {name.capitalize(): number for name, number in _MONTHS.items() if len(name) == 3}


def parse_date(text: str | None) -> datetime | None:
    """Return the moment `text` names as an aware UTC datetime, or None when it names none."""
    if not text:
        return None
    common = _COMMON.match(text)
    if common:
        day, month, year, hour, minute, second, sign, zone_hours, zone_minutes = common.groups()
        number = _COMMON_MONTHS.get(month)
        in_range = hour < "24" and second < "60"
        if number and in_range and (sign is None or (zone_hours <= "14" and zone_minutes < "60")):
            try:
                moment = datetime(int(year), number, int(day), int(hour), int(minute),
                                  int(second), tzinfo=UTC)  # fmt: skip
                if sign is None:
                    return moment
                offset = timedelta(hours=int(zone_hours), minutes=int(zone_minutes))
                return moment - offset if sign == "+" else moment + offset
            except (ValueError, OverflowError):
                return None
    if text[:4].isdigit():
        try:
            moment = datetime.fromisoformat(text.strip())  # C speed for well-formed ISO 8601
            # Whole seconds, like every other form we read; no zone means UTC.
            moment = moment.replace(microsecond=0)
            return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
        except (ValueError, OverflowError):
            pass
    match = _ISO.match(text)
    if match:
        return _build(*match.groups())
    value = " ".join(text.split()).lower()
    value = _DAY_NAME.sub("", value, count=1)
    match = _DAY_FIRST.match(value)
    if match:
        day, month, year, hour, minute, second, zone = match.groups()
        return _build(year, _MONTHS.get(month), day, hour, minute, second, zone)
    match = _MONTH_FIRST.match(value)
    if match:
        month, day, year, hour, minute, second, zone = match.groups()
        return _build(year, _MONTHS.get(month), day, hour, minute, second, zone)
    match = _ASCTIME.match(value)
    if match:
        month, day, hour, minute, second, year = match.groups()
        return _build(year, _MONTHS.get(month), day, hour, minute, second, None)
    return None


def _build(
    year: str,
    month: str | int | None,
    day: str,
    hour: str | None,
    minute: str | None,
    second: str | None,
    zone: str | None,
) -> datetime | None:
    """Return the UTC datetime of the parts, or None when they are out of range."""
    if month is None:
        return None
    offset = _zone_offset(zone)
    if offset is None:
        return None
    full_year = _full_year(year)
    try:
        moment = datetime(
            full_year,
            int(month),
            int(day),
            0 if hour == "24" else int(hour or 0),
            int(minute or 0),
            min(int(second or 0), 59),  # a leap second is the last second of its minute
            tzinfo=UTC,
        )
        if hour == "24":  # "24:00" is midnight at the end of the day
            moment += timedelta(days=1)
        return moment - offset
    except (ValueError, OverflowError):  # out of range, or shifted past year 1 or 9999
        return None


def _full_year(year: str) -> int:
    """Return a four-digit year; two-digit years follow RFC 2822 (00-49 -> 20xx, 50-99 -> 19xx)."""
    number = int(year)
    if len(year) == 2:
        return number + (2000 if number < 50 else 1900)
    if len(year) == 3:
        return number + 1900
    return number


def _zone_offset(zone: str | None) -> timedelta | None:
    """Return the zone's offset east of UTC; a missing or unknown zone name counts as UTC."""
    if not zone:
        return timedelta(0)
    zone = zone.replace(" ", "").lower()
    for prefix in ("gmt", "utc", "ut"):
        if zone.startswith(prefix) and len(zone) > len(prefix):
            zone = zone[len(prefix) :]
            break
    if zone[0] in "+-":
        digits = zone[1:].replace(":", "")
        if len(digits) <= 2:
            hours, minutes = int(digits), 0
        else:
            hours, minutes = int(digits[:-2]), int(digits[-2:])
        if hours > 14 or minutes > 59:
            return None
        sign = -1 if zone[0] == "-" else 1
        return sign * timedelta(hours=hours, minutes=minutes)
    return timedelta(hours=_ZONES.get(zone, 0))
