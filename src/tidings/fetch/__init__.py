"""All outbound HTTP: every request tidings makes (feeds, discovery) goes through this package, so
the network guard, the limits and the user agent are the same everywhere.

- guard.py    the address policy: `check_url` (a pure pre-check) and `GuardedBackend`, which
              checks the address actually connected to (redirects and DNS rebinding included)
- http1.py    a small HTTP/1.1 client: GETs over connections kept alive per origin
- urls.py     what a GET needs of a URL (origin, Host, request target), IDNA and escaping
- fetcher.py  `Fetcher`: (and `post`, for integrations: one bounded POST, no redirects);
              `Fetcher`: conditional GET, redirects by hand, size and time limits, decoding,
              and a sentence for the user instead of an exception
- stream.py   `open_stream`: one streamed GET for the media proxy (a byte range forwarded,
              redirects followed by hand, the body passed on as it arrives)
- errors.py   the package's own errors; no httpx or httpcore type crosses out of it
"""

from __future__ import annotations

from tidings.fetch.fetcher import (
    ACCEPT_ENCODING,
    DEFAULT_USER_AGENT,
    BodyRoom,
    Fetcher,
    LargeBodies,
    PostResult,
    post,
)
from tidings.fetch.guard import check_url

__all__ = [
    "ACCEPT_ENCODING",
    "DEFAULT_USER_AGENT",
    "BodyRoom",
    "Fetcher",
    "LargeBodies",
    "PostResult",
    "check_url",
    "post",
]
