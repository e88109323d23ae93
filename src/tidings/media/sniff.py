"""The type of image bytes, read from the bytes themselves (a server's Content-Type is a claim)."""

from __future__ import annotations

import re

# Leading bytes of each image type served; SVG is text and found by its root element below.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x00\x00\x01\x00", "image/x-icon"),
)
_SVG = re.compile(
    rb"^\s*(?:<\?xml[^>]{0,200}\?>\s*)?(?:<!--.{0,2000}?-->\s*)*"
    rb"(?:<!DOCTYPE svg[^>]{0,500}>\s*)?<svg[\s>]",
    re.I | re.S,
)


def sniff_image(data: bytes) -> str | None:
    """The MIME type of `data` when it is an ico, png, gif, jpeg, webp or svg image; else None."""
    for magic, mime in _MAGIC:
        if data.startswith(magic):
            return mime
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    head = data[:4096].removeprefix(b"\xef\xbb\xbf")
    if _SVG.match(head):
        return "image/svg+xml"
    return None
