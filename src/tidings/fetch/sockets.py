"""The network guard for a library that opens its own connections through urllib3 (Apprise).

tidings' own requests go through `GuardedBackend`. Apprise speaks to 100+ services with its own
clients (requests, hence urllib3), so it cannot take our HTTP client; instead, inside
`guarded_urllib3()`, every TCP connection urllib3 opens *in this context* resolves the host
itself, refuses it when any address it resolves to is refused by the same classifier, and
connects to the checked address (so DNS rebinding between check and connect cannot slip
through). The policy is a context variable, not a thread-local: Apprise hands each send to a
pool thread with a copy of the caller's context. Other contexts (and other users of urllib3,
such as the Miniflux client in the tests) are not touched.
"""

from __future__ import annotations

import contextlib
import contextvars
import ipaddress
import socket
import threading
from collections.abc import Iterator
from typing import Any

from tidings.addresses import IPAddress, classify_address, literal_address, refusal_message

# The refusals' sentences of the guarded block, or None outside one.
_REFUSALS: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "tidings_urllib3_refusals", default=None
)
_INSTALL_LOCK = threading.Lock()
_installed = False


def checked_addresses(host: str, port: int) -> list[IPAddress]:
    """Return the addresses of `host`, every one allowed by the classifier; OSError (a
    sentence) when one is refused, as `GuardedBackend` does."""
    literal = literal_address(host)
    if literal is not None:
        found = [literal]
    else:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        found = list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))
    for address in found:
        reason = classify_address(address)
        if reason:
            raise OSError(refusal_message(host, address, reason))
    return found


def _install() -> None:
    """Wrap urllib3's create_connection once per process (it is looked up at each call)."""
    global _installed
    with _INSTALL_LOCK:
        if _installed:
            return
        from urllib3.util import connection

        original = connection.create_connection

        def create_connection(address: tuple[str, int], *args: Any, **kwargs: Any) -> Any:
            refusals = _REFUSALS.get()
            if refusals is None:
                return original(address, *args, **kwargs)
            host, port = address
            try:
                allowed = checked_addresses(host, port)
            except OSError as refused:
                refusals.append(str(refused))
                raise
            error: OSError | None = None
            for checked in allowed:
                try:
                    return original((str(checked), port), *args, **kwargs)
                except OSError as failed:
                    error = failed
            assert error is not None  # checked_addresses never gives an empty list
            raise error

        connection.create_connection = create_connection
        _installed = True


@contextlib.contextmanager
def guarded_urllib3(allow_private_networks: bool) -> Iterator[list[str]]:
    """Within the block, urllib3 connections made in this context obey the address policy
    (nothing is checked when private networks are allowed, as for the fetcher). Yields the
    list the refusals' sentences are added to, since the library may swallow the error."""
    refusals: list[str] = []
    if allow_private_networks:
        yield refusals
        return
    _install()
    token = _REFUSALS.set(refusals)
    try:
        yield refusals
    finally:
        _REFUSALS.reset(token)
