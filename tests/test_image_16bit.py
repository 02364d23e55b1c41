"""16-bit images: Pillow decodes a 16-bit RGB(A) PNG or TIFF to its samples' high bytes, 16-bit grey to
16-bit samples; either way a file reads as bright as its 8-bit version, within 1/255. The minimal writers
here make the 16-bit RGB files Pillow cannot write."""

from __future__ import annotations

import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from jaxart.image import load_image
from jaxart.output import save_image

H, W = 8, 64
RAMP = np.linspace(0, 65535, W).round().astype(np.uint16)
RGB16 = np.stack([np.broadcast_to(RAMP, (H, W)), np.broadcast_to(RAMP[::-1], (H, W)),
                  np.full((H, W), 40000, np.uint16)], -1)  # 40000 is 155.6 of 255: no 8-bit level


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png16(path, a: np.ndarray, trns: bytes = b""):
    """A 16-bit PNG of `a`: grey (H, W), grey with alpha (H, W, 2), RGB or RGBA; `trns`, a tRNS chunk's data."""
    colour = {1: 0, 2: 4, 3: 2, 4: 6}[a.shape[2] if a.ndim == 3 else 1]
    rows = b"".join(b"\x00" + row.astype(">u2").tobytes() for row in a)
    ihdr = struct.pack(">IIBBBBB", a.shape[1], a.shape[0], 16, colour, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + (_chunk(b"tRNS", trns) if trns else b"")
                     + _chunk(b"IDAT", zlib.compress(rows)) + _chunk(b"IEND", b""))
    return path


def tiff16(path, a: np.ndarray, order: str = "<", orientation: int = 1, deflate: bool = False):
    """A 16-bit RGB TIFF of (H, W, 3) `a`, one strip, little- or big-endian, of EXIF `orientation`, uncompressed or
    deflated (which Pillow decodes through libtiff)."""
    data = a.astype(order + "u2").tobytes()
    data = zlib.compress(data) + b"\0" * (len(zlib.compress(data)) % 2) if deflate else data
    bits_at, ifd_at = 8 + len(data), 8 + len(data) + 6
    tags = [(256, 3, 1, a.shape[1]), (257, 3, 1, a.shape[0]), (258, 3, 3, bits_at), (259, 3, 1, 8 if deflate else 1),
            (262, 3, 1, 2),
            (273, 4, 1, 8), (277, 3, 1, 3), (278, 3, 1, a.shape[0]), (279, 4, 1, len(data)), (284, 3, 1, 1)]
    tags = sorted(tags + [(274, 3, 1, orientation)])
    ifd = struct.pack(order + "H", len(tags)) + b"".join(
        struct.pack(order + ("HHIHH" if (kind, n) == (3, 1) else "HHII"), tag, kind, n, value, *([0] * (n == 1 and kind == 3)))
        for tag, kind, n, value in tags) + struct.pack(order + "I", 0)
    head = (b"II*\x00" if order == "<" else b"MM\x00*") + struct.pack(order + "I", ifd_at)
    path.write_bytes(head + data + struct.pack(order + "3H", 16, 16, 16) + ifd)
    return path


FILES = {
    "RGB PNG": lambda p: png16(p / "a.png", RGB16),
    "RGBA PNG": lambda p: png16(p / "a.png", np.dstack([RGB16, np.full((H, W), 65535, np.uint16)])),
    "RGB TIFF": lambda p: tiff16(p / "a.tif", RGB16),
    "RGB TIFF big-endian": lambda p: tiff16(p / "a.tif", RGB16, ">"),
    "RGB TIFF deflated": lambda p: tiff16(p / "a.tif", RGB16, deflate=True),
    "RGB TIFF deflated big-endian": lambda p: tiff16(p / "a.tif", RGB16, ">", deflate=True),
    "grey PNG": lambda p: png16(p / "a.png", RGB16[..., 0]),
    "grey+alpha PNG": lambda p: png16(p / "a.png", np.dstack([RGB16[..., 0], np.full((H, W), 65535, np.uint16)])),
    "grey TIFF (Pillow's I;16)": lambda p: Image.fromarray(RGB16[..., 0]).save(p / "a.tif") or p / "a.tif",
}


@pytest.mark.parametrize("name", [name for name in FILES if name != "grey+alpha PNG"])
def test_a_16_bit_file_is_read_at_16_bits(tmp_path, name):
    """Read by their high bytes, or rounded to 8 bits for grey, they were up to 1/514 off (128 of 65535)."""
    want = np.repeat(RGB16[..., :1], 3, -1) if "grey" in name else RGB16
    assert np.abs(load_image(FILES[name](tmp_path)) - want / 65535).max() <= 1 / 65535


def test_a_grey_16_bit_gradient_keeps_its_levels(tmp_path):
    """4096 levels, 16 of 65535 apart, were read as 256: a smooth gradient banded."""
    ramp = (np.arange(64 * 64, dtype=np.uint16) * 16).reshape(64, 64)
    x = load_image(png16(tmp_path / "g.png", ramp))
    assert len(np.unique(x[..., 0])) == 4096
    np.testing.assert_allclose(x[..., 1] * 65535, ramp, atol=0.01)


@pytest.mark.parametrize("fmt", ["png16", "tiff"])
def test_a_16_bit_file_jaxart_wrote_reads_back_within_its_samples(tmp_path, fmt):
    """A png16 or tiff result given back (`load_image`, `--init`) was 1/255 off where its samples kept 1/65535."""
    x = np.random.default_rng(0).random((6, 10, 3)).astype(np.float32)
    path = save_image(tmp_path / f"r.{'png' if fmt == 'png16' else 'tif'}", x, fmt=fmt)
    assert np.abs(load_image(path) - x).max() <= 0.5 / 65535 + 1e-7


def test_a_16_bit_rgba_png_is_composited_at_16_bits(tmp_path):
    rgba = np.dstack([RGB16, np.broadcast_to(RAMP[::-1], (H, W))]) / 65535
    x = load_image(png16(tmp_path / "a.png", (rgba * 65535).round().astype(np.uint16)), background=(0, 255, 0))
    want = rgba[..., :3] * rgba[..., 3:] + (1 - rgba[..., 3:]) * np.array([0.0, 1.0, 0.0])
    assert np.abs(x - want).max() <= 1 / 65535


def test_a_16_bit_tiffs_orientation_turns_it_at_16_bits(tmp_path):
    x = load_image(tiff16(tmp_path / "r.tif", RGB16, orientation=6))  # 90 degrees clockwise
    assert x.shape == (W, H, 3)
    assert np.abs(x - np.rot90(RGB16, -1) / 65535).max() <= 1 / 65535


@pytest.mark.parametrize("name", FILES, ids=list(FILES))
def test_a_16_bit_file_is_as_bright_as_its_8_bit_version(tmp_path, name):
    """Measured with Pillow 13: each within 1/257 of its samples / 65535 (RGB by its high bytes), as the
    8-bit PNG of the same picture is; none lost its high bytes or failed."""
    grey = "grey" in name
    want = np.repeat(RGB16[..., :1], 3, -1) if grey else RGB16
    eight = tmp_path / "8.png"
    Image.fromarray((want / 257).round().astype(np.uint8)).save(eight)
    x, x8 = load_image(FILES[name](tmp_path)), load_image(eight)
    assert np.abs(x - want / 65535).max() <= 1 / 255
    assert np.abs(x.mean(axis=(0, 1)) - x8.mean(axis=(0, 1))).max() <= 1 / 255


def test_a_16_bit_rgb_png_colour_key_shows_the_background(tmp_path):
    """Pillow reads the pixels as their high bytes and kept the key as 16-bit samples, so no pixel matched
    it: the transparent pixel was drawn opaque. Its high bytes mark it (and any pixel within 1/257 of it)."""
    a = RGB16.copy()
    a[0, 0] = (30000, 20000, 10000)
    a[0, 1] = (30000 - 300, 20000, 10000)  # another high byte: stays opaque
    path = png16(tmp_path / "k.png", a, struct.pack(">3H", 30000, 20000, 10000))
    rgb = load_image(path, background=(0, 255, 0))
    np.testing.assert_array_equal(rgb[0, 0], (0, 1, 0))
    np.testing.assert_allclose(rgb[0, 1], a[0, 1] / 65535, atol=1 / 255)
    np.testing.assert_allclose(rgb[1:], a[1:] / 65535, atol=1 / 255)


def test_a_16_bit_rgb_png_key_under_256_marks_only_its_own_pixels(tmp_path):
    """A key of (0, 0, 200) was compared with 8-bit pixels as it stood: their (0, 0, 200), 16-bit
    (0, 0, 51400) or so, went transparent, and the keyed pixel (8-bit (0, 0, 0)) stayed."""
    a = RGB16.copy()
    a[0, 0] = (0, 0, 200)
    a[0, 1] = (0, 0, 200 * 257)
    rgb = load_image(png16(tmp_path / "k.png", a, struct.pack(">3H", 0, 0, 200)), background=(0, 255, 0))
    np.testing.assert_array_equal(rgb[0, 0], (0, 1, 0))
    np.testing.assert_allclose(rgb[0, 1], (0, 0, 200 / 255), atol=1 / 255)


def test_the_dry_run_counts_a_16_bit_colour_files_second_decode(tmp_path):
    """Read at 16 bits, a 12-megapixel RGB PNG or TIFF peaked at 30.0 bytes a pixel, RGBA 36.0: counted as 8-bit's
    20 and 29, the dry run and the pixel-limit check said a third less than decoding took."""
    from jaxart import decode_memory
    assert decode_memory.pixel_bytes(FILES["RGB PNG"](tmp_path)) >= 30
    assert decode_memory.pixel_bytes(FILES["RGB TIFF deflated"](tmp_path)) >= 30
    assert decode_memory.pixel_bytes(FILES["RGBA PNG"](tmp_path)) >= 36
    Image.fromarray(np.zeros((H, W, 3), np.uint8)).save(tmp_path / "8.png")
    assert decode_memory.pixel_bytes(tmp_path / "8.png") == 20  # 8-bit files as before
