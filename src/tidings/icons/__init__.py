"""Site icons: where a site keeps its icon (discover.py, pure) and the fetch that brings back a
checked one (fetching.py, through `tidings.fetch` like every outbound request)."""

from __future__ import annotations

from tidings.icons.discover import icon_candidates
from tidings.icons.fetching import MAX_ICON_BYTES, Icon, find_icon

__all__ = ["MAX_ICON_BYTES", "Icon", "find_icon", "icon_candidates"]
