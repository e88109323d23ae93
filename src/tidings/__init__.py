"""tidings: a self-hosted news-feed aggregator.

The feed parser can be used as a library:

    from tidings import parse_feed
    feed = parse_feed(body, "https://example.org/feed.xml")   # a ParsedFeed; FeedParseError

`import tidings` stays cheap (the `tidings` command imports it first): the parser and its
lxml/nh3 are imported on first use of one of these names (PEP 562), not with the package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # What type checkers see; at run time __getattr__ below provides the same names.
    from tidings.model import ParsedEntry, ParsedFeed
    from tidings.parse import FeedParseError, parse_feed

__version__ = "0.1.0"

__all__ = ["FeedParseError", "ParsedEntry", "ParsedFeed", "__version__", "parse_feed"]

# Each lazy name and the module it comes from.
_LAZY = {
    "parse_feed": "tidings.parse",
    "FeedParseError": "tidings.parse",
    "ParsedFeed": "tidings.model",
    "ParsedEntry": "tidings.model",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value  # later look-ups find it without calling __getattr__
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
