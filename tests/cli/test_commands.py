"""The CLI end to end, in-process, on both databases: every command a user runs before `serve`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from support.live_server import serving_pages
from tidings.cli import cli

OPML = b"""<?xml version="1.0"?><opml version="2.0"><head/><body>
<outline text="News"><outline text="NATO News" xmlUrl="https://www.nato.int/rss.xml"/></outline>
<outline text="Dup" xmlUrl="https://example.org/feed.xml"/>
<outline text="Bad" xmlUrl="ftp://nope"/>
</body></opml>"""


@pytest.fixture
def run(database_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    env = {"TIDINGS_DATABASE_URL": database_url, "TIDINGS_DATA_DIR": str(tmp_path / "data")}

    def invoke(*args: str, input: bytes | None = None) -> Result:
        return CliRunner().invoke(cli, list(args), env=env, input=input, catch_exceptions=False)

    return invoke


def assert_user_error(result: Result, message: str) -> None:
    assert result.exit_code == 1, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_add_list_remove(run) -> None:  # type: ignore[no-untyped-def]
    added = run("add", "example.org/feed.xml", "--title", "Ex", "--category", "News", "--no-check")
    assert added.exit_code == 0, added.output
    assert "added feed 1: https://example.org/feed.xml" in added.output
    listing = json.loads(run("list", "--json").output)
    assert [(f["id"], f["title"], f["entries"], f["refresh"]) for f in listing] == [
        (1, "Ex", 0, "auto")
    ]
    table = run("list").output
    assert "ID" in table and "https://example.org/feed.xml" in table and "imminently" in table
    assert run("remove", "1").exit_code == 0
    assert json.loads(run("list", "--json").output) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("add", "ftp://example.org/x"), "is not an http or https URL"),
        (("add", "http://example.org:port/"), "is not a valid URL"),
        (
            ("add", "http://example.org/", "--refresh", "often", "--no-check"),
            "'often' is not a refresh interval",
        ),
        (("remove", "42"), "no feed with id 42"),
        (("add", "http://127.0.0.1:8080/feed"), "it is a loopback address"),
        (("add", "http://localhost/feed"), "TIDINGS_ALLOW_PRIVATE_NETWORKS=true"),
        (("add", "http://10.1.2.3/feed"), "private"),
    ],
)
def test_user_errors_are_one_line(run, args: tuple[str, ...], message: str) -> None:  # type: ignore[no-untyped-def]
    result = run(*args)
    assert result.exit_code != 0
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_duplicate_add(run) -> None:  # type: ignore[no-untyped-def]
    run("add", "https://example.org/feed.xml", "--no-check")
    assert_user_error(
        run("add", "https://example.org/feed.xml", "--no-check"), "already subscribed"
    )


def test_refresh_choices_are_stored(run) -> None:  # type: ignore[no-untyped-def]
    run("add", "https://a.example/", "--refresh", "never", "--no-check")
    run("add", "https://b.example/", "--refresh", "2h", "--no-check")
    refresh = [f["refresh"] for f in json.loads(run("list", "--json").output)]
    assert refresh == ["never", "2 hours"]  # as format_refresh words them


def test_import_and_export(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("add", "https://example.org/feed.xml", "--no-check")
    path = tmp_path / "subs.opml"
    path.write_bytes(OPML)
    result = run("import", str(path))
    assert result.exit_code == 0, result.output
    assert "imported 1 feeds, skipped 1 already subscribed, 1 invalid" in result.stdout
    assert "ftp://nope" in result.stderr
    exported = run("export").stdout
    assert '<outline text="News" title="News">' in exported
    assert 'xmlUrl="https://www.nato.int/rss.xml"' in exported
    again = run("import", "-", input=exported.encode())
    assert "imported 0 feeds, skipped 2 already subscribed" in again.stdout


def test_import_bad_file(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.opml"
    path.write_bytes(b"<html><body>not opml</body></html>")
    assert_user_error(run("import", str(path)), "not OPML")
    assert run("import", str(tmp_path / "missing.opml")).exit_code == 2


def test_users(run) -> None:  # type: ignore[no-untyped-def]
    assert run("user", "add", "ada", "--password", "long enough", "--admin").exit_code == 0
    assert_user_error(run("user", "add", "ada", "--password", "long enough"), "exists already")
    assert_user_error(run("user", "add", "bob", "--password", "short"), "at least 8")
    assert run("user", "list").output.split() == ["1", "ada", "admin"]


def test_migrate_and_config(run) -> None:  # type: ignore[no-untyped-def]
    assert run("migrate").output.strip() == "the schema is up to date"
    shown = json.loads(run("config", "--json").output)
    assert shown["port"] == "8080"
    assert shown["allow_private_networks"] == "false"


def test_bad_settings_and_unreachable_database(tmp_path: Path) -> None:
    runner = CliRunner()
    bad_port = runner.invoke(cli, ["list"], env={"TIDINGS_PORT": "eighty"})
    assert_user_error(bad_port, "TIDINGS_PORT: expected a whole number")
    unreachable = runner.invoke(
        cli, ["list"], env={"TIDINGS_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    )
    assert_user_error(unreachable, "cannot reach the database")
    bad_url = runner.invoke(cli, ["list"], env={"TIDINGS_DATABASE_URL": "mysql://x/y"})
    assert_user_error(bad_url, "unsupported database")


def test_console_script_entry_point() -> None:
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "tidings", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.startswith("tidings, version ")


def test_import_honours_the_private_network_setting(run, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "local.opml"
    path.write_bytes(
        b'<opml version="2.0"><body><outline xmlUrl="http://127.0.0.1:9/feed"/></body></opml>'
    )
    refused = run("import", str(path))
    assert "imported 0 feeds" in refused.stdout
    assert "loopback" in refused.stderr
    monkeypatch.setenv("TIDINGS_ALLOW_PRIVATE_NETWORKS", "true")
    allowed = run("import", str(path))
    assert "imported 1 feeds" in allowed.stdout, allowed.output


def test_add_finds_and_fetches_the_feed(run, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """By default `add` follows a page to its feed and fetches it before it answers; an address
    with no feed is refused in one line, and nothing is added."""
    rss = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Loop</title>'
        b"<item><title>One</title><guid>1</guid></item>"
        b"<item><title>Two</title><guid>2</guid></item></channel></rss>"
    )
    page = b'<html><head><link rel="alternate" type="application/atom+xml" href="/f.xml"></head>'
    pages = {"/f.xml": (200, "application/rss+xml", rss), "/": (200, "text/html", page)}
    monkeypatch.setenv("TIDINGS_ALLOW_PRIVATE_NETWORKS", "true")
    with serving_pages(pages) as base:
        added = run("add", f"{base}/")
        assert added.exit_code == 0, added.output
        assert f"added feed 1: {base}/f.xml (2 entries)" in added.output
        assert_user_error(run("add", f"{base}/nothing"), "404")
    assert [f["url"] for f in json.loads(run("list", "--json").output)] == [f"{base}/f.xml"]
