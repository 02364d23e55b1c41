"""32-bit integer grey (a TIFF's, signed or not): Pillow reads it as mode "I", as it does 16-bit samples (a PGM's, a
signed 16-bit TIFF's), which are scaled 0..65535. A 32-bit file's are scaled by their own type's range: they were read
as 16-bit, every value from 65535 up white."""

from __future__ import annotations

import struct

import numpy as np
import pytest
from PIL import Image

from jaxart.image import load_image

H, W = 8, 64


def grey_tiff(path, a: np.ndarray):
    """An uncompressed grey TIFF of (H, W) integer `a` in its own dtype (int16, uint32, int32), one strip."""
    data = a.astype("<" + a.dtype.str[1:]).tobytes()
    signed = 2 if a.dtype.kind == "i" else 1
    tags = [(256, 3, a.shape[1]), (257, 3, a.shape[0]), (258, 3, a.dtype.itemsize * 8), (259, 3, 1), (262, 3, 1),
            (273, 4, 8), (277, 3, 1), (278, 3, a.shape[0]), (279, 4, len(data)), (339, 3, signed)]
    ifd = struct.pack("<H", len(tags)) + b"".join(
        struct.pack("<HHIHH" if kind == 3 else "<HHII", tag, kind, 1, value, *([0] * (kind == 3)))
        for tag, kind, value in tags) + struct.pack("<I", 0)
    path.write_bytes(b"II*\x00" + struct.pack("<I", 8 + len(data)) + data + ifd)
    return path


def _ramp(top: int, dtype) -> np.ndarray:
    return np.broadcast_to(np.linspace(0, top, W).round().astype(dtype), (H, W))


@pytest.mark.parametrize("dtype", [np.int32, np.uint32])
def test_a_32_bit_grey_tiff_is_scaled_by_its_types_range(tmp_path, dtype):
    top = np.iinfo(dtype).max
    a = _ramp(top, dtype)
    path = grey_tiff(tmp_path / "a.tif", a)
    with Image.open(path) as opened:
        assert opened.mode == "I"  # as Pillow reads 16-bit PGMs too
    assert np.abs(load_image(path) - (a / top)[..., None]).max() <= 0.5 / 255 + 1e-6


def test_16_bit_grey_read_as_mode_i_is_scaled_0_to_65535_as_before(tmp_path):
    """A signed 16-bit TIFF and a 16-bit PGM are mode "I" too: their samples stay scaled by 65535."""
    signed, unsigned = _ramp(32767, np.int16), _ramp(65535, np.uint16)
    pgm = tmp_path / "a.pgm"
    pgm.write_bytes(f"P5\n{W} {H}\n65535\n".encode() + unsigned.astype(">u2").tobytes())
    for path, a in ((grey_tiff(tmp_path / "a.tif", signed), signed), (pgm, unsigned)):
        with Image.open(path) as opened:
            assert opened.mode == "I"
        assert np.abs(load_image(path) - (a / 65535)[..., None]).max() <= 0.5 / 255 + 1e-6
