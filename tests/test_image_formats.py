"""Image files of every mode and format Pillow writes, and random or damaged bytes: each loads as
RGB in [0, 1] or fails with one clear line, and Pillow's warnings stay out of the output. A PNG, JPEG or GIF whose
header is damaged is called damaged, not a format to convert from."""

from __future__ import annotations

import io
import struct
import tempfile
import warnings
import zlib
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from conftest import run_main
from jaxart import pixel_limit
from jaxart.errors import InputError
from jaxart.image import load_image

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _encode(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


# Every (mode, format) pair Pillow can write, found by trying; sizes stay tiny so this is quick.
MODES = ["1", "L", "LA", "P", "PA", "RGB", "RGBA", "CMYK", "YCbCr", "LAB", "HSV", "I", "I;16", "I;16B", "F"]
FORMATS = ["PNG", "JPEG", "WEBP", "TIFF", "BMP", "GIF", "PPM", "TGA", "PCX", "SGI", "JPEG2000", "QOI",
           "DDS", "SPIDER", "MSP", "XBM"]  # not IM: Pillow deprecates writing it


def _writable(mode: str, fmt: str) -> bool:
    try:
        _encode(Image.new(mode, (3, 2)), fmt)
    except Exception:  # noqa: BLE001 - Pillow reports an unwritable mode in many ways
        return False
    return True


WRITABLE = [(m, f) for m in MODES for f in FORMATS if _writable(m, f)]


@st.composite
def encoded_images(draw) -> tuple[bytes, int, int]:
    """A valid file of any writable mode and format with random pixels: (bytes, width, height)."""
    mode, fmt = draw(st.sampled_from(WRITABLE))
    w, h = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if mode == "F":  # random bits are NaN or inf in 1 of 256 pixels, which load_image refuses (test_image.py)
        img = Image.fromarray(rng.uniform(-2, 2, (h, w)).astype(np.float32))
    else:
        img = Image.frombytes(mode, (w, h), rng.bytes(len(Image.new(mode, (w, h)).tobytes())))
    if mode in ("P", "PA"):
        img.putpalette(rng.bytes(768))
    return _encode(img, fmt), w, h


def _load_bytes(data: bytes) -> np.ndarray:
    """The file's pixels; a warning (Pillow's, of a corrupt EXIF block, say) fails the test."""
    with tempfile.TemporaryDirectory() as d, warnings.catch_warnings():
        warnings.simplefilter("error")
        path = Path(d) / "fuzz"
        path.write_bytes(data)
        return load_image(path)


def _assert_rgb_or_input_error(data: bytes) -> None:
    # A mutated header could ask for hundreds of MB below Pillow's real limit; a low limit, and too
    # little memory to decode more whole, keep the test fast and refuse those files instead.
    with mock.patch.object(Image, "MAX_IMAGE_PIXELS", 4096), mock.patch.object(pixel_limit, "host_bytes", lambda: 2**20):
        try:
            rgb = _load_bytes(data)
        except InputError as e:
            assert str(e).splitlines() == [str(e)]
            return
    assert rgb.dtype == np.float32 and rgb.ndim == 3 and rgb.shape[2] == 3
    assert np.all((rgb >= 0) & (rgb <= 1))


@FAST
@given(encoded_images())
def test_every_valid_mode_and_format_loads_as_rgb(image):
    data, w, h = image
    if min(w, h) < 2:
        with pytest.raises(InputError, match="at least 2x2"):
            _load_bytes(data)
        return
    rgb = _load_bytes(data)
    assert rgb.shape == (h, w, 3) and rgb.dtype == np.float32
    assert np.all((rgb >= 0) & (rgb <= 1))


MAGIC = [b"", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF89a", b"II*\x00", b"MM\x00*", b"BM", b"P6\n", b"RIFF"]


@FAST
@given(st.sampled_from(MAGIC), st.binary(max_size=300))
def test_random_bytes_give_rgb_or_input_error(magic, tail):
    _assert_rgb_or_input_error(magic + tail)


@FAST
@given(encoded_images(), st.data())
def test_damaged_files_give_rgb_or_input_error(image, data):
    raw = bytearray(image[0])
    if data.draw(st.booleans(), "truncate"):
        raw = raw[: data.draw(st.integers(1, len(raw)), "keep")]
    else:
        for _ in range(data.draw(st.integers(1, 4), "flips")):
            raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    _assert_rgb_or_input_error(bytes(raw))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png(ihdr_crc_ok: bool) -> bytes:
    ihdr = _chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 3, 8, 2, 0, 0, 0))
    if not ihdr_crc_ok:
        ihdr = ihdr[:-4] + bytes(b ^ 0xFF for b in ihdr[-4:])
    return b"\x89PNG\r\n\x1a\n" + ihdr + _chunk(b"IDAT", zlib.compress((b"\0" + b"\x80" * 12) * 3)) + _chunk(b"IEND", b"")


DAMAGED = {"png": (_png(False), "PNG"), "jpg": (b"\xff\xd8\xff\xd9", "JPEG"),
           "gif": (b"GIF89a\x10\x00\x10\x00\x00\x00\x00;", "GIF")}


@pytest.mark.parametrize("suffix", sorted(DAMAGED))
def test_a_file_whose_header_is_damaged_is_called_damaged_not_another_format(suffix, tmp_path):
    """Such a file was "not in an image format Pillow can read; convert it to PNG or JPEG", a PNG's owner told to
    convert it to PNG."""
    data, kind = DAMAGED[suffix]
    path = tmp_path / f"photo.{suffix}"
    path.write_bytes(data)
    with pytest.raises(InputError) as e:
        load_image(path)
    assert f"starts as a {kind} file but its header is damaged; re-export or re-download it" in str(e.value)
    assert "convert" not in str(e.value)


@pytest.mark.parametrize("cut", [20, 33, 40, 45])
def test_a_png_cut_short_before_its_pixel_data_is_called_truncated_not_damaged(cut, tmp_path, monkeypatch, capsys):
    """A PNG cut before its pixel data (a copy that stopped) was "starts as a PNG file but its header is damaged", its
    header whole, or (cut in a chunk) `jaxart info`'s "could not be read as an image (OSError: Truncated File Read)":
    it is named as a truncated file is, by stylize and info alike."""
    path = tmp_path / "photo.png"
    whole = _png(True)
    # 20: cut in the header chunk; 40: in the next chunk's length and name; 45: in a text chunk's data
    path.write_bytes(whole[:cut] if cut < 45 else whole[:33] + _chunk(b"tEXt", b"Comment\0" + b"x" * 20)[:12])
    says = f"{path} is damaged or truncated (a PNG cut short after {cut} bytes, before its pixel data); " \
        "re-export or re-download it"
    with pytest.raises(InputError) as e:
        load_image(path)
    assert str(e.value) == says
    assert run_main(["info", str(path)], monkeypatch, capsys) == (2, "", f"error: {says}")
    path.write_bytes(_png(False)[:40])  # its header chunk's CRC wrong: damaged, cut or not
    with pytest.raises(InputError, match="starts as a PNG file but its header is damaged"):
        load_image(path)


def test_the_undamaged_png_loads_and_a_text_file_is_still_not_an_image(tmp_path):
    """The control: the same PNG with its checksum right loads, and a file of no image format is still told to convert."""
    (tmp_path / "ok.png").write_bytes(_png(True))
    assert load_image(tmp_path / "ok.png").shape == (3, 4, 3)
    (tmp_path / "notes.png").write_text("<html>404 Not Found</html>\n")
    with pytest.raises(InputError, match="not in an image format Pillow can read; convert it to PNG or JPEG"):
        load_image(tmp_path / "notes.png")


def _jpeg_claiming(path: Path, width: int, height: int, mode: str = "RGB", **save) -> Path:
    """A 16x16 JPEG whose frame header says `width` x `height`."""
    buf = io.BytesIO()
    Image.new(mode, (16, 16), 90).save(buf, "JPEG", **save)
    data = bytearray(buf.getvalue())
    sof = data.find(b"\xff\xc2" if save.get("progressive") else b"\xff\xc0")
    data[sof + 5:sof + 9] = struct.pack(">HH", height, width)
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("mode, save", [("RGB", {}), ("L", {"progressive": True})])
def test_a_jpeg_whose_header_claims_more_pixels_than_its_bytes_hold_is_refused(mode, save, tmp_path):
    """libjpeg pads missing data with grey: a file of 600 bytes saying 4000x3000 loaded as a grey picture, and one
    saying 65000x65000 (a decompression bomb) loaded as one at 1/8 scale, 8125x8125: 24 s and 2 GiB peak without a
    size, 3.8-4.0 s and 540 MiB at size 32 (2-core AMD EPYC, load 6-8; 0.4-0.5 s and 33 MiB refused here)."""
    path = _jpeg_claiming(tmp_path / "forged.jpg", 4000, 3000, mode, **save)
    with pytest.raises(InputError, match=r"forged\.jpg is a JPEG whose header says 4000x3000 pixels, which take at "
                                         r"least 23 KiB, but it is \d+ bytes: the header is damaged or forged"):
        load_image(path, 64)


def test_the_flattest_whole_jpeg_is_not_called_forged(tmp_path):
    """The control: a flat grey JPEG, optimized, codes 2 bits a block, twice the least the check asks."""
    Image.new("L", (4000, 3000), 0).save(tmp_path / "flat.jpg", optimize=True)
    assert load_image(tmp_path / "flat.jpg", 64).shape == (48, 64, 3)


def test_a_forged_jpeg_whose_frame_lies_past_a_long_header_is_refused(tmp_path):
    """The frame is looked for past the header's first read (64 KiB): a 200 kB ICC profile comes before it."""
    path = _jpeg_claiming(tmp_path / "forged.jpg", 65000, 65000, icc_profile=bytes(200_000))
    with pytest.raises(InputError, match=r"forged\.jpg is a JPEG whose header says 65000x65000 pixels, which take at "
                                         r"least 8 MiB, but it is 19\d KiB: the header is damaged or forged"):
        load_image(path, 32)


def test_an_eps_file_without_ghostscript_says_so_not_that_it_is_damaged(tmp_path, monkeypatch):
    """An Illustrator export was "damaged or truncated (OSError: Unable to locate Ghostscript on paths); re-export
    or re-download it": the file was whole, and no new copy would load."""
    from PIL import EpsImagePlugin

    monkeypatch.setattr(EpsImagePlugin, "gs_binary", False)  # as on a machine without `gs`
    path = tmp_path / "art.eps"
    Image.new("RGB", (8, 6), (200, 30, 30)).save(path)
    with pytest.raises(InputError) as e:
        load_image(path)
    assert str(e.value) == (f"{path} is an EPS file, which Pillow reads through Ghostscript, not installed here; "
                            "install Ghostscript (gs) or export it as PNG or JPEG")
