"""Rendered bodies and the HTTP responses for them: ETags, 304s, cache headers."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

HTML = "text/html; charset=utf-8"
# Shared pages may be kept but must be revalidated (cheap with the ETag); personal ones never kept.
REVALIDATE = "no-cache"
PRIVATE = "private, no-store"


@dataclass(frozen=True, slots=True)
class Rendered:
    """A finished body with what is needed to send it again from a cache."""

    body: bytes
    media_type: str = HTML
    status: int = 200

    @property
    def etag(self) -> str:
        return '"' + hashlib.blake2b(self.body, digest_size=12).hexdigest() + '"'


def send(request: Request, page: Rendered, *, cache_control: str = REVALIDATE) -> Response:
    """The response for `page`: 304 when the client's copy is current, else the body."""
    headers = {"Cache-Control": cache_control, "Vary": "Cookie"}
    if page.status == 200 and cache_control != PRIVATE:
        etag = page.etag
        headers["ETag"] = etag
        wanted = request.headers.get("if-none-match", "")
        if etag in (tag.strip().removeprefix("W/") for tag in wanted.split(",")):
            return Response(status_code=304, headers=headers)
    return Response(page.body, status_code=page.status, media_type=page.media_type, headers=headers)
