"""One table of settings: every part of tidings reads its configuration from here.

Each setting is a field of `Settings` with its help text in the field's metadata, so the table
that the CLI prints, the docs list and the loader checks is the dataclass itself. Values come, in
rising order of precedence, from the defaults, an optional TOML file (`--config` or
`TIDINGS_CONFIG`), and `TIDINGS_<NAME>` environment variables.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


class ConfigError(ValueError):
    """A setting has a value tidings cannot use; the message is one line for the user."""


def _setting(
    default: Any, help: str, *, secret: bool = False, choices: tuple[str, ...] = ()
) -> Any:
    return field(default=default, metadata={"help": help, "secret": secret, "choices": choices})


@dataclass(frozen=True, slots=True)
class Settings:
    """The effective settings of one tidings process."""

    data_dir: str = _setting("./tidings-data", "Folder for the SQLite database and the secret key.")
    database_url: str = _setting(
        "",
        "SQLAlchemy URL of the database, e.g. postgresql://user@host/db. "
        "Empty: a SQLite file tidings.db in data_dir.",
        secret=True,
    )
    secret_key: str = _setting(
        "",
        "Key that signs sessions and CSRF tokens. Empty: generated once and kept in "
        "data_dir/secret_key.",
        secret=True,
    )
    host: str = _setting("127.0.0.1", "Address the web server listens on.")
    port: int = _setting(8080, "Port the web server listens on.")
    base_url: str = _setting(
        "", "Public address of the site (for output feeds); empty: taken from each request."
    )
    site_name: str = _setting("tidings", "Name shown in page titles and output feeds.")
    forwarded_allow_ips: str = _setting(
        "127.0.0.1",
        "Addresses (comma-separated IPs or networks, * for any) of the reverse proxies whose "
        "X-Forwarded-For and X-Forwarded-Proto headers are believed: the client's address they "
        "give is what sign-in limits count. The proxy must set X-Forwarded-For itself (nginx: "
        "proxy_set_header X-Forwarded-For $remote_addr), or a client's own header passes "
        "through. Empty: no proxy, the headers are ignored.",
    )
    allow_private_networks: bool = _setting(
        False,
        "Allow feeds on loopback, private and link-local addresses. Off by default so that "
        "a subscription cannot be used to probe the server's own network.",
    )
    require_sign_in: bool = _setting(False, "Require sign-in to read the public pages.")
    max_subscriptions_per_user: int = _setting(
        1000,
        "Subscriptions one reader may have, whichever way they subscribe (web, Miniflux and "
        "Google Reader apps, OPML import); 0: no limit. Feeds an admin publishes do not count.",
    )
    proxy: str = _setting(
        "",
        "Forward proxy for every outbound request: empty for none (HTTP_PROXY is not read "
        'unless asked), "environment" for HTTP_PROXY, HTTPS_PROXY and NO_PROXY, or a URL '
        "http://[user:password@]host:port (NO_PROXY still applies). Through a proxy the network "
        "guard vets each feed's host, but the proxy makes the connection.",
    )
    subscribe_timeout: float = _setting(
        20.0,
        "Seconds a subscription may take to find, fetch and store its feed before the answer "
        "(the web form, Miniflux POST /v1/feeds and its refresh, Google Reader quickadd); a feed "
        "not fetched by then is subscribed all the same and fetched by the next refresh.",
    )
    fetch_timeout: float = _setting(30.0, "Seconds a whole fetch may take, body included.")
    connect_timeout: float = _setting(10.0, "Seconds to wait for a connection.")
    max_body_bytes: int = _setting(10_000_000, "Largest feed document fetched, in bytes.")
    max_entries_per_document: int = _setting(1000, "Entries read from one feed document.")
    concurrency: int = _setting(50, "Feeds fetched at once.")
    per_host_concurrency: int = _setting(2, "Feeds fetched at once from one host.")
    parse_workers: int = _setting(0, "Processes that parse feeds; 0: one per CPU core.")
    parse_timeout: float = _setting(
        10.0,
        "Seconds one feed document may take to parse; past it the parse process is stopped and "
        "the check fails.",
    )
    max_entry_bytes: int = _setting(
        524_288,
        "Largest summary and content of one entry together, in bytes (UTF-8); a longer entry "
        "is cut short.",
    )
    max_title_length: int = _setting(
        1000, "Longest title, author or category name kept, in characters; longer ones are cut."
    )
    default_refresh: str = _setting(
        "auto", "Refresh interval of new feeds: auto, never, or a number of seconds."
    )
    discard_after: int = _setting(
        9_676_800,
        "Seconds after which entries are removed (default 3 months 3 weeks, as Drupal); 0 keeps "
        "them forever. Starred entries and entries still in their feed are never removed.",
    )
    max_entries_per_feed: int = _setting(0, "Entries kept per feed; 0: no limit.")
    disable_after_days: int = _setting(30, "Days of failing before a feed is disabled.")
    lease_seconds: int = _setting(
        300, "How long a worker holds a claimed feed before another worker may take it over."
    )
    fetch_log_size: int = _setting(50, "Fetch log lines kept per feed.")
    websub_lease_seconds: int = _setting(
        864_000,
        "Lease asked of WebSub hubs, in seconds (they may grant another); renewed before it ends. "
        "Subscribing needs base_url.",
    )
    websub_hub: str = _setting(
        "",
        "WebSub hub our output feeds announce and that tidings pings when they change; "
        "empty: none.",
    )
    allowed_html: str = _setting(
        "reader",
        "HTML kept in feed content: reader (paragraphs, links, images, lists, tables, media...) "
        "or strict (Drupal's short list).",
        choices=("reader", "strict"),
    )
    media_proxy: str = _setting(
        "http-only",
        "Images in entries served through this site's signed /proxy/ URLs: off, http-only (only "
        "insecure http: images, Miniflux's default) or all (readers' addresses hidden from every "
        "image host).",
        choices=("off", "http-only", "all"),
    )
    items_in_source_listing: int = _setting(3, "Entries shown per source on /sources.")
    page_size: int = _setting(20, "Entries per page.")
    log_level: str = _setting(
        "info", "Logging level.", choices=("debug", "info", "warning", "error")
    )

    def effective_database_url(self) -> str:
        """The database URL to connect to: the setting, or SQLite in the data folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{Path(self.data_dir).resolve() / 'tidings.db'}"

    def masked(self) -> dict[str, str]:
        """Every setting as text, with secrets masked and a password in a URL hidden."""
        shown: dict[str, str] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.metadata["secret"] and value:
                value = _mask(str(value)) if f.name == "database_url" else "********"
            elif f.name == "database_url":
                value = f"({self.effective_database_url()})"
            elif f.name == "secret_key":
                value = f"(kept in {Path(self.data_dir) / 'secret_key'}, made on first use)"
            shown[f.name] = _format(value)
        return shown


SETTING_FIELDS: tuple[dataclasses.Field[Any], ...] = dataclasses.fields(Settings)
ENV_PREFIX = "TIDINGS_"


def env_name(name: str) -> str:
    """The environment variable that sets `name`."""
    return ENV_PREFIX + name.upper()


def _format(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _mask(url: str) -> str:
    # Only the password is secret in a database URL; the host and database help debugging.
    scheme, sep, rest = url.partition("://")
    userinfo, at, hostpart = rest.rpartition("@")
    if not sep or not at or ":" not in userinfo:
        return url
    user = userinfo.split(":", 1)[0]
    return f"{scheme}://{user}:********@{hostpart}"


def convert_setting(f: dataclasses.Field[Any], raw: object, source: str) -> Any:
    """The value of `raw` in the type of setting `f`, or a ConfigError naming `source`."""
    kind = f.type if isinstance(f.type, str) else f.type.__name__
    try:
        if kind == "bool":
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off", ""}:
                return False
            raise ValueError
        if kind == "int":
            if isinstance(raw, bool):
                raise ValueError
            value: Any = int(str(raw).strip())
            if value < 0:
                raise ConfigError(f"{source}: must not be negative, got {raw!r}")
        elif kind == "float":
            value = float(str(raw).strip())
            if value <= 0:
                raise ConfigError(f"{source}: must be greater than 0, got {raw!r}")
        else:
            value = str(raw)
    except ValueError as exc:
        if isinstance(exc, ConfigError):
            raise
        raise ConfigError(f"{source}: expected {_KIND_WORDS[kind]}, got {raw!r}") from None
    choices = f.metadata["choices"]
    if choices and value not in choices:
        raise ConfigError(f"{source}: must be one of {', '.join(choices)}, got {raw!r}")
    if f.name == "port" and not 0 < value < 65536:
        raise ConfigError(f"{source}: a port is a number from 1 to 65535, got {raw!r}")
    if f.name == "proxy" and value.strip() not in ("", "environment"):
        parts = urlsplit(value.strip())
        try:
            port_ok = parts.port is not None
        except ValueError:
            port_ok = False
        if parts.scheme != "http" or not parts.hostname or not port_ok:
            raise ConfigError(
                f"{source}: a proxy is http://[user:password@]host:port or environment, got {raw!r}"
            )
    return value


_KIND_WORDS = {"bool": "true or false", "int": "a whole number", "float": "a number", "str": "text"}


def _read_file(path: Path) -> dict[str, Any]:
    import tomllib  # here: most commands run without a config file, and start sooner for it

    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except OSError as exc:
        raise ConfigError(f"config file {path} cannot be read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None


def load_settings(
    config_file: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Settings from defaults, then the TOML file, then TIDINGS_* variables, then `overrides`.

    Raises ConfigError (one line) for an unknown key in the file, an unknown TIDINGS_ variable
    or a value of the wrong type.
    """
    env = os.environ if environ is None else environ
    by_name = {f.name: f for f in SETTING_FIELDS}
    values: dict[str, Any] = {}

    path = config_file or env.get("TIDINGS_CONFIG")
    if path:
        for key, raw in _read_file(Path(path)).items():
            name = key.replace("-", "_")
            if name not in by_name:
                raise ConfigError(f"config file {path}: unknown setting {key!r}")
            values[name] = convert_setting(by_name[name], raw, f"config file {path}: {key}")

    known_env = {env_name(name) for name in by_name} | {"TIDINGS_CONFIG"}
    for var, raw in env.items():
        if not var.startswith(ENV_PREFIX) or var.startswith("TIDINGS_TEST_"):
            continue
        if var not in known_env:
            raise ConfigError(f"unknown environment variable {var}")
        name = var[len(ENV_PREFIX) :].lower()
        if name in by_name:
            values[name] = convert_setting(by_name[name], raw, var)

    for name, raw in overrides.items():
        if raw is not None:
            values[name] = convert_setting(by_name[name], raw, f"--{name.replace('_', '-')}")
    return Settings(**values)


def ensure_secret_key(settings: Settings) -> Settings:
    """Settings whose secret_key is set: the given one, or one kept in data_dir/secret_key."""
    if settings.secret_key:
        return settings
    key_file = Path(settings.data_dir) / "secret_key"
    try:
        key = key_file.read_text().strip()
    except FileNotFoundError:
        key = ""
    if not key:
        key_file.parent.mkdir(parents=True, exist_ok=True)
        import secrets  # once, the first time tidings runs in a data directory

        key = secrets.token_urlsafe(32)
        # Created with 0600 so other users of the machine cannot forge sessions.
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(key + "\n")
    return dataclasses.replace(settings, secret_key=key)


def markdown_table() -> str:
    """The settings as a Markdown table: variable, TOML key, type, default, help."""
    lines = [
        "| variable | TOML key | type | default | meaning |",
        "|---|---|---|---|---|",
    ]
    for f in SETTING_FIELDS:
        kind = f.type if isinstance(f.type, str) else f.type.__name__
        choices = f.metadata["choices"]
        if choices:
            kind = " \\| ".join(choices)
        default = _format(f.default) if f.default != "" else "(empty)"
        lines.append(
            f"| `{env_name(f.name)}` | `{f.name}` | {kind} | `{default}` | {f.metadata['help']} |"
        )
    return "\n".join(lines) + "\n"
