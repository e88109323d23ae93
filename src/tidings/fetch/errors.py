"""The fetch package's own errors: what can go wrong with an outbound request.

No httpx or httpcore type crosses out of the package (they were kept as dependencies for their
exception and stream types alone). The fetcher turns these into sentences for people
(`fetcher._describe_error`); the rest of tidings sees only those sentences, or these types.
"""

from __future__ import annotations


class FetchError(Exception):
    """An outbound request failed; str() says how."""


class InvalidURL(FetchError):
    """The URL cannot be requested (malformed, or not http/https)."""


class TransportError(FetchError):
    """The connection failed at some stage."""


class FetchTimeout(TransportError):
    """A stage of the request took longer than allowed."""


class ConnectError(TransportError):
    """No connection could be made (refused, unreachable, no such name, TLS failed)."""


class ConnectTimeout(ConnectError, FetchTimeout):
    """Connecting (or the TLS handshake, or the name lookup) took too long."""


class ReadError(TransportError):
    """Reading from the connection failed."""


class ReadTimeout(ReadError, FetchTimeout):
    """The server sent nothing for too long."""


class WriteError(TransportError):
    """Writing to the connection failed."""


class WriteTimeout(WriteError, FetchTimeout):
    """The server took nothing for too long."""


class ProtocolError(TransportError):
    """The server's answer is not HTTP/1.x as it should be."""


class AddressRefused(ConnectError):
    """Raised instead of connecting to an address the guard refuses; the message says why."""
