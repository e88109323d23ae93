"""Every limit on what a reader names or types, in one place that every front end reaches.

The store applies them (its subscribe, category and title writes call these), so the web
reader, the three APIs and the CLI cannot disagree: the Miniflux API once took a 5,000-character
category title that the web refused. A limit broken is an InvalidInput whose message the
front ends show as it is.
"""

from __future__ import annotations

import re

from tidings import utf8
from tidings.errors import InvalidInput

MAX_CATEGORY_NAME = 100
MAX_SUBSCRIPTION_TITLE = 200
# In UTF-8 bytes: the store indexes feed addresses, and PostgreSQL refuses an index entry past
# about 2,700 bytes (a feed moved to a 10 KB address could never be stored again there).
MAX_FEED_URL = 2000
FEED_URL_RULE = f"A feed address has at most {MAX_FEED_URL} bytes (UTF-8)."
MAX_KEY_NAME = 100
MAX_LABEL_LENGTH = 100
# Labels are made by hand and by rules; a rule run amok must not grow a user's list unbounded.
MAX_LABELS_PER_USER = 1000
# An OPML file listing one feed under 30,000 folders gave a reader 30,000 categories, and every
# page with the sidebar lists them all.
MAX_CATEGORIES_PER_USER = 1000
CATEGORIES_RULE = f"A reader has at most {MAX_CATEGORIES_PER_USER} categories."


# Control characters (C0, DEL, C1) that are not white space: none belongs in a name (an escape
# sequence would reach a terminal), and PostgreSQL stores no NUL. White space ones (tab, line
# breaks, NEL...) are made one space with the rest.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")


def one_line(text: str) -> str:
    """The text without control characters, its runs of white space made one space, trimmed."""
    return " ".join(_CONTROLS.sub("", text).split())


def category_name(text: str) -> str:
    """The category name to store; InvalidInput when empty or longer than MAX_CATEGORY_NAME."""
    return _name(text, "category", MAX_CATEGORY_NAME)


def subscription_title(text: str | None) -> str | None:
    """The reader's own title to store (None: the feed's); InvalidInput when too long."""
    title = one_line(text or "")
    if len(title) > MAX_SUBSCRIPTION_TITLE:
        raise InvalidInput(f"A title has at most {MAX_SUBSCRIPTION_TITLE} characters.")
    return title or None


def feed_url_text(text: str) -> str:
    """A typed feed address, trimmed; InvalidInput when empty or longer than MAX_FEED_URL."""
    url = text.strip()
    if not url:
        raise InvalidInput("Type the address of a feed.")
    if not feed_url_fits(url):
        raise InvalidInput(FEED_URL_RULE)
    return url


def feed_url_fits(url: str) -> bool:
    """Whether a feed address is within MAX_FEED_URL: what every address stored as a feed's
    passes, typed, discovered, imported or moved to by a permanent redirect."""
    return utf8.fits(url, MAX_FEED_URL)


def key_name(text: str) -> str:
    """An API key's name; InvalidInput when empty or longer than MAX_KEY_NAME."""
    name = one_line(text)
    if not name or len(name) > MAX_KEY_NAME:
        raise InvalidInput(f"A key needs a name of 1 to {MAX_KEY_NAME} characters.")
    return name


def label_name(text: str) -> str:
    """The label name to store (white space made one space, trimmed); InvalidInput when empty
    or longer than MAX_LABEL_LENGTH. Names are kept as written: `Later` is not `later`."""
    return _name(text, "label", MAX_LABEL_LENGTH)


def _name(text: str, what: str, limit: int) -> str:
    """`text` made one line; InvalidInput naming `what` when empty or longer than `limit`."""
    name = one_line(text)
    if not name:
        raise InvalidInput(f"A {what} needs a name.")
    if len(name) > limit:
        raise InvalidInput(f"A {what} name has at most {limit} characters.")
    return name
