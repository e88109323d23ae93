"""Which addresses feeds may be fetched from, judged without a connection (`check_url`).

The pure half of the network guard (`tidings.fetch.guard`, which applies it when connecting):
kept apart because subscribing (`tidings add --no-check`, the web's forms) checks a URL as
typed, and importing the fetch package (asyncio, ssl, certifi, the HTTP client) is startup time
such a command does not need.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Final
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# Gives the reason an address is refused ("a loopback address"), or None when it may be used.
AddressClassifier = Callable[[IPAddress], str | None]

SETTING_HINT: Final = "Set TIDINGS_ALLOW_PRIVATE_NETWORKS=true to allow feeds on private networks."

_V4 = ipaddress.IPv4Network
_V6 = ipaddress.IPv6Network

# Order matters only for the wording: the first matching network names the reason.
_IPV4_REFUSED: Final[tuple[tuple[ipaddress.IPv4Network, str], ...]] = (
    (_V4("0.0.0.0/8"), "an unspecified address"),
    (_V4("127.0.0.0/8"), "a loopback address"),
    (_V4("10.0.0.0/8"), "a private network address"),
    (_V4("172.16.0.0/12"), "a private network address"),
    (_V4("192.168.0.0/16"), "a private network address"),
    (_V4("100.64.0.0/10"), "a carrier-grade NAT address"),
    (_V4("169.254.0.0/16"), "a link-local address"),
    (_V4("192.0.0.0/24"), "a reserved address"),
    (_V4("192.0.2.0/24"), "a reserved documentation address"),
    (_V4("198.51.100.0/24"), "a reserved documentation address"),
    (_V4("203.0.113.0/24"), "a reserved documentation address"),
    (_V4("198.18.0.0/15"), "a reserved benchmarking address"),
    (_V4("192.88.99.0/24"), "a reserved relay address"),
    (_V4("224.0.0.0/4"), "a multicast address"),
    (_V4("255.255.255.255/32"), "a broadcast address"),
    (_V4("240.0.0.0/4"), "a reserved address"),
)

_IPV6_REFUSED: Final[tuple[tuple[ipaddress.IPv6Network, str], ...]] = (
    (_V6("::/128"), "an unspecified address"),
    (_V6("::1/128"), "a loopback address"),
    (_V6("fc00::/7"), "a unique-local (private) address"),
    (_V6("fe80::/10"), "a link-local address"),
    (_V6("fec0::/10"), "a site-local (private) address"),
    (_V6("ff00::/8"), "a multicast address"),
    (_V6("64:ff9b:1::/48"), "a private NAT64 address"),
    (_V6("100::/64"), "a reserved discard address"),
    (_V6("2001:db8::/32"), "a reserved documentation address"),
)

# IPv6 ranges that carry an IPv4 address inside; the embedded address decides.
_IPV4_COMPATIBLE: Final = _V6("::/96")
_NAT64: Final = _V6("64:ff9b::/96")
_SIX_TO_FOUR: Final = _V6("2002::/16")


def classify_address(address: IPAddress) -> str | None:
    """Give the reason `address` must not be fetched from ("a loopback address"), or None."""
    if isinstance(address, ipaddress.IPv4Address):
        return _classify_v4(address)
    return _classify_v6(address)


def _classify_v4(address: ipaddress.IPv4Address) -> str | None:
    for network, reason in _IPV4_REFUSED:
        if address in network:
            return reason
    return None if address.is_global else "a reserved address"


def _classify_v6(address: ipaddress.IPv6Address) -> str | None:
    # A scope id ("fe80::1%eth0") does not change what the address is.
    address = ipaddress.IPv6Address(address.packed)
    for network, reason in _IPV6_REFUSED:
        if address in network:
            return reason
    embedded = _embedded_ipv4(address)
    if embedded:
        reasons = [_classify_v4(v4) for v4 in embedded]
        refused = next((r for r in reasons if r), None)
        return f"{refused} inside an IPv6 address" if refused else None
    return None if address.is_global else "a reserved address"


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """Give the IPv4 addresses an IPv6 address carries (mapped, compatible, NAT64, 6to4, Teredo)."""
    if address.ipv4_mapped is not None:
        return [address.ipv4_mapped]
    as_int = int(address)
    if address in _IPV4_COMPATIBLE or address in _NAT64:
        return [ipaddress.IPv4Address(as_int & 0xFFFFFFFF)]
    if address.sixtofour is not None:
        return [address.sixtofour]
    if address.teredo is not None:
        server, client = address.teredo
        return [server, client]
    return []


def parse_ipv4_loosely(host: str) -> ipaddress.IPv4Address | None:
    """Give the IPv4 address a host spells the way inet_aton reads it ("0x7f.1", "2130706433").

    The C resolver accepts one to four parts in decimal, octal (leading 0) or hex (0x), the last
    part filling the remaining bytes. Browsers and curl do the same, so an attacker can hide
    127.0.0.1 as "2130706433" or "0177.0.0.1"; the pre-check must see through those spellings.
    """
    parts = host.split(".")
    if host.endswith(".") and len(parts) > 1:
        parts.pop()  # "127.0.0.1." is still an address
    if not 1 <= len(parts) <= 4:
        return None
    numbers: list[int] = []
    for part in parts:
        number = _parse_ipv4_part(part)
        if number is None:
            return None
        numbers.append(number)
    *leading, last = numbers
    if any(n > 0xFF for n in leading) or last >= 256 ** (5 - len(numbers)):
        return None
    value = last
    for index, number in enumerate(leading):
        value |= number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def _parse_ipv4_part(part: str) -> int | None:
    lowered = part.lower()
    if not lowered.isascii():  # int() reads other scripts' digits; an address has none
        return None
    try:
        if lowered.startswith("0x"):
            return int(lowered[2:] or "0", 16)
        if len(lowered) > 1 and lowered.startswith("0"):
            return int(lowered[1:], 8)
        return int(lowered, 10) if lowered.isdigit() else None
    except ValueError:
        return None


def refusal_message(host: str, address: IPAddress, reason: str) -> str:
    """Give the sentence shown when a connection to `address` is refused."""
    try:
        is_literal = ipaddress.ip_address(host) == address
    except ValueError:
        is_literal = False
    shown = host if is_literal else f"{host} ({address})"
    return f"Refused to connect to {shown}: it is {reason}. {SETTING_HINT}"


def check_url(url: str, *, allow_private_networks: bool = False) -> str | None:
    """Give why `url` cannot be fetched (a sentence for the user), or None when it looks fine.

    Only literal addresses and "localhost" names are judged here; names are checked when the
    fetcher connects, against the addresses they resolve to at that moment.
    """
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return f"{url} is not a valid address."
    if parts.scheme not in ("http", "https"):
        return "Only http:// and https:// addresses can be fetched."
    if not host:
        return f"{url} has no host name."
    if allow_private_networks:
        return None
    address = literal_address(host)
    if address is not None:
        reason = classify_address(address)
        return refusal_message(host, address, reason) if reason else None
    name = host.rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return f"Refused to connect to {host}: it is a loopback name. {SETTING_HINT}"
    return None


def literal_address(host: str) -> IPAddress | None:
    """The address `host` spells, in any form a resolver accepts, or None for a name."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return parse_ipv4_loosely(host)
