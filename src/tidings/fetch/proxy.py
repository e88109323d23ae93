"""Forward proxies: which requests go through one, and how a request is sent through it.

Off unless the admin asks (setting `proxy`): tidings does not read HTTP_PROXY from its
environment by default, because a proxy connects where tidings' network guard cannot look.
`proxy = "environment"` takes HTTP_PROXY, HTTPS_PROXY and NO_PROXY (either case, as curl and
Miniflux read them); a URL sends every request through that proxy, but the hosts of NO_PROXY.

Through a proxy, plain http requests carry the absolute URL as their target; https requests
open a CONNECT tunnel and speak TLS to the feed's host inside it, so the certificate is still
checked against the feed's name. The guard still vets the feed's host before the request (its
addresses are looked up and classified here), but the proxy makes its own connection: a proxy
that must never reach internal addresses should refuse them itself.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from tidings.fetch.errors import InvalidURL

ENVIRONMENT = "environment"


@dataclass(frozen=True, slots=True)
class Proxy:
    """One forward proxy: where to connect, and its Proxy-Authorization header (or b"")."""

    host: str
    port: int
    authorization: bytes = b""


@dataclass(frozen=True, slots=True)
class Proxies:
    """The proxy of each scheme (None: direct), and the hosts that always go direct."""

    http: Proxy | None = None
    https: Proxy | None = None
    no_proxy: tuple[str, ...] = ()

    def for_origin(self, scheme: str, host: str) -> Proxy | None:
        """The proxy a request to (scheme, host) goes through, or None for a direct one."""
        proxy = self.https if scheme == "https" else self.http
        if proxy is None or _bypassed(host, self.no_proxy):
            return None
        return proxy


def proxy_of(url: str) -> Proxy:
    """The Proxy of an `http://[user:password@]host:port` URL; InvalidURL otherwise."""
    try:
        parts = urlsplit(url.strip() if "://" in url else f"http://{url.strip()}")
        port = parts.port
    except ValueError as error:
        raise InvalidURL(f"The proxy address {url} is not valid ({error}).") from None
    if parts.scheme != "http" or not parts.hostname:
        raise InvalidURL(f"The proxy address {url} must be http://host:port.")
    authorization = b""
    if parts.username is not None:
        pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        authorization = b"Basic " + base64.b64encode(pair.encode())
    return Proxy(parts.hostname, port or 80, authorization)


def proxies_from(setting: str, environ: Mapping[str, str]) -> Proxies:
    """The proxies the `proxy` setting asks for ("" none, "environment", or a URL)."""
    setting = setting.strip()
    if not setting:
        return Proxies()
    no_proxy = _no_proxy(_variable(environ, "NO_PROXY"))
    if setting != ENVIRONMENT:
        proxy = proxy_of(setting)
        return Proxies(proxy, proxy, no_proxy)
    http, https = _variable(environ, "HTTP_PROXY"), _variable(environ, "HTTPS_PROXY")
    return Proxies(proxy_of(http) if http else None, proxy_of(https) if https else None, no_proxy)


def _variable(environ: Mapping[str, str], name: str) -> str:
    return environ.get(name) or environ.get(name.lower()) or ""


def _no_proxy(text: str) -> tuple[str, ...]:
    """NO_PROXY's host names, lower case, without ports or leading dots."""
    names = []
    for entry in text.split(","):
        name = entry.strip().lower()
        if name.startswith("[") and "]" in name:
            name = name[1 : name.index("]")]
        elif name.count(":") == 1:
            name = name.split(":")[0]
        name = name.lstrip(".")
        if name:
            names.append(name)
    return tuple(names)


def _bypassed(host: str, no_proxy: tuple[str, ...]) -> bool:
    host = host.lower()
    return any(name == "*" or host == name or host.endswith("." + name) for name in no_proxy)
