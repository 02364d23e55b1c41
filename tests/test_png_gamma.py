"""A PNG's gAMA and cHRM chunks, without an iCCP or sRGB chunk, are read as the colours they stand for, as browsers
show them: a linear render (gAMA 1.0) was read dark, a wide-gamut cHRM's colours dull. Ordinary PNGs keep their
pixels: gAMA 1/2.2 with sRGB's primaries, or an sRGB or iCCP chunk beside any gAMA."""

from __future__ import annotations

import struct

import numpy as np
import pytest
from PIL import Image, ImageCms, PngImagePlugin

from jaxart.image import load_image

SRGB_XY = (0.3127, 0.3290, 0.64, 0.33, 0.30, 0.60, 0.15, 0.06)
WIDE_XY = (0.3127, 0.3290, 0.68, 0.32, 0.265, 0.69, 0.15, 0.06)  # Display P3's white and primaries


def _png(path, pixels: np.ndarray, gamma: float | None = None, xy: tuple | None = None, srgb: bool = False,
         icc: bytes | None = None):
    info = PngImagePlugin.PngInfo()
    if gamma is not None:
        info.add(b"gAMA", struct.pack(">I", round(gamma * 100000)))
    if xy is not None:
        info.add(b"cHRM", struct.pack(">8I", *(round(v * 100000) for v in xy)))
    if srgb:
        info.add(b"sRGB", b"\0")
    Image.fromarray(pixels).save(path, pnginfo=info, **({"icc_profile": icc} if icc else {}))
    return path


def _encode(linear: np.ndarray) -> np.ndarray:
    linear = np.clip(linear, 0.0, 1.0)
    return np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * linear ** (1 / 2.4) - 0.055)


def _to_xyz(xy) -> np.ndarray:
    """The (3, 3) matrix from linear RGB of primaries `xy` (white, red, green, blue) to XYZ, in float64."""
    x, y = np.array(xy[0::2]), np.array(xy[1::2])
    xyz = np.stack([x / y, np.ones(4), (1 - x - y) / y])
    return xyz[:, 1:] * np.linalg.solve(xyz[:, 1:], xyz[:, 0])


def test_a_linear_png_is_read_as_the_brighter_srgb_colours_it_stands_for(tmp_path):
    """8-bit RGB, grey with alpha and 16-bit grey, stored linear: 0.2 of full light is sRGB's 124 of 255, not 51."""
    want = _encode(np.array(0.2)) * 255
    rgb = np.full((4, 6, 3), 51, np.uint8)
    grey_alpha = np.dstack([np.full((4, 6), 51, np.uint8), np.full((4, 6), 255, np.uint8)])
    deep = np.full((4, 6), round(0.2 * 65535), np.uint16)
    for name, pixels in (("rgb.png", rgb), ("la.png", grey_alpha), ("deep.png", deep)):
        got = load_image(_png(tmp_path / name, pixels, gamma=1.0)) * 255
        np.testing.assert_allclose(got, want, atol=1.0, err_msg=name)


def test_a_wide_gamut_chrm_is_read_as_its_more_saturated_srgb_colours(tmp_path):
    stored = np.array([200, 120, 60], np.uint8)
    linear = (stored / 255.0) ** 2.2
    want = _encode(np.linalg.solve(_to_xyz(SRGB_XY), _to_xyz(WIDE_XY) @ linear)) * 255
    got = load_image(_png(tmp_path / "p3.png", np.tile(stored, (4, 6, 1)), gamma=1 / 2.2, xy=WIDE_XY))[0, 0] * 255
    assert np.abs(want - stored).max() > 10  # the colours move
    np.testing.assert_allclose(got, want, atol=2.0)


@pytest.mark.parametrize("chunks", [dict(gamma=0.45455), dict(gamma=0.45455, xy=SRGB_XY), dict(gamma=1.0, srgb=True),
                                    dict(gamma=1.0, icc="sRGB"), dict(xy=WIDE_XY), dict()])
def test_an_ordinary_png_keeps_its_pixels(chunks, tmp_path):
    """gAMA 1/2.2 as ImageMagick and GIMP write it, with sRGB's cHRM too; an sRGB chunk or an sRGB iCCP profile
    beside a linear gAMA (they take precedence); cHRM without gAMA; no chunk at all."""
    if chunks.get("icc"):
        chunks["icc"] = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    pixels = np.random.default_rng(0).integers(0, 256, (4, 6, 3), np.uint8)
    got = load_image(_png(tmp_path / "photo.png", pixels, **chunks))
    assert np.abs(got * 255 - pixels).max() <= (1.0 if chunks.get("icc") else 0.0)
