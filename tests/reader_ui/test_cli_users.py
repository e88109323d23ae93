"""`tidings user remove` and `tidings user passwd`, on both databases."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from tidings.accounts import authenticate
from tidings.cli import cli
from tidings.store import Store


def run(database_url: str, tmp_path: Path, *args: str, input: str | None = None) -> Result:
    env = {"TIDINGS_DATABASE_URL": database_url, "TIDINGS_DATA_DIR": str(tmp_path / "data")}
    return CliRunner().invoke(cli, list(args), env=env, input=input, catch_exceptions=False)


def test_passwd_and_remove(database_url: str, tmp_path: Path) -> None:
    assert (
        run(database_url, tmp_path, "user", "add", "ada", "--password", "long enough").exit_code
        == 0
    )
    done = run(database_url, tmp_path, "user", "passwd", "ada", "--password", "another secret")
    assert done.exit_code == 0 and "changed the password of ada" in done.output
    with Store.open(database_url) as store:
        assert authenticate(store, "ada", "another secret") is not None
    weak = run(database_url, tmp_path, "user", "passwd", "ada", "--password", "short")
    assert weak.exit_code == 1 and "at least 8" in weak.output
    missing = run(database_url, tmp_path, "user", "passwd", "nobody", "--password", "long enough")
    assert missing.exit_code == 1 and "no user named 'nobody'" in missing.output
    kept = run(database_url, tmp_path, "user", "remove", "ada", input="n\n")
    assert kept.exit_code == 1 and "Aborted" in kept.output
    gone = run(database_url, tmp_path, "user", "remove", "ada", "--yes")
    assert gone.exit_code == 0 and "removed ada" in gone.output
    assert run(database_url, tmp_path, "user", "list").output == ""
    again = run(database_url, tmp_path, "user", "remove", "ada", "--yes")
    assert again.exit_code == 1 and "no user named 'ada'" in again.output
