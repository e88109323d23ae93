"""Feed bytes in any declared (or mis-declared) encoding -> text, plus what was guessed."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from tidings.model import direct_init

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.I)
# Browsers read these labels as windows-1252, a superset that also decodes "smart quotes".
_LATIN1_LABELS = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "us-ascii", "ascii"}


@direct_init
@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str
    warnings: tuple[str, ...] = ()
    exact: bool = True  # False when the text is not the bytes decoded as `encoding` (repaired)


def decode(data: bytes, content_type: str | None = None) -> Decoded:
    """Return the document's text and the encoding it was read with.

    Order of trust: a byte-order mark; then UTF-8 when the bytes are valid UTF-8 (a document in
    another encoding is almost never valid UTF-8 by accident, while wrong declarations are
    common); then the HTTP charset, then the XML declaration; then windows-1252, which decodes any
    byte.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            text = data[len(bom) :].decode(name, errors="replace")
            return Decoded(text, name.removesuffix("-le").removesuffix("-be"))
    if data[:4] in (b"<\0?\0", b"\0<\0?"):  # UTF-16 without a byte-order mark
        name = "utf-16-le" if data[0] == 0x3C else "utf-16-be"
        return Decoded(data.decode(name, errors="replace"), "utf-16")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if text.isascii():  # the declarations cannot matter: ASCII reads the same in all of them
            return Decoded(text, "utf-8")
        declared = _declared(data, content_type)
        if declared and _normal(declared[0]) != "utf-8":
            return Decoded(text, "utf-8", (f"declared {declared[0]} but the bytes are UTF-8",))
        return Decoded(text, "utf-8")
    declared = _declared(data, content_type)
    mostly = _mostly_utf8(data, declared)
    if mostly is not None:
        return mostly
    for name in declared:
        codec = _normal(name)
        if codec == "utf-8":
            continue
        try:
            return Decoded(data.decode(codec), codec)
        except (LookupError, UnicodeDecodeError):
            continue
    claimed = f"declared {declared[0]}" if declared else "no encoding declared"
    return Decoded(
        data.decode("windows-1252", errors="replace"),
        "windows-1252",
        (f"{claimed} but the bytes are not UTF-8; read them as windows-1252",),
    )


# Each byte UTF-8 refuses, as `surrogateescape` hands it over (U+DC80-U+DCFF), -> the
# windows-1252 character it stands for (bytes windows-1252 leaves undefined -> their Latin-1 C1
# control, which parse/bounds.py then removes).
_STRAY_BYTES = {
    0xDC00 + byte: bytes([byte]).decode("cp1252", errors="ignore") or chr(byte)
    for byte in range(0x80, 0x100)
}


def _mostly_utf8(data: bytes, declared: list[str]) -> Decoded | None:
    """Return UTF-8 text with the stray bytes that are not UTF-8 read as windows-1252, when the
    document is UTF-8 but for a few such bytes (one Latin-1 "é" pasted into a UTF-8 feed);
    None when it looks like a single-byte encoding throughout.

    Reading the whole document as windows-1252 because of one stray byte would turn every
    correct non-ASCII character into mojibake ("Ã©"). UTF-8 it is when the document holds valid
    multi-byte sequences and either declares UTF-8 (or nothing), or its valid non-ASCII
    characters outnumber the stray bytes (multi-byte sequences do not happen by accident).
    """
    text = data.decode("utf-8", errors="surrogateescape")
    # Each stray byte is one escape character, and everything else encodes back to its own
    # bytes: counting them as the bytes an encoding drops costs a tenth of finding each one
    # with a pattern (30 µs against 300 for 12 KB of GB2312).
    strays = len(data) - len(text.encode("utf-8", errors="ignore"))
    valid = len(text) - len(text.encode("ascii", errors="ignore")) - strays
    if valid == 0:
        return None
    claims_utf8 = not declared or _normal(declared[0]) == "utf-8"
    if not claims_utf8 and valid <= strays:
        return None
    warning = f"{strays} bytes are not UTF-8 in a UTF-8 document; read them as windows-1252"
    return Decoded(text.translate(_STRAY_BYTES), "utf-8", (warning,), exact=False)


def _declared(data: bytes, content_type: str | None) -> list[str]:
    """Return the encodings the HTTP header and the XML declaration claim, header first."""
    names = []
    if content_type:
        match = _CHARSET.search(content_type)
        if match:
            names.append(match.group(1))
    declaration = _XML_ENCODING.match(data[:200])
    if declaration:
        names.append(declaration.group(1).decode("ascii"))
    return names


def _normal(name: str) -> str:
    """Return the Python codec name for an encoding label (cp1252 for the Latin-1 labels)."""
    label = name.strip().lower()
    if label in _LATIN1_LABELS:
        return "cp1252"
    try:
        return codecs.lookup(label).name.replace("_", "-")
    except LookupError:
        return label
