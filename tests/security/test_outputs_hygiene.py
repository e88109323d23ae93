"""Control characters in stored feed data never break an output, nor reach a terminal raw.

The data is written through the store, as a refresh by an older parser (or a database filled
before the parser dropped such characters) left it: the outputs must cope with whatever is stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from lxml import etree
from starlette.testclient import TestClient

from reader_ui.helpers import user
from support.entries import apply_check
from tidings.cli import cli
from tidings.model import EntryData
from tidings.store import Store
from tidings.terminal import terminal_json, terminal_text

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
ESC = "\x1b"
# ESC (with the screen-clearing sequence it starts), vertical tab, form feed, DEL, NEL (C1).
CONTROLS = "\x1b[2J \x0b \x0c \x7f \x85"
FEED_TITLE = f"Harbour{ESC}[2J News\x0b desk"
ENTRY_TITLE = f"Ships{ESC}[31m sail\x0c at\x7f dawn\x85 today\uffff"
# What XML can carry of the titles: C0 controls and U+FFFF go; DEL, NEL and the words stay.
FEED_TITLE_XML = "Harbour[2J News desk"
ENTRY_TITLE_XML = "Ships[31m sail at\x7f dawn\x85 today"
CATEGORY = f"Sea{ESC}[1m lanes"


@dataclass(frozen=True)
class Hostile:
    feed_id: int
    category_id: int
    reader_token: str


@pytest.fixture
def hostile(store: Store) -> Hostile:
    """A public feed, its category and an entry whose every text field holds control characters,
    written after a decoy feed and category (ids that do not line up across tables), and a
    reader subscribed to it under a title and a category of their own with control characters."""
    store.feeds.add("https://decoy.example/feed.xml")
    store.categories.add("Decoy")
    feed = store.feeds.add("https://harbour.example/feed.xml")
    category = store.categories.set_for_feed(feed.id, [CATEGORY])[0]
    entry = EntryData(
        key="ship-1",
        title=ENTRY_TITLE,
        link="https://harbour.example/ships/1",
        author=f"Cap{ESC}[5mtain",
        summary=f"<p>Summary {CONTROLS} &#27;[2J end</p>",
        content=f"<p>Content {CONTROLS} end</p>",
        published_at=NOW,
        content_hash="h1",
        categories=(f"tag{ESC}one", "tag\x0btwo"),
    )
    apply_check(
        store,
        feed.id,
        (entry,),
        now=NOW,
        feed_title=FEED_TITLE,
        description=f"About{ESC}]0;pwned\x07 ships {CONTROLS}",
        site_url=f"https://harbour.example/{ESC}[2J",
        last_error=f"HTTP 500 {ESC}[2J{ESC}]0;owned\x07 server\nsaid no",
    )
    reader = user(store, "reader")
    store.reading.add_category(reader, "Decoy of mine")
    store.reading.subscribe(
        reader, feed.url, title=f"My{ESC}[2J harbour\x0c", categories=[f"Mine{ESC}x"]
    )
    _, token = store.api_keys.create(reader, "test")
    return Hostile(feed.id, category.id, token)


def _xml(response_body: bytes) -> etree._Element:
    return etree.fromstring(response_body, etree.XMLParser(resolve_entities=False))


def _texts(root: etree._Element, local_name: str) -> list[str]:
    return [el.text or "" for el in root.iter() if etree.QName(el).localname == local_name]


def _output_paths(hostile: Hostile) -> list[str]:
    paths = []
    for base in ("", f"/sources/{hostile.feed_id}", f"/categories/{hostile.category_id}"):
        paths += [f"{base}/feed.rss", f"{base}/feed.atom", f"{base}/feed.json"]
    return paths


def test_every_output_feed_is_served_and_parses(client: TestClient, hostile: Hostile) -> None:
    for path in _output_paths(hostile):
        response = client.get(path)
        assert response.status_code == 200, (path, response.text[:300])
        if path.endswith(".json"):
            document = json.loads(response.content)
            titles = [item["title"] for item in document["items"]]
            assert titles == [ENTRY_TITLE], path  # JSON carries every character, escaped
            assert ESC.encode() not in response.content  # as \u001b
            continue
        root = _xml(response.content)
        item_titles = _texts(root, "title")
        assert ENTRY_TITLE_XML in item_titles, (path, item_titles)
        if "/sources/" in path:
            assert FEED_TITLE_XML in item_titles, (path, item_titles)  # the channel's title
        if path.endswith(".atom"):
            terms = [el.get("term") for el in root.iter("{*}category")]
            assert terms == ["tagone", "tagtwo"], path
        body = b"".join(el.text.encode() for el in root.iter() if el.text)
        assert ESC.encode() not in body


def test_opml_is_served_and_keeps_the_visible_titles(client: TestClient, hostile: Hostile) -> None:
    response = client.get("/opml")
    assert response.status_code == 200, response.text[:300]
    root = _xml(response.content)
    outlines = {el.get("xmlUrl"): el for el in root.iter("outline") if el.get("xmlUrl")}
    harbour = outlines["https://harbour.example/feed.xml"]
    assert harbour.get("title") == FEED_TITLE_XML
    assert harbour.get("htmlUrl") == "https://harbour.example/[2J"
    folders = [el.get("text") for el in root.iter("outline") if not el.get("xmlUrl")]
    assert "Sea[1m lanes" in folders


def test_a_readers_opml_export_parses(client: TestClient, hostile: Hostile) -> None:
    response = client.get("/v1/export", headers={"X-Auth-Token": hostile.reader_token})
    assert response.status_code == 200, response.text[:300]
    root = _xml(response.content)
    titles = [el.get("title") for el in root.iter("outline")]
    assert "My[2J harbour" in titles and "Minex" in titles


def test_json_apis_escape_what_they_carry(client: TestClient, hostile: Hostile) -> None:
    headers = {"X-Auth-Token": hostile.reader_token}
    for path in ("/v1/feeds", "/v1/entries", "/v1/categories"):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.text[:300])
        json.loads(response.content)
        assert ESC.encode() not in response.content, path


# --- the command line ---------------------------------------------------------------------------


@pytest.fixture
def run(database_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    env = {"TIDINGS_DATABASE_URL": database_url, "TIDINGS_DATA_DIR": str(tmp_path / "data")}

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)

    return invoke


def assert_terminal_safe(result: Result) -> None:
    """Nothing that starts an escape sequence reaches the terminal: no ESC, no C1 CSI, no bidi."""
    for stream in (result.stdout, result.stderr):
        for raw in (ESC, "\x9b", "\x85", "\x07", "\u202e"):
            assert raw not in stream, (raw, stream)


def test_cli_export_parses(run, hostile: Hostile) -> None:  # type: ignore[no-untyped-def]
    result = run("export")
    assert result.exit_code == 0, result.output
    root = _xml(result.stdout_bytes)
    titles = [el.get("title") for el in root.iter("outline")]
    assert FEED_TITLE_XML in titles


def test_cli_list_escapes_feed_text(run, hostile: Hostile) -> None:  # type: ignore[no-untyped-def]
    result = run("list")
    assert result.exit_code == 0, result.output
    assert_terminal_safe(result)
    assert "Harbour\\x1b[2J News\\x0b desk" in result.stdout
    assert "HTTP 500 \\x1b[2J\\x1b]0;owned\\x07 server\\x0asaid" in result.stdout
    # One line per feed (the decoy, the harbour) under the header: the newline of the error is
    # shown, not obeyed.
    assert len(result.stdout.splitlines()) == 1 + 2
    listed = run("list", "--json")
    assert_terminal_safe(listed)
    titles = [feed["title"] for feed in json.loads(listed.stdout)]
    assert FEED_TITLE in titles


def test_cli_error_messages_are_escaped(run, hostile: Hostile) -> None:  # type: ignore[no-untyped-def]
    # An address with a control character is refused (subscriptions.normalize_feed_url), and
    # the refusal quotes it escaped.
    url = f"https://example.org/{ESC}[2J"
    refused = run("add", url, "--no-check")
    assert refused.exit_code == 1
    assert_terminal_safe(refused)
    assert len(refused.stderr.strip().splitlines()) == 1
    assert "https://example.org/\\x1b[2J' contains invisible or control characters" in (
        refused.stderr
    )


JSON_FEED = {
    "version": "https://jsonfeed.org/version/1.1",
    "title": f"Harbour{ESC}[2J{ESC}]0;owned\x07 News",
    "home_page_url": "https://harbour.example/",
    "description": f"Ships{ESC}[31m and\nboats",
    "items": [
        {
            "id": "1",
            "title": "Ships\x9b2J sail \u202eevil",
            "url": "https://harbour.example/1",
            "authors": [{"name": f"Cap{ESC}[5mtain"}],
            "content_html": "<p>Content &#27;[2J and &#x9b;2J end</p>",
        }
    ],
}


def test_cli_parse_escapes_a_local_feed(tmp_path: Path) -> None:
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(JSON_FEED), encoding="utf-8")

    def run(*args: str) -> Result:  # no database: parse only reads the file
        env = {"TIDINGS_DATA_DIR": str(tmp_path / "data")}
        return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)

    result = run("parse", str(path))
    assert result.exit_code == 0, result.output
    assert_terminal_safe(result)
    # What the parser keeps is shown, escaped; the rest of each line is there.
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Harbour")
    assert "News" in lines[0]
    assert any("sail" in line and line.endswith("evil") for line in lines)
    assert "Content" in result.stdout and "end" in result.stdout
    as_json = run("parse", "--json", str(path))
    assert as_json.exit_code == 0, as_json.output
    assert_terminal_safe(as_json)
    assert json.loads(as_json.stdout)["entries"][0]["title"].startswith("Ships")


@pytest.mark.parametrize(
    ("text", "one_line", "shown"),
    [
        ("plain café", True, "plain café"),
        (f"a{ESC}[2Jb", True, "a\\x1b[2Jb"),
        ("tab\tnew\nline\rret", True, "tab\\x09new\\x0aline\\x0dret"),
        ("tab\tnew\nline\rret", False, "tab\tnew\nline\\x0dret"),
        ("del\x7f nel\x85 csi\x9b", True, "del\\x7f nel\\x85 csi\\x9b"),
        ("bidi\u202eevil\u2066 sep\u2028", False, "bidi\\u202eevil\\u2066 sep\\u2028"),
    ],
)
def test_terminal_text(text: str, one_line: bool, shown: str) -> None:
    assert terminal_text(text, one_line=one_line) == shown


def test_terminal_json_is_json_and_terminal_safe() -> None:
    value = {"title": f"a{ESC}b\x7f\x85\x9b\u202e é", "list": ["x\ny"]}
    text = terminal_json(value)
    assert json.loads(text) == value
    assert not any(c in text for c in (ESC, "\x7f", "\x85", "\x9b", "\u202e"))
    assert "é" in text
