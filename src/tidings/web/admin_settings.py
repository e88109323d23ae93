"""The site settings page: the few settings an administrator may change in the web.

Saved values go to the `site_settings` table and override the settings file and environment for
the whole site (see `tidings.site_settings`). A value equal to the configured one is not stored,
so the settings file decides it again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tidings.config import ConfigError, Settings
from tidings.intervals import DAY, HOUR, MINUTE, WEEK, format_refresh, parse_refresh
from tidings.numerals import whole_number
from tidings.site_settings import EDITABLE, check_site_setting
from tidings.web.adminkit import admin_page, redirect_after_post
from tidings.web.guards import checked_form, require_admin
from tidings.web.sessions import Session
from tidings.web.site import Site, site_of
from tidings.web.sourceform import REFRESH_OPTIONS

HERE = "/admin/settings"
MAX_ITEMS_IN_LISTING = 100

# Drupal Aggregator's "Discard items older than" choices from a week on, in seconds (0: never).
# 4,838,400 and 9,676,800 s are Drupal's 8 and 16 weeks, shown as it shows them.
DISCARD_CHOICES: Final[tuple[int, ...]] = (
    0,
    WEEK,
    2 * WEEK,
    4 * WEEK,
    4_838_400,
    9_676_800,
    180 * DAY,
    365 * DAY,
)

# Drupal's DateFormatter::formatInterval units: a month is 30 days, a year 365.
_INTERVAL_UNITS: Final = (
    ("year", 365 * DAY),
    ("month", 30 * DAY),
    ("week", WEEK),
    ("day", DAY),
    ("hour", HOUR),
    ("minute", MINUTE),
    ("second", 1),
)

ALLOWED_HTML_OPTIONS: Final[tuple[tuple[str, str], ...]] = (
    ("reader", "Reader: paragraphs, links, images, lists, tables, media and the like"),
    ("strict", "Strict: Drupal's short list (paragraphs, links, emphasis, lists; no images)"),
)


def interval_words(seconds: int, granularity: int = 2) -> str:
    """A period in words as Drupal's formatInterval writes it: "3 months 3 weeks", "1 year".

    At most `granularity` units; a unit that is zero after a shown one ends the text, so there
    is never "1 year 1 second".
    """
    parts: list[str] = []
    remaining = seconds
    for name, size in _INTERVAL_UNITS:
        if remaining >= size:
            count, remaining = divmod(remaining, size)
            parts.append(f"{count} {name}{'s' * (count != 1)}")
            granularity -= 1
        elif parts:
            break
        if granularity <= 0:
            break
    return " ".join(parts) or "0 seconds"


def discard_words(seconds: int) -> str:
    return "never" if seconds == 0 else interval_words(seconds)


def refresh_value(text: str) -> str:
    """A default_refresh setting as the refresh select's value: auto, never or seconds."""
    try:
        interval = parse_refresh(text)
    except ValueError:
        return text
    return "auto" if interval is None else "never" if interval == 0 else str(interval)


@dataclass(frozen=True, slots=True)
class Choices:
    """The options of the form's selects: the standard ones plus the values in use."""

    allowed_html: tuple[tuple[str, str], ...]
    discard_after: tuple[tuple[str, str], ...]
    default_refresh: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, *in_use: Settings) -> Choices:
        periods = sorted({*DISCARD_CHOICES, *(s.discard_after for s in in_use)})
        refresh = list(REFRESH_OPTIONS)
        known = {value for value, _ in refresh}
        for settings in in_use:
            value = refresh_value(settings.default_refresh)
            minutes = whole_number(value)
            if value not in known and minutes is not None:
                refresh.append((value, f"Every {format_refresh(minutes)}"))
                known.add(value)
        return cls(
            ALLOWED_HTML_OPTIONS,
            tuple((str(s), discard_words(s).capitalize()) for s in periods),
            tuple(refresh),
        )

    def values(self, name: str) -> set[str]:
        options: tuple[tuple[str, str], ...] = getattr(self, name)
        return {value for value, _ in options}


@dataclass(slots=True)
class SettingsForm:
    """The form's values as typed, by setting name, and the errors found in them."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of_settings(cls, settings: Settings) -> SettingsForm:
        return cls(
            {
                "allowed_html": settings.allowed_html,
                "items_in_source_listing": str(settings.items_in_source_listing),
                "discard_after": str(settings.discard_after),
                "default_refresh": refresh_value(settings.default_refresh),
            }
        )

    @classmethod
    def posted(cls, form: FormData, choices: Choices) -> SettingsForm:
        values = cls({name: str(form.get(name, "")).strip() for name in EDITABLE})
        values.validate(choices)
        return values

    def validate(self, choices: Choices) -> None:
        messages = {
            "allowed_html": "Choose reader or strict.",
            "discard_after": "Choose one of the listed periods.",
            "default_refresh": "Choose one of the listed intervals.",
        }
        for name, message in messages.items():
            if self.values[name] not in choices.values(name):
                self.errors[name] = message
        items = whole_number(self.values["items_in_source_listing"], MAX_ITEMS_IN_LISTING)
        if not items:
            self.errors["items_in_source_listing"] = (
                f"Enter a whole number from 1 to {MAX_ITEMS_IN_LISTING}."
            )

    def cleaned(self) -> dict[str, object]:
        """The values in the settings' own types (call only when there are no errors)."""
        return {name: check_site_setting(name, self.values[name]) for name in EDITABLE}


def _to_store(cleaned: Mapping[str, object], configured: Settings) -> dict[str, object]:
    """What to store: None (follow the settings file) where a value is the configured one."""
    stored: dict[str, object] = {}
    for name, value in cleaned.items():
        same = value == getattr(configured, name)
        if name == "default_refresh":
            same = refresh_value(str(value)) == refresh_value(configured.default_refresh)
        stored[name] = None if same else value
    return stored


def _configured_words(configured: Settings) -> dict[str, str]:
    """The configured (file, environment or default) value of each setting, in words."""
    return {
        "allowed_html": configured.allowed_html,
        "items_in_source_listing": str(configured.items_in_source_listing),
        "discard_after": discard_words(configured.discard_after),
        "default_refresh": configured.default_refresh,
    }


def _show(
    request: Request, session: Session, site: Site, form: SettingsForm, *, status: int = 200
) -> Response:
    return admin_page(
        request,
        session,
        "admin/settings.html",
        status=status,
        title="Site settings",
        form=form,
        choices=Choices.of(site.configured, site.settings),
        configured=_configured_words(site.configured),
        max_items=MAX_ITEMS_IN_LISTING,
    )


async def settings_form(request: Request) -> Response:
    session = await require_admin(request)
    site = site_of(request)
    return _show(request, session, site, SettingsForm.of_settings(site.settings))


async def save(request: Request) -> Response:
    session = await require_admin(request)
    form_data = await checked_form(request, session)
    site = site_of(request)
    form = SettingsForm.posted(form_data, Choices.of(site.configured, site.settings))
    if not form.errors:
        try:
            cleaned = form.cleaned()
        except ConfigError as exc:  # the checks above should have caught it; never a 500
            form.errors["form"] = str(exc)
    if form.errors:
        return _show(request, session, site, form)
    await run_in_threadpool(site.store.site_settings.set_many, _to_store(cleaned, site.configured))
    site.changed()  # pages show the new values; the site reads them again on the next request
    return redirect_after_post(request, session, HERE, "Saved the site settings.")


ROUTES = [
    Route(HERE, settings_form, methods=["GET"], name="admin_settings"),
    Route(HERE, save, methods=["POST"]),
]
