"""Pure media logic: proxy signatures, the content rewrite and image sniffing (table-driven)."""

from __future__ import annotations

import pytest

from tidings.clean import clean_html
from tidings.media import ProxySigner, proxy_images, sniff_image, wants_proxy
from tidings.media.signing import PREFIX


def split(path: str) -> tuple[str, str]:
    signature, encoded = path.removeprefix(PREFIX).split("/")
    return signature, encoded


def test_a_signed_path_names_its_url() -> None:
    signer = ProxySigner("secret")
    url = "http://img.example/a.png?x=1&y=2"
    assert signer.url_of(*split(signer.path(url))) == url


def test_a_signature_cannot_be_replayed_for_another_url() -> None:
    signer = ProxySigner("secret")
    signature, _ = split(signer.path("http://img.example/a.png"))
    _, other = split(signer.path("http://169.254.169.254/latest"))
    assert signer.url_of(signature, other) is None


@pytest.mark.parametrize(
    "signature",
    ["", "AAAA", "not base64 at all", "x" * 43],
)
def test_forged_signatures_are_refused(signature: str) -> None:
    signer = ProxySigner("secret")
    _, encoded = split(signer.path("http://img.example/a.png"))
    assert signer.url_of(signature, encoded) is None


def test_another_key_signs_differently() -> None:
    path = ProxySigner("one").path("http://img.example/a.png")
    assert ProxySigner("two").url_of(*split(path)) is None


def test_garbage_encoding_is_refused() -> None:
    signer = ProxySigner("secret")
    assert signer.url_of("abc", "%%%") is None
    assert signer.url_of("abc", "A" * 9000) is None


def test_an_empty_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="secret_key"):
        ProxySigner("")


@pytest.mark.parametrize(
    ("url", "mode", "expected"),
    [
        ("http://a.example/i.png", "off", False),
        ("https://a.example/i.png", "off", False),
        ("http://a.example/i.png", "http-only", True),
        ("HTTP://a.example/i.png", "http-only", True),
        ("https://a.example/i.png", "http-only", False),
        ("http://a.example/i.png", "all", True),
        ("https://a.example/i.png", "all", True),
        ("data:image/png;base64,AAAA", "all", False),
        ("/relative.png", "all", False),
    ],
)
def test_which_images_are_proxied(url: str, mode: str, expected: bool) -> None:
    assert wants_proxy(url, mode) is expected


def test_rewrite_points_cleaned_images_at_signed_paths() -> None:
    signer = ProxySigner("secret")
    cleaned = clean_html(
        '<p>x</p><img alt="a" src="http://a.example/i.png?a=1&amp;b=2">'
        '<img src="https://b.example/j.png">'
    )
    out = proxy_images(cleaned, signer, "http-only")
    assert signer.path("http://a.example/i.png?a=1&b=2") in out
    assert "https://b.example/j.png" in out
    assert "http://a.example" not in out
    everything = proxy_images(cleaned, signer, "all")
    assert "b.example" not in everything and everything.count(PREFIX) == 2
    assert proxy_images(cleaned, signer, "off") == cleaned


PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 20


@pytest.mark.parametrize(
    ("data", "mime"),
    [
        (PNG, "image/png"),
        (b"GIF89a....", "image/gif"),
        (b"GIF87a....", "image/gif"),
        (b"\xff\xd8\xff\xe0JFIF", "image/jpeg"),
        (b"\x00\x00\x01\x00\x01\x00", "image/x-icon"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "image/svg+xml"),
        (b'\xef\xbb\xbf<?xml version="1.0"?>\n<!-- c --><svg>', "image/svg+xml"),
        (b"<!DOCTYPE html><html><body>not an icon", None),
        (b"RIFF\x10\x00\x00\x00WAVEfmt ", None),
        (b"", None),
        (b"%PDF-1.4", None),
    ],
)
def test_sniff_image(data: bytes, mime: str | None) -> None:
    assert sniff_image(data) == mime
