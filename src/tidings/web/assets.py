"""Static files under fingerprinted names ("style.3f2a9c1d.css"), served with long cache lives."""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from tidings.web.compact import compacted

STATIC_DIR = Path(__file__).parent / "static"
# A fingerprinted URL never changes meaning, so browsers may keep it for a year.
IMMUTABLE = "public, max-age=31536000, immutable"


@dataclass(frozen=True, slots=True)
class Asset:
    body: bytes
    media_type: str
    etag: str


class StaticAssets:
    """The files of static/, read once, each at a URL that changes when its content does."""

    def __init__(self, directory: Path = STATIC_DIR) -> None:
        self._urls: dict[str, str] = {}
        self._files: dict[str, Asset] = {}
        for path in sorted(directory.iterdir()):
            if not path.is_file():
                continue
            body = compacted(path.name, path.read_bytes())
            digest = hashlib.sha256(body).hexdigest()[:12]
            fingerprinted = f"{path.stem}.{digest}{path.suffix}"
            media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if media_type.startswith("text/") or media_type.endswith("javascript"):
                media_type += "; charset=utf-8"
            self._urls[path.name] = f"/static/{fingerprinted}"
            self._files[fingerprinted] = Asset(body, media_type, f'"{digest}"')

    def url(self, name: str) -> str:
        """The fingerprinted URL of static/`name`; KeyError for a file that does not exist."""
        return self._urls[name]

    async def serve(self, request: Request) -> Response:
        """The asset named in the path, or 404 (an old fingerprint is gone for good)."""
        asset = self._files.get(request.path_params["name"])
        if asset is None:
            raise HTTPException(404, "There is no such file.")
        headers = {"Cache-Control": IMMUTABLE, "ETag": asset.etag}
        if request.headers.get("if-none-match") == asset.etag:
            return Response(status_code=304, headers=headers)
        return Response(asset.body, media_type=asset.media_type, headers=headers)
