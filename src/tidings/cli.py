"""The `tidings` command: thin over the same functions the web uses.

A user error (bad URL, unknown id, unreadable file, unreachable database, port in use) prints one
line on stderr and exits 1; a traceback is a bug.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import click
import sqlalchemy as sa

from tidings import __version__
from tidings.accounts import AccountError, create_user
from tidings.config import (
    SETTING_FIELDS,
    ConfigError,
    Settings,
    env_name,
    load_settings,
    markdown_table,
)
from tidings.intervals import format_refresh, parse_refresh
from tidings.publish.opml import OPMLError
from tidings.store import Conflict, NotFound, StorageError, Store
from tidings.subscriptions import SubscriptionError, export_opml, import_opml, subscribe
from tidings.timeago import format_age, format_time_left

F = TypeVar("F", bound=Callable[..., Any])

# Errors that are the user's to fix: shown as one line, never as a traceback.
USER_ERRORS: tuple[type[Exception], ...] = (
    ConfigError,
    StorageError,
    SubscriptionError,
    OPMLError,
    AccountError,
    NotFound,
    Conflict,
)


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except USER_ERRORS as exc:
            raise click.ClickException(str(exc)) from None
        except sa.exc.OperationalError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "unknown error"
            raise click.ClickException(f"database error: {reason}") from None


class AppContext:
    """What the commands share: the settings, and a store opened (and migrated) on first use."""

    def __init__(self, config_file: str | None) -> None:
        self._config_file = config_file
        self._settings: Settings | None = None
        self._store: Store | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self._config_file)
        return self._settings

    def store(self, *, migrate: bool = True) -> Store:
        if self._store is None:
            self._store = Store.open(self.settings.effective_database_url())
            if migrate:
                self._store.migrate()
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


pass_app = click.make_pass_decorator(AppContext)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    envvar="TIDINGS_CONFIG",
    help="TOML file of settings (see `tidings config`).",
)
@click.version_option(__version__, prog_name="tidings")
@click.pass_context
def cli(ctx: click.Context, config_file: str | None) -> None:
    """tidings: a self-hosted news-feed aggregator."""
    app = AppContext(config_file)
    ctx.obj = app
    ctx.call_on_close(app.close)


def _refresh_option(value: str | None) -> int | None:
    try:
        return parse_refresh(value or "auto")
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@cli.command()
@click.argument("url")
@click.option("--title", help="Title to show instead of the feed's own.")
@click.option(
    "--refresh",
    default=None,
    metavar="auto|never|SECONDS",
    help="How often to check the feed (default: the default_refresh setting).",
)
@click.option("--category", "categories", multiple=True, help="Category (repeatable).")
@pass_app
def add(
    app: AppContext, url: str, title: str | None, refresh: str | None, categories: tuple[str, ...]
) -> None:
    """Subscribe to the feed at URL."""
    interval = _refresh_option(refresh or app.settings.default_refresh)
    feed = subscribe(
        app.store(), url, title=title, refresh_interval=interval, categories=categories
    )
    click.echo(f"added feed {feed.id}: {feed.url}")


@cli.command()
@click.argument("feed_id", type=int)
@pass_app
def remove(app: AppContext, feed_id: int) -> None:
    """Unsubscribe from feed FEED_ID and delete its entries."""
    app.store().feeds.remove(feed_id)
    click.echo(f"removed feed {feed_id}")


def _age(moment: datetime | None, now: datetime) -> str:
    return format_age(moment, now) if moment else "never"


@cli.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_app
def list_feeds(app: AppContext, as_json: bool) -> None:
    """List the feeds: id, title, URL, entries, last and next check, last error."""
    now = datetime.now(UTC)
    feeds = app.store().feeds.all()
    if as_json:
        rows = [
            {
                "id": f.id,
                "title": f.display_title,
                "url": f.url,
                "entries": f.entry_count,
                "refresh": format_refresh(f.refresh_interval),
                "checked_at": f.checked_at.isoformat() if f.checked_at else None,
                "next_check_at": f.next_check_at.isoformat() if f.next_check_at else None,
                "last_error": f.last_error,
                "disabled_reason": f.disabled_reason,
            }
            for f in feeds
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    table: list[tuple[str, ...]] = [
        ("ID", "TITLE", "URL", "ENTRIES", "LAST CHECK", "NEXT CHECK", "LAST ERROR")
    ]
    for f in feeds:
        next_check = (
            f"disabled: {f.disabled_reason}"
            if f.disabled_reason
            else format_time_left(f.next_check_at, now)
        )
        table.append(
            (
                str(f.id),
                _clip(f.display_title, 40),
                f.url,
                str(f.entry_count),
                _age(f.checked_at, now),
                next_check,
                _clip(f.last_error or "", 60),
            )
        )
    _print_table(table)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _print_table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


@cli.command(name="import")
@click.argument("opml_file", type=click.File("rb"))
@pass_app
def import_command(app: AppContext, opml_file: Any) -> None:
    """Subscribe to every feed of an OPML file (use - for stdin)."""
    report = import_opml(app.store(), opml_file.read())
    click.echo(
        f"imported {len(report.added)} feeds, skipped {len(report.duplicates)} already "
        f"subscribed, {len(report.invalid)} invalid"
    )
    for line in report.invalid:
        click.echo(f"invalid: {line}", err=True)


@cli.command()
@pass_app
def export(app: AppContext) -> None:
    """Print every subscription as OPML."""
    sys.stdout.buffer.write(export_opml(app.store(), title=f"{app.settings.site_name} feeds"))
    sys.stdout.flush()


@cli.command()
@pass_app
def migrate(app: AppContext) -> None:
    """Bring the database schema up to date."""
    applied = app.store(migrate=False).migrate()
    click.echo(f"applied {', '.join(applied)}" if applied else "the schema is up to date")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--markdown", is_flag=True, help="Print the table of every setting, for the docs.")
@pass_app
def config(app: AppContext, as_json: bool, markdown: bool) -> None:
    """Print the effective settings (secrets masked) and where each can be set."""
    if markdown:
        click.echo(markdown_table(), nl=False)
        return
    shown = app.settings.masked()
    if as_json:
        click.echo(json.dumps(shown, indent=2))
        return
    width = max(len(name) for name in shown)
    for f in SETTING_FIELDS:
        click.echo(f"{f.name.ljust(width)}  {shown[f.name]!s:30}  ({env_name(f.name)})")


@cli.group()
def user() -> None:
    """Manage user accounts."""


@user.command(name="add")
@click.argument("name")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--admin", is_flag=True, help="May administer sources, users and settings.")
@pass_app
def user_add(app: AppContext, name: str, password: str, admin: bool) -> None:
    """Create the user NAME."""
    created = create_user(app.store(), name, password, is_admin=admin)
    click.echo(f"added {'admin' if created.is_admin else 'user'} {created.name} (id {created.id})")


@user.command(name="list")
@pass_app
def user_list(app: AppContext) -> None:
    """List the users."""
    for u in app.store().users.all():
        click.echo(f"{u.id}\t{u.name}\t{'admin' if u.is_admin else 'reader'}")


def main() -> None:
    """Entry point of the `tidings` console script and `python -m tidings`."""
    cli(prog_name="tidings")
