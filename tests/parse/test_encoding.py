"""decode: byte-order marks, declarations that lie, the HTTP charset against the XML declaration."""

from __future__ import annotations

import codecs

import pytest

from tidings.parse.encoding import decode

TEXT = "Café “quoted” — €5"


def xml(encoding: str) -> str:
    return f'<?xml version="1.0" encoding="{encoding}"?><t>{TEXT}</t>'


@pytest.mark.parametrize(
    ("data", "content_type", "encoding", "warned"),
    [
        (xml("utf-8").encode("utf-8"), None, "utf-8", False),
        (codecs.BOM_UTF8 + xml("utf-8").encode("utf-8"), None, "utf-8", False),
        (codecs.BOM_UTF16_LE + xml("utf-16").encode("utf-16-le"), None, "utf-16", False),
        (codecs.BOM_UTF16_BE + xml("utf-16").encode("utf-16-be"), None, "utf-16", False),
        (xml("utf-16").encode("utf-16-le"), None, "utf-16", False),  # no BOM
        (xml("utf-16").encode("utf-16-be"), None, "utf-16", False),
        (codecs.BOM_UTF32_LE + xml("utf-32").encode("utf-32-le"), None, "utf-32", False),
        (xml("windows-1252").encode("cp1252"), None, "cp1252", False),
        (xml("iso-8859-1").encode("cp1252"), None, "cp1252", False),  # read as windows-1252
        (xml("utf-8").encode("cp1252"), None, "windows-1252", True),  # claims UTF-8, is not
        (xml("utf-8").encode("cp1252"), "text/xml; charset=windows-1252", "cp1252", False),
        (xml("iso-8859-1").encode("utf-8"), None, "utf-8", True),  # claims Latin-1, is UTF-8
        (xml("utf-8").encode("utf-8"), "text/xml; charset=iso-8859-1", "utf-8", True),
        (xml("bogus-encoding").encode("cp1252"), None, "windows-1252", True),
        (b"<t>plain ascii</t>", "text/xml; charset=latin1", "utf-8", False),
        # UTF-8 with one stray Latin-1 byte: only that byte is read as windows-1252.
        (xml("utf-8").encode("utf-8").replace("é".encode(), b"\xe9"), None, "utf-8", True),
        (xml("utf-8").encode("utf-8").replace("“".encode(), b"\x93"), None, "utf-8", True),
        (b"<t>" + TEXT.encode("utf-8") + b"\xe9</t>", "text/xml; charset=latin1", "utf-8", True),
    ],
)
def test_decode(data: bytes, content_type: str | None, encoding: str, warned: bool) -> None:
    decoded = decode(data, content_type)
    assert decoded.encoding == encoding
    assert bool(decoded.warnings) == warned
    if "ascii" not in decoded.text:
        assert TEXT in decoded.text


def test_stray_bytes_are_repaired_alone() -> None:
    data = "<t>résumé “ok” caf".encode() + b"\xe9 \x93q\x94</t>"
    decoded = decode(data)
    assert decoded.text == "<t>résumé “ok” café “q”</t>"
    assert not decoded.exact
