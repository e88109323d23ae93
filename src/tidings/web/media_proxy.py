"""`/proxy/<signature>/<URL>`: an image (or audio, video) of an entry fetched by the site, so that
readers' browsers never contact the image's host (see docs/media.md, setting media_proxy).

Only URLs this site signed open (tidings.media.signing); the fetch goes through tidings.fetch, so
the network guard refuses private addresses as it does for feeds; the answer must be an image
(its bytes sniffed), audio or video, within MAX_PROXY_BYTES."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tidings.fetch import Fetcher
from tidings.media import ProxySigner, sniff_image
from tidings.model import FeedToFetch
from tidings.web.icons import SVG_POLICY
from tidings.web.site import site_of

MAX_PROXY_BYTES = 20 * 1024 * 1024
CACHE = "public, max-age=86400"


def _refuse(status: int, message: str) -> Response:
    return Response(message, status_code=status, media_type="text/plain")


async def proxy(request: Request) -> Response:
    site = site_of(request)
    signer = ProxySigner(site.settings.secret_key)
    url = signer.url_of(request.path_params["signature"], request.path_params["encoded"])
    if url is None:
        return _refuse(403, "This proxy address is not signed by this site.")
    fetcher = Fetcher.from_settings(site.settings)
    fetcher.max_body_bytes = min(fetcher.max_body_bytes, MAX_PROXY_BYTES)
    async with fetcher:
        result = await fetcher.fetch(FeedToFetch(0, url))
    if result.status != 200 or result.body is None:
        return _refuse(502, result.error or f"The media's server answered {result.status}.")
    claimed = result.headers.get("content-type", "").split(";")[0].strip().lower()
    kind = claimed
    if claimed.startswith("image/") or not claimed.startswith(("audio/", "video/")):
        sniffed = sniff_image(result.body)
        if sniffed is None:
            return _refuse(415, "Only images, audio and video pass through the proxy.")
        kind = sniffed
    headers = {
        "Cache-Control": CACHE,
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": SVG_POLICY,
    }
    return Response(result.body, media_type=kind, headers=headers)


ROUTES = [Route("/proxy/{signature}/{encoded}", proxy, name="media_proxy")]
