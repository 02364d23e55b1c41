"""Odd files and environments found by fuzzing the CLI: each gives one clear line and no output."""

from __future__ import annotations

import errno
import os
import struct
import zlib

import numpy as np
import pytest

from jaxart import pixel_limit
from jaxart.errors import InputError, OutputError
from jaxart.files import all_or_nothing
from jaxart.image import load_image
from jaxart.output import save_image


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


def test_a_full_disk_during_a_sweeps_files_names_the_file_not_its_hidden_temporary(tmp_path, monkeypatch):
    """`sweep` onto a full file system said 'could not write image DIR/.jaxart-09b79d04b0c0.tmp'."""
    def full(src, dst):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    sheet = tmp_path / "sheet.png"
    monkeypatch.setattr(os, "replace", full)  # every atomic write (files.replacing) fails at its rename
    with pytest.raises(OutputError) as info, all_or_nothing() as stage:
        save_image(stage(sheet, "image"), np.zeros((4, 4, 3)), {"jaxart": "test"}, "png")
    message = str(info.value)
    assert message.startswith(f"could not write image {sheet} (No space left on device); free some space"), message
    assert ".jaxart-" not in message and not list(tmp_path.iterdir()), "nothing is left behind"
