"""Site settings: the few settings an administrator may change in the web.

Their values are kept in the database (`store.site_settings`) and override, for the whole site,
what the defaults, the settings file and the TIDINGS_* variables say. `apply_site_settings` is the
one place that turns stored values into effective settings: each value goes through the same
conversion and checks as the settings file's (`tidings.config.convert_setting`), and a value that
fails them, or a name that is not editable, is left out with a warning in the log, so a bad row
can never stop the site.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from typing import Any, Final

from tidings.config import SETTING_FIELDS, ConfigError, Settings, convert_setting
from tidings.intervals import parse_refresh

log = logging.getLogger(__name__)

# The settings the administration page edits, in the order it shows them.
EDITABLE: Final[tuple[str, ...]] = (
    "allowed_html",
    "items_in_source_listing",
    "discard_after",
    "default_refresh",
)

_FIELDS: Final[dict[str, dataclasses.Field[Any]]] = {
    f.name: f for f in SETTING_FIELDS if f.name in EDITABLE
}


def check_site_setting(name: str, raw: object) -> Any:
    """The value of `raw` for the editable setting `name`; ConfigError with a sentence if unusable.

    The conversion is the settings file's; default_refresh must also be a refresh interval
    (auto, never, seconds or a duration such as 1h), as the command line reads it.
    """
    field = _FIELDS.get(name)
    if field is None:
        raise ConfigError(f"site setting {name!r} cannot be set in the web")
    value = convert_setting(field, raw, f"site setting {name}")
    if name == "default_refresh":
        try:
            parse_refresh(value)
        except ValueError as exc:
            raise ConfigError(f"site setting {name}: {exc}") from None
    return value


def apply_site_settings(settings: Settings, stored: Mapping[str, object]) -> Settings:
    """`settings` with the stored site settings in place of their own values.

    Unknown names and unusable values are ignored (with a warning in the log).
    """
    changes: dict[str, Any] = {}
    for name, raw in stored.items():
        try:
            changes[name] = check_site_setting(name, raw)
        except ConfigError as exc:
            log.warning("ignoring a stored site setting: %s", exc)
    return dataclasses.replace(settings, **changes) if changes else settings
