"""The one place entry HTML has its images pointed at the media proxy: the reader, the public
pages and the APIs' content all call `proxy_images`.

It works on *cleaned* HTML (`tidings.clean`): the sanitizer writes every attribute double-quoted
with `"` escaped and keeps only `src` of media attributes on `img`, so one pattern finds every
image source without parsing the fragment again.
"""

from __future__ import annotations

import html
import re

from tidings.media.signing import ProxySigner

# "http-only" (Miniflux's default): only images a secure page would load insecurely.
MEDIA_PROXY_MODES = ("off", "http-only", "all")

_IMG_SRC = re.compile(r'(<img\b[^>]*?\ssrc=")([^"]*)(")', re.I)


def wants_proxy(url: str, mode: str) -> bool:
    """True when an image at `url` goes through the proxy under `mode`."""
    lowered = url.strip().lower()
    if mode == "all":
        return lowered.startswith(("http://", "https://"))
    if mode == "http-only":
        return lowered.startswith("http://")
    return False


def proxy_images(cleaned: str, signer: ProxySigner, mode: str, base: str = "") -> str:
    """`cleaned` with each image source that `mode` proxies replaced by its signed proxy path,
    after `base` (the site's address, for API clients; empty: a path, for the site's pages)."""
    if mode == "off" or "<img" not in cleaned:
        return cleaned

    def replace(match: re.Match[str]) -> str:
        url = html.unescape(match.group(2))
        if not wants_proxy(url, mode):
            return match.group(0)
        return f"{match.group(1)}{base}{signer.path(url.strip())}{match.group(3)}"

    return _IMG_SRC.sub(replace, cleaned)
