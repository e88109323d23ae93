"""The add/edit source form: reading, validating and re-showing what the admin typed."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.datastructures import FormData

from tidings.errors import InvalidInput
from tidings.intervals import REFRESH_CHOICES, format_refresh
from tidings.model import Feed
from tidings.reading.limits import category_name, subscription_title
from tidings.subscriptions import SubscriptionError, normalize_feed_url

# (value, label) of the refresh select: auto, never, then Drupal's fixed intervals.
REFRESH_OPTIONS: tuple[tuple[str, str], ...] = (
    ("auto", "Automatic (follows how often the feed publishes)"),
    ("never", "Never"),
    *((str(s), f"Every {format_refresh(s)}") for s in REFRESH_CHOICES),
)


@dataclass(slots=True)
class SourceForm:
    """The form's values as typed, and the errors found in them, by field."""

    url: str = ""
    title: str = ""
    refresh: str = "auto"
    categories: list[str] = field(default_factory=list)
    new_categories: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of_feed(cls, feed: Feed, categories: list[str]) -> SourceForm:
        """The form filled with a stored feed's values, for editing."""
        refresh = feed.refresh_interval
        value = "auto" if refresh is None else "never" if refresh == 0 else str(refresh)
        return cls(url=feed.url, title=feed.title or "", refresh=value, categories=categories)

    @classmethod
    def posted(cls, form: FormData) -> SourceForm:
        """The values of a posted form, checked; problems are in `errors`."""
        values = cls(
            url=str(form.get("url", "")).strip(),
            title=str(form.get("title", "")).strip(),
            refresh=str(form.get("refresh", "auto")),
            categories=[str(v) for v in form.getlist("category") if str(v).strip()],
            new_categories=str(form.get("new_categories", "")),
        )
        values.validate()
        return values

    def validate(self) -> None:
        if not self.url:
            self.errors["url"] = "Enter the address of a feed or of a website."
        else:
            try:
                self.url = normalize_feed_url(self.url)
            except SubscriptionError as exc:
                self.errors["url"] = str(exc)
        # The store's rules (reading.limits), so the form says what the store would refuse.
        try:
            subscription_title(self.title)
        except InvalidInput as exc:
            self.errors["title"] = str(exc)
        if self.refresh not in {value for value, _ in REFRESH_OPTIONS}:
            self.errors["refresh"] = "Choose one of the listed intervals."
        try:
            for name in self.category_names:
                category_name(name)
        except InvalidInput as exc:
            self.errors["categories"] = str(exc)

    @property
    def refresh_interval(self) -> int | None:
        """The chosen interval in seconds: None for auto, 0 for never."""
        if self.refresh == "auto":
            return None
        if self.refresh == "never":
            return 0
        return int(self.refresh)

    @property
    def category_names(self) -> list[str]:
        """The ticked categories and the new ones typed, without repeats."""
        typed = [name.strip() for name in self.new_categories.split(",")]
        return list(dict.fromkeys(n.strip() for n in [*self.categories, *typed] if n.strip()))
