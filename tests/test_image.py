"""Image I/O: every odd file either loads as correct RGB in [0, 1] or fails with one clear line."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from jaxart.errors import InputError
from jaxart.image import check_background, load_image


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png(width: int, height: int, pixels: bytes, *, bit_depth: int = 8, color_type: int = 0) -> bytes:
    """A PNG built by hand, for headers Pillow will not write (huge sizes, 16-bit RGB)."""
    header = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(pixels))
            + _chunk(b"IEND", b""))


def _encode(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def _write(folder: Path, name: str, data: bytes | Image.Image, fmt: str | None = None, **kw) -> Path:
    path = folder / name
    path.write_bytes(data if isinstance(data, bytes) else _encode(data, fmt, **kw))
    return path


def _noise(w: int = 64, h: int = 48) -> Image.Image:
    return Image.fromarray(np.random.default_rng(0).integers(0, 256, (h, w, 3), np.uint8))


def _u16(values, mode: str = "I;16") -> Image.Image:
    """A 16-bit (I;16) or 32-bit signed (I) grey image."""
    return Image.fromarray(np.array(values, np.uint16 if mode == "I;16" else np.int32))


def _file(name: str, data: bytes | Image.Image, fmt: str | None = None, **kw):
    """A builder that writes `data` (bytes, or an image encoded as `fmt`) to `name` in a folder."""
    return lambda folder: _write(folder, name, data, fmt, **kw)


# Bad inputs: (builder, fragments the message must contain).
BAD = {
    "missing": (lambda d: d / "missing.png", ["does not exist"]),
    "newline-in-name": (lambda d: d / "two\nlines.png", ["does not exist"]),
    "folder": (lambda d: d, ["is a folder"]),
    "empty": (_file("empty.jpg", b""), ["empty (0 bytes)"]),
    "text": (_file("notes.png", b"not an image\n" * 20), ["not in an image format"]),
    "truncated-jpeg": (_file("cut.jpg", _encode(_noise(), "JPEG")[:600]), ["truncated"]),
    # Its end marker put back after the cut: loaded without a word, its bottom grey.
    "cut-jpeg-with-its-end": (_file("cut.jpg", _encode(_noise(), "JPEG")[:1500] + b"\xff\xd9"),
                              ["truncated", "cut short before its end marker", "re-download"]),
    "truncated-png": (_file("cut.png", _encode(_noise(), "PNG")[:300]), ["truncated"]),
    "bad-png-filter": (_file("bad.png", _png(4, 4, b"\x07" * 20)), ["damaged"]),
    "1x1": (_file("dot.png", Image.new("RGB", (1, 1)), "PNG"), ["1x1 pixels", "at least 2x2"]),
    "1x7": (_file("line.gif", Image.new("L", (1, 7)), "GIF"), ["1x7 pixels"]),
    # 10^12 pixels, over Pillow's limit and any memory: not a JPEG, which would decode at 1/8 scale.
    "too-large": (_file("huge.png", _png(1_000_000, 1_000_000, b"")), ["1000000x1000000 pixels", "save a smaller"]),
    # Read as black, these ran to a black result and exit 0.
    "float-tiff-all-nan": (_file("nan.tif", Image.fromarray(np.full((4, 6), np.nan, np.float32), "F"), "TIFF"),
                           ["NaN or infinite pixels (24 of 24)"]),
    "float-tiff-some-inf": (_file("inf.tif", Image.fromarray(np.array([[0.5, np.inf]] * 2, np.float32), "F"), "TIFF"),
                           ["NaN or infinite pixels (2 of 4)"]),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_bad_input_is_one_line_input_error(tmp_path, case):
    build, fragments = BAD[case]
    path = build(tmp_path)
    with pytest.raises(InputError) as info:
        load_image(path)
    message = str(info.value)
    assert message.splitlines() == [message], "the CLI prints errors as one line"
    assert path.name.replace("\n", " ") in message, "the message names the file"
    assert ";" in message, "the message says what to do after what went wrong"
    for fragment in fragments:
        assert fragment in message


def _grey(v: float) -> tuple[float, float, float]:
    return (v, v, v)


def _palette(transparent: bool) -> Image.Image:
    img = Image.fromarray(np.array([[0, 1], [2, 1]], np.uint8), "P")
    img.putpalette([255, 0, 0, 0, 255, 0, 0, 0, 255])
    if transparent:
        img.info["transparency"] = 1
    return img


def _gif_two_frames(d: Path) -> Path:
    first, second = _palette(True), Image.new("P", (2, 2), 2)
    second.putpalette([255, 0, 0, 0, 255, 0, 0, 0, 255])
    return _write(d, "anim.gif", first, "GIF", save_all=True, append_images=[second], transparency=1)


def _multipage_tiff(d: Path) -> Path:
    red, blue = Image.new("RGB", (2, 2), (255, 0, 0)), Image.new("RGB", (2, 2), (0, 0, 255))
    return _write(d, "pages.tif", red, "TIFF", save_all=True, append_images=[blue])


def _apng_behind_a_fallback(d: Path) -> Path:
    """An APNG whose default image, green, is only a fallback for viewers without APNG (`default_image`)."""
    green, red, blue = (Image.new("RGB", (2, 2), c) for c in ((0, 255, 0), (255, 0, 0), (0, 0, 255)))
    return _write(d, "anim.png", green, "PNG", save_all=True, append_images=[red, blue], default_image=True)


R, G, B, W, K, C = (1, 0, 0), (0, 1, 0), (0, 0, 1), (1, 1, 1), (0, 0, 0), (0, 1, 1)
HALF = _grey(128 / 255)  # where 32-bit 2**30 lands after rounding to 8 bits
HALF16 = _grey(32768 / 65535)  # 16-bit samples are read at 16 bits
RGBA = Image.fromarray(np.array([[[255, 0, 0, 255], [0, 0, 255, 0]], [[0, 255, 0, 128], [9, 9, 9, 0]]], np.uint8))
RGBA_ON_WHITE = [[R, W], [(127 / 255, 1, 127 / 255), W]]
LA = Image.fromarray(np.array([[[0, 255], [0, 0]]] * 2, np.uint8), "LA")
CYAN = Image.new("CMYK", (8, 8), (255, 0, 0, 0))
RGB16 = _png(2, 2, (b"\x00" + np.array([65535, 32768, 0, 0, 0, 65535], ">u2").tobytes()) * 2, bit_depth=16, color_type=2)
PGM16 = b"P5\n2 2\n65535\n" + np.array([65535, 32768] * 2, ">u2").tobytes()
FLOAT_01 = Image.fromarray(np.array([[0, 0.5], [1, 0]], np.float32))
FLOAT_255 = Image.fromarray(np.array([[0, 51], [255, 300]], np.float32))
# Good inputs: (builder, expected (H, W, 3) RGB, tolerance).
GOOD = {
    "rgba-png-on-white": (_file("a.png", RGBA, "PNG"), RGBA_ON_WHITE, 1.5 / 255),
    "rgba-webp-on-white": (_file("a.webp", RGBA, "WEBP", lossless=True), RGBA_ON_WHITE, 1.5 / 255),
    "la-png": (_file("la.png", LA, "PNG"), [[K, W]] * 2, 0),
    "p-png-opaque": (_file("p.png", _palette(False), "PNG"), [[R, G], [B, G]], 0),
    "p-png-transparent-index": (_file("pt.png", _palette(True), "PNG"), [[R, W], [B, W]], 0),
    "gif-first-frame": (_gif_two_frames, [[R, W], [B, W]], 0),
    "tiff-first-page": (_multipage_tiff, [[R, R], [R, R]], 0),
    "apng-first-frame-not-its-fallback": (_apng_behind_a_fallback, [[R, R], [R, R]], 0),  # was the fallback, green
    "cmyk-jpeg-cyan": (_file("c.jpg", CYAN, "JPEG", quality=95), [[C] * 8] * 8, 0.03),
    "cmyk-tiff-cyan": (_file("c.tif", CYAN, "TIFF"), [[C] * 8] * 8, 0),
    "lab-tiff-white": (_file("lab.tif", Image.new("LAB", (2, 2), (255, 128, 128)), "TIFF"), [[W, W]] * 2, 1.5 / 255),
    "mode-1-png": (_file("bw.png", Image.fromarray(np.array([[0, 1], [1, 0]], bool)), "PNG"), [[K, W], [W, K]], 0),
    "16bit-png": (_file("g16.png", _u16([[0, 32768], [65535, 1000]]), "PNG"),
                  [[K, HALF16], [W, _grey(1000 / 65535)]], 0),
    "16bit-png-dark": (_file("dark16.png", _u16([[0, 255], [128, 0]]), "PNG"),
                       [[K, _grey(255 / 65535)], [_grey(128 / 65535), K]], 0),
    "16bit-tiff": (_file("g16.tif", _u16([[0, 32768], [65535, 0]]), "TIFF"), [[K, HALF16], [W, K]], 0),
    "16bit-rgb-png": (_file("rgb16.png", RGB16), [[(1, 32768 / 65535, 0), B]] * 2, 0),
    "16bit-pgm-mode-I": (_file("g16.pgm", PGM16), [[W, HALF16]] * 2, 0),
    # Pillow saves mode "I" as a signed 32-bit TIFF: scaled by 2**31 - 1, where 65535 and up were white
    "32bit-int-tiff": (_file("i32.tif", _u16([[2**31 - 1, 2**30], [-5, 99999]], "I"), "TIFF"), [[W, HALF], [K, K]], 0),
    "float-tiff-unit-range": (_file("f.tif", FLOAT_01, "TIFF"), [[K, HALF], [W, K]], 0),
    "float-tiff-255-range": (_file("f255.tif", FLOAT_255, "TIFF"), [[K, _grey(0.2)], [W, W]], 0),
    "bmp": (_file("x.bmp", Image.fromarray(np.array([[R, G], [B, W]], np.uint8) * 255), "BMP"), [[R, G], [B, W]], 0),
}


@pytest.mark.parametrize("case", GOOD, ids=list(GOOD))
def test_good_input_gives_expected_rgb(tmp_path, case):
    build, expected, tol = GOOD[case]
    rgb = load_image(build(tmp_path))
    assert rgb.dtype == np.float32
    np.testing.assert_allclose(rgb, np.array(expected, np.float64), atol=tol + 1e-6)


def test_background_replaces_transparent_pixels(tmp_path):
    rgb = load_image(_write(tmp_path, "a.png", RGBA, "PNG"), background=(0, 0, 0))
    np.testing.assert_allclose(rgb[0, 1], K)
    np.testing.assert_allclose(rgb[1, 0], (0, 128 / 255, 0), atol=1.5 / 255)
    with pytest.raises(InputError, match="background must be three integers"):
        load_image(tmp_path / "a.png", background=(0, 0, 1.5))


def test_reading_holds_one_float_copy_of_the_pixels(tmp_path):
    """A 12-megapixel photo or mask peaked at two float32 copies (the copy and its quotient by 255):
    137 MiB more than the image it returns."""
    import tracemalloc

    path = tmp_path / "big.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (300, 400, 3), np.uint8)).save(path)
    tracemalloc.start()
    try:
        x = load_image(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert x.dtype == np.float32 and peak < 1.6 * x.nbytes
    np.testing.assert_array_equal(x, np.asarray(Image.open(path), np.float32) / 255.0)


@pytest.mark.parametrize("bad", [(256, 0, 0), (0, -1, 0), (True, 0, 0), (0, 0), (0, 0, 0, 0)])
def test_background_out_of_8_bit_range_or_a_bool_is_refused(bad):
    with pytest.raises(InputError, match="background must be three integers 0..255"):
        check_background(bad)
    assert check_background(np.array([255, 0, 7])) == (255, 0, 7)


def test_premultiplied_grey_alpha_tiff_loads_over_the_background(tmp_path):
    """A TIFF whose alpha is associated (ExtraSamples 1) opens as Pillow's La, which converts to nothing but LA."""
    la = Image.new("LA", (2, 2), (128, 255))
    la.putpixel((1, 0), (0, 0))
    unassociated = b"\x52\x01\x03\x00\x01\x00\x00\x00\x02\x00"  # tag 338, SHORT, 1 value: 2
    data = _encode(la, "TIFF")
    assert data.count(unassociated) == 1
    path = _write(tmp_path, "la.tif", data.replace(unassociated, unassociated[:-2] + b"\x01\x00"))
    assert Image.open(path).mode == "La"
    rgb = load_image(path, background=(0, 255, 0))
    np.testing.assert_allclose(rgb[1], 128 / 255)
    np.testing.assert_array_equal(rgb[0, 1], (0, 1, 0))
