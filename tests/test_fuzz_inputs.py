"""Odd files and environments found by fuzzing the CLI: each gives one clear line and no output."""

from __future__ import annotations

import struct
import zlib

import pytest

from jaxart import pixel_limit
from jaxart.errors import InputError
from jaxart.image import load_image


def _png_header_only(path, width, height):
    """A PNG of a few hundred bytes whose header claims `width`x`height` RGB pixels."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 1000))
                     + chunk(b"IEND", b""))
    return path


def test_a_png_too_large_to_decode_is_called_that_not_damaged(tmp_path, monkeypatch):
    """Its line was wrapped as 'is damaged or truncated (InputError: ...); re-export or re-download it'."""
    monkeypatch.setattr(pixel_limit, "host_bytes", lambda: 2**30)
    path = _png_header_only(tmp_path / "scan.png", 100_000, 100_000)
    with pytest.raises(InputError) as info:
        load_image(path, 32)
    message = str(info.value)
    assert message.splitlines() == [message] and message.count(str(path)) == 1
    assert "100000x100000 pixels" in message and "save a smaller copy" in message
    assert "damaged" not in message and "re-download" not in message and "InputError" not in message
