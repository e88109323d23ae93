"""What a GET needs of a URL: the origin to connect to, and the request's Host and target.

Pure and table-tested. Host names go out in their ASCII (IDNA) form, which is what DNS and TLS
see; the path and query are percent-encoded where they hold what HTTP cannot carry (spaces,
non-ASCII), and escapes already there are kept.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit

from tidings.fetch.errors import InvalidURL

# Characters a request target may carry as they are (RFC 3986 unreserved, sub-delims, ":@/?%").
_SAFE = "/%:@!$&'()*+,;=-._~?"
_DEFAULT_PORTS = {"http": 80, "https": 443}
# A label of a host name as DNS carries it: 1 to 63 letters, digits, hyphens (and underscores,
# which some real hosts have).
_LABEL = re.compile(r"[A-Za-z0-9_-]{1,63}")


@dataclass(frozen=True, slots=True)
class Target:
    """A URL as one GET sends it."""

    scheme: str  # "http" or "https"
    host: str  # ASCII: an IDNA name, or an IP address without brackets
    port: int
    host_header: bytes  # the Host header's value: the host, bracketed if IPv6, :port if not default
    path: bytes  # the request target: path and query, percent-encoded

    @property
    def origin(self) -> tuple[str, str, int]:
        """(scheme, host, port): what a kept-alive connection is shared by."""
        return self.scheme, self.host, self.port


def target_of(url: str) -> Target:
    """The Target of an absolute http(s) URL; InvalidURL when it cannot be requested."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:  # a bad port, a bad IPv6 literal
        raise InvalidURL(f"{url} is not a valid address ({error}).") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise InvalidURL("Only http:// and https:// addresses can be fetched.")
    name = parts.hostname  # lower-cased, brackets removed
    if not name:
        raise InvalidURL(f"{url} has no host name.")
    host = _ascii_host(name, url)
    bracketed = f"[{host}]" if ":" in host else host
    default = port is None or port == _DEFAULT_PORTS[scheme]
    header = bracketed if default else f"{bracketed}:{port}"
    target = quote(parts.path or "/", safe=_SAFE)
    if parts.query:
        target += "?" + quote(parts.query, safe=_SAFE)
    return Target(
        scheme,
        host,
        port or _DEFAULT_PORTS[scheme],
        header.encode("ascii"),
        target.encode("ascii"),
    )


def join(base: str, location: str) -> str:
    """The absolute URL a redirect's Location means from `base`; InvalidURL when it is not a
    URL at all (a bad port or IPv6 literal). Whether it may be fetched (its scheme, its
    address) is the next request's check, which says why not."""
    try:
        # urljoin itself refuses some ("http://[x": "Invalid IPv6 URL"); parsing the port is
        # what finds a bad port or IPv6 literal in the rest.
        joined = urljoin(base, location.strip())
        _ = urlsplit(joined).port
    except ValueError as error:
        raise InvalidURL(f"{quoted(location)} is not a valid address ({error}).") from None
    return joined


def quoted(url: str, limit: int = 300) -> str:
    """`url` to quote in a message: cut at `limit` characters with an ellipsis (a server's
    Location may be 20 KB, and the message is stored and shown with the feed)."""
    return url if len(url) <= limit else url[: limit - 1] + "…"


def _ascii_host(name: str, url: str) -> str:
    try:
        return str(ipaddress.ip_address(name))
    except ValueError:
        pass
    try:
        encoded = name.encode("idna").decode("ascii")
    except UnicodeError:
        raise InvalidURL(f"{url} has a host name that cannot be looked up.") from None
    # IDNA maps some characters to dots ("\u2024" is "."): "\u2024.com" is "..com", whose empty
    # label the resolver refuses with a UnicodeError, not the OSError of a name not found.
    labels = encoded.removesuffix(".").split(".")
    if len(encoded) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise InvalidURL(f"{url} has a host name that cannot be looked up.")
    return encoded
