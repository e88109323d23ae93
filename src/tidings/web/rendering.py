"""The Jinja2 environment: autoescaped templates and the helpers they call."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from tidings.durations import format_duration
from tidings.intervals import format_refresh
from tidings.publish.channel import http_url
from tidings.reading.enclosures import enclosure_id
from tidings.timeago import format_age, format_short_age, format_time_left, format_utc
from tidings.web.assets import StaticAssets


def iso_time(moment: datetime | None) -> str:
    """The time as ISO 8601 in UTC for a `<time datetime>`, or "" for none."""
    if moment is None:
        return ""
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def time_tag(moment: datetime, text: str) -> Markup:
    """`<time>` showing `text` (an age, say), with the ISO time for machines and the absolute
    time in UTC on hover: `<time datetime="2026-12-04T08:15:00Z" title="2026-12-04 08:15 UTC">`."""
    return Markup('<time datetime="{}" title="{}">{}</time>').format(
        iso_time(moment), format_utc(moment), text
    )


class Templates:
    """Renders the templates of web/templates; every value is escaped unless marked safe."""

    def __init__(self, assets: StaticAssets) -> None:
        self.env = Environment(
            loader=PackageLoader("tidings.web", "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
        )
        self.env.globals.update(
            static=assets.url,
            age=format_age,
            short_age=format_short_age,
            time_tag=time_tag,
            time_left=format_time_left,
            iso=iso_time,
            utc=format_utc,
            http_url=http_url,
            refresh_words=format_refresh,
            duration=format_duration,
            enclosure_id=enclosure_id,
        )

    def render(self, name: str, context: dict[str, Any]) -> bytes:
        """The template `name` rendered with `context`, as UTF-8."""
        return self.env.get_template(name).render(context).encode()
