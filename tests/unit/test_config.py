from __future__ import annotations

import re
from pathlib import Path

import pytest

from tidings.config import (
    SETTING_FIELDS,
    ConfigError,
    ensure_secret_key,
    env_name,
    load_settings,
    markdown_table,
)

ROOT = Path(__file__).resolve().parents[2]


def test_docs_list_every_setting() -> None:
    text = (ROOT / "docs/configuration.md").read_text()
    block = re.search(r"<!-- settings -->\n(.*)<!-- /settings -->", text, re.S)
    assert block, "docs/configuration.md lost its settings markers"
    assert block.group(1) == markdown_table(), "regenerate with `tidings config --markdown`"
    for f in SETTING_FIELDS:
        assert f"`{env_name(f.name)}`" in block.group(1)


def test_defaults() -> None:
    s = load_settings(environ={})
    assert (s.host, s.port, s.allow_private_networks) == ("127.0.0.1", 8080, False)
    assert s.effective_database_url().startswith("sqlite:///")
    assert s.effective_database_url().endswith("tidings-data/tidings.db")


def test_precedence_file_then_env_then_override(tmp_path: Path) -> None:
    cfg = tmp_path / "t.toml"
    cfg.write_text('port = 9000\nhost = "0.0.0.0"\nsite_name = "file"\n')
    s = load_settings(cfg, environ={"TIDINGS_PORT": "9001"}, site_name="override")
    assert (s.port, s.host, s.site_name) == (9001, "0.0.0.0", "override")


def test_config_file_from_environment(tmp_path: Path) -> None:
    cfg = tmp_path / "t.toml"
    cfg.write_text("allow-private-networks = true\n")
    assert load_settings(environ={"TIDINGS_CONFIG": str(cfg)}).allow_private_networks is True


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"TIDINGS_PORT": "abc"}, "TIDINGS_PORT: expected a whole number, got 'abc'"),
        ({"TIDINGS_PORT": "70000"}, "a port is a number from 1 to 65535"),
        ({"TIDINGS_ALLOW_PRIVATE_NETWORKS": "maybe"}, "expected true or false"),
        ({"TIDINGS_FETCH_TIMEOUT": "0"}, "must be greater than 0"),
        ({"TIDINGS_CONCURRENCY": "-3"}, "must not be negative"),
        ({"TIDINGS_ALLOWED_HTML": "all"}, "must be one of reader, strict"),
        ({"TIDINGS_PROT": "8080"}, "unknown environment variable TIDINGS_PROT"),
    ],
)
def test_bad_environment_values_are_one_line_errors(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ=environ)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("colour = 1\n", "unknown setting 'colour'"),
        ("port = 'x'\n", "expected a whole number"),
        ("port = \n", "not valid TOML"),
    ],
)
def test_bad_config_files(tmp_path: Path, content: str, message: str) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text(content)
    with pytest.raises(ConfigError, match=message):
        load_settings(cfg, environ={})


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.toml", environ={})


def test_masked_hides_secrets() -> None:
    s = load_settings(
        environ={
            "TIDINGS_DATABASE_URL": "postgresql://app:hunter2@db/tidings",
            "TIDINGS_SECRET_KEY": "s3cret",
        }
    )
    shown = s.masked()
    assert shown["database_url"] == "postgresql://app:********@db/tidings"
    assert shown["secret_key"] == "********"
    assert "hunter2" not in str(shown) and "s3cret" not in str(shown)


def test_secret_key_generated_once_and_kept(tmp_path: Path) -> None:
    s = load_settings(environ={"TIDINGS_DATA_DIR": str(tmp_path / "data")})
    first = ensure_secret_key(s)
    second = ensure_secret_key(s)
    assert first.secret_key and first.secret_key == second.secret_key
    key_file = tmp_path / "data" / "secret_key"
    assert key_file.stat().st_mode & 0o077 == 0
