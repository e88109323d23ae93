"""The `tidings` command: thin over the same functions the web uses.

A user error (bad URL, unknown id, unreadable file, unreachable database, port in use) prints one
line on stderr and exits 1; a traceback is a bug. Text that comes from a feed or a user is printed
through `terminal_text` (error messages and log lines too), so no control character reaches the
terminal raw; `--json` output is escaped by json.dumps.

Startup: this module imports only click and a few small modules of tidings. Each command imports
what it needs in its body (the store and SQLAlchemy, the refresher, discovery and httpx, the web
stack, argon2), so `tidings --help` imports no database code and `tidings list` no network, web
or password code; tests/cli/test_startup.py holds that, docs/design.md has the times.
"""

from __future__ import annotations

import sys
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

import click

from tidings import __version__
from tidings.errors import UserError
from tidings.store.errors import NotFound, StorageError
from tidings.terminal import terminal_text

if TYPE_CHECKING:
    from datetime import datetime

    from tidings.config import Settings
    from tidings.model import ParsedFeed
    from tidings.refresh.run import RefreshSummary
    from tidings.store import Store


def _user_error_message(exc: Exception) -> str | None:
    """The one line to show for an error that is the user's to fix; None for a bug."""
    # Imported here, once an error has happened: ConfigError's module is loaded whenever one
    # was raised. SQLAlchemy is looked up, not imported: a command that never loaded it cannot
    # have raised its errors, and importing it would cost ~0.25 s on the way to a traceback.
    from tidings.config import ConfigError

    if isinstance(exc, ConfigError | StorageError | UserError):
        return str(exc)
    sa_exc = sys.modules.get("sqlalchemy.exc")
    if sa_exc is not None and isinstance(exc, sa_exc.OperationalError):
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "unknown error"
        return f"database error: {reason}"
    return None


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.ClickException as exc:
            # The commands' own messages name URLs, feed links and server replies: escaped like
            # everything shown. (Click's usage errors only repeat what the admin typed.)
            if type(exc) is not click.ClickException:
                raise
            raise click.ClickException(terminal_text(exc.message)) from None
        except Exception as exc:
            message = _user_error_message(exc)
            if message is None:
                raise
            raise click.ClickException(terminal_text(message)) from None


class AppContext:
    """What the commands share: the settings, and a store opened (and migrated) on first use."""

    def __init__(self, config_file: str | None) -> None:
        self.config_file = config_file
        self._settings: Settings | None = None
        self._store: Store | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from tidings.config import load_settings

            self._settings = load_settings(self.config_file)
        return self._settings

    def use_settings(self, settings: Settings) -> None:
        """Replace the settings (before the store is opened), e.g. with command-line overrides."""
        self._settings = settings

    def store(self, *, migrate: bool = True) -> Store:
        if self._store is None:
            from tidings.store import Store

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
    from tidings.intervals import parse_refresh

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
@click.option(
    "--check/--no-check",
    default=True,
    help="Find the feed at URL (a web page leads to its feed) and fetch it before adding "
    "(default); --no-check adds the URL as typed, for the next refresh to fetch.",
)
@pass_app
def add(
    app: AppContext,
    url: str,
    title: str | None,
    refresh: str | None,
    categories: tuple[str, ...],
    check: bool,
) -> None:
    """Subscribe to the feed at URL."""
    from tidings.subscriptions import subscribe

    interval = _refresh_option(refresh or app.settings.default_refresh)
    store, settings = app.store(), app.settings
    if check:
        import asyncio  # here: --no-check runs no event loop, and asyncio takes ~30 ms to import

        url = asyncio.run(_find(settings, url))
    feed = subscribe(
        store,
        url,
        title=title,
        refresh_interval=interval,
        categories=categories,
        allow_private_networks=settings.allow_private_networks,
    )
    if not check:
        click.echo(f"added feed {feed.id}: {terminal_text(feed.url)}")
        return
    import asyncio

    asyncio.run(_first_check(store, settings, feed.id))
    checked = next(f for f in store.feeds.all(include_private=True) if f.id == feed.id)
    if checked.last_error:
        outcome = f"its first check failed: {checked.last_error}"
    elif checked.checked_at is None:
        outcome = "not fetched yet"
    else:
        outcome = f"{checked.entry_count} entries"
    click.echo(f"added feed {feed.id}: {terminal_text(feed.url)} ({terminal_text(outcome)})")


async def _find(settings: Settings, url: str) -> str:
    """The feed at `url` (discovery), within subscribe_timeout; a UserError otherwise."""
    import asyncio

    from tidings.discovery import find_feed
    from tidings.subscriptions import SubscriptionError, check_feed_url

    checked = check_feed_url(url, allow_private_networks=settings.allow_private_networks)
    try:
        return await asyncio.wait_for(find_feed(settings, checked), settings.subscribe_timeout)
    except TimeoutError:
        raise SubscriptionError(
            f"{checked} did not answer within {settings.subscribe_timeout:g} s."
        ) from None


async def _first_check(store: Store, settings: Settings, feed_id: int) -> None:
    import asyncio
    import contextlib

    from tidings.refresh.run import refresh_now

    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(refresh_now(store, settings, feed_id), settings.subscribe_timeout)


@cli.command()
@click.argument("feed_id", type=int)
@pass_app
def remove(app: AppContext, feed_id: int) -> None:
    """Unsubscribe from feed FEED_ID and delete its entries."""
    app.store().feeds.remove(feed_id)
    click.echo(f"removed feed {feed_id}")


def _age(moment: datetime | None, now: datetime) -> str:
    from tidings.timeago import format_age

    return format_age(moment, now) if moment else "never"


@cli.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_app
def list_feeds(app: AppContext, as_json: bool) -> None:
    """List the feeds: id, title, URL, entries, last and next check, last error."""
    import json
    from datetime import UTC, datetime

    from tidings.intervals import format_refresh
    from tidings.timeago import format_time_left

    now = datetime.now(UTC)
    feeds = app.store().feeds.all(include_private=True)
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
                _clip(terminal_text(f.display_title), 40),
                terminal_text(f.url),
                str(f.entry_count),
                _age(f.checked_at, now),
                terminal_text(next_check),
                _clip(terminal_text(f.last_error or ""), 60),
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
    from tidings.subscriptions import import_opml

    report = import_opml(
        app.store(),
        opml_file.read(),
        allow_private_networks=app.settings.allow_private_networks,
    )
    click.echo(
        f"imported {len(report.added)} feeds, skipped {len(report.duplicates)} already "
        f"subscribed, {len(report.invalid)} invalid"
    )
    for line in report.invalid:
        click.echo(f"invalid: {terminal_text(line)}", err=True)


@cli.command()
@pass_app
def export(app: AppContext) -> None:
    """Print every subscription as OPML."""
    from tidings.subscriptions import export_opml

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
    import json

    from tidings.config import SETTING_FIELDS, env_name, markdown_table

    if markdown:
        click.echo(markdown_table(), nl=False)
        return
    shown = app.settings.masked()
    if as_json:
        click.echo(json.dumps(shown, indent=2))
        return
    width = max(len(name) for name in shown)
    for f in SETTING_FIELDS:
        value = terminal_text(shown[f.name])
        click.echo(f"{f.name.ljust(width)}  {value:30}  ({env_name(f.name)})")


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
    from tidings.accounts import create_user

    created = create_user(app.store(), name, password, is_admin=admin)
    role = "admin" if created.is_admin else "user"
    click.echo(f"added {role} {terminal_text(created.name)} (id {created.id})")


@user.command(name="list")
@pass_app
def user_list(app: AppContext) -> None:
    """List the users."""
    for u in app.store().users.all():
        click.echo(f"{u.id}\t{terminal_text(u.name)}\t{'admin' if u.is_admin else 'reader'}")


def _user_id(store: Store, name: str) -> int:
    """The id of the user named `name`; NotFound (a one-line error) when there is none."""
    found = store.users.credentials(name)
    if found is None:
        raise NotFound(f"no user named {name!r}")
    return found[0].id


@user.command(name="remove")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_app
def user_remove(app: AppContext, name: str, yes: bool) -> None:
    """Remove the user NAME with their subscriptions, categories, reading state and API keys."""
    store = app.store()
    user_id = _user_id(store, name)
    if not yes:
        click.confirm(f"Remove {terminal_text(name)} and all their reading data?", abort=True)
    store.users.remove(user_id)
    click.echo(f"removed {terminal_text(name)}")


@user.command(name="passwd")
@click.argument("name")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@pass_app
def user_passwd(app: AppContext, name: str, password: str) -> None:
    """Set a new password for the user NAME."""
    from tidings.accounts import check_new_password, hash_password

    store = app.store()
    user_id = _user_id(store, name)
    check_new_password(password)
    store.users.set_password_hash(user_id, hash_password(password))
    click.echo(f"changed the password of {terminal_text(name)} and signed them out everywhere")


def main() -> None:
    """Entry point of the `tidings` console script and `python -m tidings`."""
    cli(prog_name="tidings")


@cli.command()
@click.option("--all", "all_feeds", is_flag=True, help="Check every feed now, due or not.")
@click.argument("feed_ids", nargs=-1, type=int)
@pass_app
def refresh(app: AppContext, all_feeds: bool, feed_ids: tuple[int, ...]) -> None:
    """Check the due feeds once (or FEED_IDS, or --all) and print a summary line."""
    import asyncio

    store = app.store()
    for feed_id in feed_ids:
        store.feeds.get(feed_id)  # NotFound for an unknown id, before any work
    if feed_ids or all_feeds:
        store.feeds.schedule_now(list(feed_ids) if feed_ids else None)
    selected = list(feed_ids) or None
    summary = asyncio.run(_refresh_once(store, app.settings, selected))
    click.echo(summary.line())


async def _refresh_once(
    store: Store, settings: Settings, feed_ids: list[int] | None
) -> RefreshSummary:
    from datetime import UTC, datetime

    from tidings.refresh.run import Refresher

    async with Refresher(store, settings) as refresher:
        if not sys.stderr.isatty():
            return await refresher.refresh_due(feed_ids)
        due = store.updates.count_due(datetime.now(UTC), feed_ids)
        with click.progressbar(length=due, label="checking feeds", file=sys.stderr) as bar:
            return await refresher.refresh_due(feed_ids, on_feed=lambda _f, _u: bar.update(1))


@cli.command()
@pass_app
def worker(app: AppContext) -> None:
    """Keep checking due feeds until stopped (several workers may share one PostgreSQL)."""
    import asyncio

    from tidings.refresh.run import run_refresher

    store = app.store()
    _configure_logging(app.settings)
    database = app.settings.masked()["database_url"]
    click.echo(f"tidings worker checking the feeds of {database}", err=True)
    asyncio.run(_run_until_signalled(run_refresher(store, app.settings)))


async def _run_until_signalled(work: Coroutine[Any, Any, None]) -> None:
    """Run `work` until it ends or SIGINT/SIGTERM arrive; then cancel it and let it clean up."""
    import asyncio
    import contextlib
    import signal

    task = asyncio.ensure_future(work)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, task.cancel)
    with contextlib.suppress(asyncio.CancelledError):
        await task


def _configure_logging(settings: Settings) -> None:
    import logging

    class _TerminalFormatter(logging.Formatter):
        """Log lines quote feed URLs and server replies: their control characters are escaped
        (newlines kept, for tracebacks)."""

        def format(self, record: logging.LogRecord) -> str:
            return terminal_text(super().format(record), one_line=False)

    handler = logging.StreamHandler()
    handler.setFormatter(_TerminalFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=settings.log_level.upper(), handlers=[handler])


@cli.command()
@click.argument("source")
@click.option("--json", "as_json", is_flag=True, help="Print the records as JSON.")
@pass_app
def parse(app: AppContext, source: str, as_json: bool) -> None:
    """Show what tidings sees in a feed: SOURCE is a file or an http(s) URL."""
    import asyncio
    from pathlib import Path

    from tidings.discovery import fetch_url
    from tidings.parse import FeedParseError, parse_feed
    from tidings.parse.describe import describe, format_text
    from tidings.terminal import terminal_json

    settings = app.settings
    path = Path(source)
    if path.is_file():
        body, url, content_type = path.read_bytes(), None, None
    elif source.startswith(("http://", "https://")):
        result = asyncio.run(fetch_url(settings, source))
        if result.error or result.body is None:
            raise click.ClickException(result.error or f"no body (status {result.status})")
        body, url, content_type = result.body, result.final_url, result.headers.get("content-type")
    else:
        raise click.ClickException(f"{source!r} is neither a file nor an http(s) URL")
    try:
        parsed = parse_feed(
            body,
            url,
            content_type,
            allowed_html=settings.allowed_html,
            max_entries=settings.max_entries_per_document,
            max_bytes=settings.max_body_bytes,
            max_entry_bytes=settings.max_entry_bytes,
            max_title_length=settings.max_title_length,
        )  # in this process: a command, not the server (the parser's own limits still hold)
    except FeedParseError as exc:
        links = f"; the page announces: {', '.join(exc.feed_links)}" if exc.feed_links else ""
        raise click.ClickException(f"not a feed: {exc}{links}") from None
    if as_json:
        click.echo(terminal_json(describe(parsed)))
    else:
        # Fields first, so that a newline in a title cannot make a line of its own; then the
        # whole text, which holds what the summaries' HTML decoded (&#27; is an ESC).
        click.echo(terminal_text(format_text(_one_line_fields(parsed)), one_line=False))


def _one_line_fields(parsed: ParsedFeed) -> ParsedFeed:
    """The feed with the fields `tidings parse` prints on one line escaped for a terminal."""
    import dataclasses

    def line(text: str | None) -> str | None:
        return None if text is None else terminal_text(text)

    entries = tuple(
        dataclasses.replace(
            e,
            id=terminal_text(e.id),
            link=line(e.link),
            title=terminal_text(e.title),
            author=line(e.author),
        )
        for e in parsed.entries
    )
    return dataclasses.replace(
        parsed,
        title=terminal_text(parsed.title),
        link=line(parsed.link),
        description=line(parsed.description),
        image=line(parsed.image),
        language=line(parsed.language),
        hub=line(parsed.hub),
        self_url=line(parsed.self_url),
        warnings=tuple(terminal_text(w) for w in parsed.warnings),
        entries=entries,
    )


@cli.command()
@click.option("--host", help="Address to listen on (default: the host setting).")
@click.option("--port", type=int, help="Port to listen on (default: the port setting).")
@click.option("--workers", type=click.IntRange(1, 64), default=1, help="Server processes.")
@click.option("--no-refresh", is_flag=True, help="Serve only; leave refreshing to workers.")
@pass_app
def serve(
    app: AppContext, host: str | None, port: int | None, workers: int, no_refresh: bool
) -> None:
    """Serve the web UI, with the refresher running in the background."""
    import os

    import uvicorn

    # Imported here: the web stack (Starlette, Jinja2) is the slowest import; only serve needs it.
    from tidings import server
    from tidings.config import ensure_secret_key, load_settings

    settings = ensure_secret_key(load_settings(app.config_file, host=host, port=port))
    app.use_settings(settings)
    store = app.store()  # migrates before any server process starts
    _configure_logging(settings)
    _check_port_free(settings.host, settings.port)
    click.echo(f"tidings serving http://{settings.host}:{settings.port}/", err=True)
    options: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "log_level": settings.log_level,
        # Believed only from the proxies named (uvicorn's default is 127.0.0.1).
        "proxy_headers": bool(settings.forwarded_allow_ips.strip()),
        "forwarded_allow_ips": settings.forwarded_allow_ips.strip() or None,
        "server_header": False,
    }
    if workers == 1:
        uvicorn.run(server.build_app(settings, store, refresh=not no_refresh), **options)
        return
    # Worker processes rebuild the settings from the environment: hand them the secret key
    # and the overrides, so that every process signs sessions alike.
    os.environ["TIDINGS_SECRET_KEY"] = settings.secret_key
    if app.config_file:
        os.environ["TIDINGS_CONFIG"] = app.config_file
    os.environ[server.NO_REFRESH_VARIABLE] = "1" if no_refresh else "0"
    uvicorn.run("tidings.server:app_from_environment", factory=True, workers=workers, **options)


def _check_port_free(host: str, port: int) -> None:
    """Raise a one-line error when the address cannot be listened on."""
    import errno
    import socket

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            reason = "it is in use" if exc.errno == errno.EADDRINUSE else exc.strerror
            raise click.ClickException(f"cannot listen on {host}:{port}: {reason}") from None


@user.command(name="api-password")
@click.argument("name")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="The API password (asked when not given).",
)
@pass_app
def user_api_password(app: AppContext, name: str, password: str) -> None:
    """Set the API password NAME's Google Reader and Fever apps sign in with."""
    from tidings.accounts import AccountError

    store = app.store()
    found = next((u for u in store.users.all() if u.name == name), None)
    if found is None:
        raise NotFound(f"no user named {name!r}")
    try:
        store.api_passwords.set_api_password(found.id, found.name, password)
    except ValueError as exc:
        raise AccountError(str(exc)) from None
    shown = terminal_text(found.name)
    click.echo(f"API password set for {shown}: use it in Google Reader and Fever apps")
