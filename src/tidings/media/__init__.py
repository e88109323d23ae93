"""Media: the image proxy's signed URLs and the rewrite of entry content to use them, and the
sniffing of image bytes that icons and the proxy share.

- signing.py  `ProxySigner`: `/proxy/<signature>/<encoded URL>` paths, HMAC over the URL
- rewrite.py  `proxy_images`: the one place entry HTML has its images pointed at the proxy
- sniff.py    `sniff_image`: the type of image bytes by their first bytes, never the header
"""

from __future__ import annotations

from tidings.media.rewrite import MEDIA_PROXY_MODES, proxy_images, wants_proxy
from tidings.media.signing import ProxySigner
from tidings.media.sniff import sniff_image

__all__ = ["MEDIA_PROXY_MODES", "ProxySigner", "proxy_images", "sniff_image", "wants_proxy"]
