"""Colour profiles: pixels tagged with an ICC profile are read as the sRGB colours they stand for."""

from __future__ import annotations

import struct
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from jaxart import mask_regions
from jaxart.image import load_image

D50 = (0.9642, 1.0, 0.8249)
# sRGB's primaries adapted to D50, as in the sRGB ICC profile (XYZ of full red, green, blue).
RED, GREEN, BLUE = (0.4361, 0.2225, 0.0139), (0.3851, 0.7169, 0.0971), (0.1431, 0.0606, 0.7141)


def _xyz(v) -> bytes:
    return b"XYZ " + bytes(4) + b"".join(struct.pack(">i", round(c * 65536)) for c in v)


def _gamma(g: float) -> bytes:
    return b"curv" + bytes(4) + struct.pack(">IH", 1, round(g * 256))


def icc(space: bytes, tags: dict[bytes, bytes]) -> bytes:
    """A minimal ICC v2 display profile ('mntr', PCS XYZ) with the given tags, built by hand:
    Pillow can write only sRGB and Lab profiles, and a test needs profiles that move colours."""
    offset = 128 + 4 + 12 * len(tags)
    table, data = [], b""
    for sig, body in tags.items():
        body += bytes(-len(body) % 4)
        table.append(struct.pack(">4sII", sig, offset + len(data), len(body)))
        data += body
    header = struct.pack(">I4sI4s4s4s12s4s", offset + len(data), bytes(4), 0x02100000, b"mntr", space, b"XYZ ",
                         bytes(12), b"acsp")
    header += bytes(68 - len(header)) + b"".join(struct.pack(">i", round(c * 65536)) for c in D50)
    header += bytes(128 - len(header))
    return header + struct.pack(">I", len(tags)) + b"".join(table) + data


def rgb_profile(red=RED, green=GREEN, blue=BLUE, gamma: float = 2.2) -> bytes:
    curve = _gamma(gamma)
    return icc(b"RGB ", {b"wtpt": _xyz(D50), b"rXYZ": _xyz(red), b"gXYZ": _xyz(green), b"bXYZ": _xyz(blue),
                         b"rTRC": curve, b"gTRC": curve, b"bTRC": curve})


LINEAR = rgb_profile(gamma=1.0)  # sRGB's primaries with linear values
SWAPPED = rgb_profile(red=BLUE, blue=RED)  # what is stored as red means blue, and the other way round


def srgb_encode(linear: float) -> float:
    return 12.92 * linear if linear <= 0.0031308 else 1.055 * linear ** (1 / 2.4) - 0.055


def _save(tmp_path, name: str, img: Image.Image, profile: bytes | None, **kw):
    path = tmp_path / name
    img.save(path, **({"icc_profile": profile} if profile else {}), **kw)
    return path


@pytest.mark.parametrize("fmt", ["png", "jpg", "webp", "tiff"])
def test_linear_profile_grey_is_read_as_its_brighter_srgb_value(tmp_path, fmt):
    grey = Image.new("RGB", (8, 8), (128, 128, 128))
    kw = {"quality": 100} if fmt == "jpg" else {"lossless": True} if fmt == "webp" else {}
    tagged = load_image(_save(tmp_path, f"g.{fmt}", grey, LINEAR, **kw))
    expected = srgb_encode(128 / 255)  # 0.735: a linear half is a light grey in sRGB
    np.testing.assert_allclose(tagged, expected, atol=2 / 255)
    np.testing.assert_allclose(load_image(_save(tmp_path, f"u.{fmt}", grey, None, **kw)), 128 / 255, atol=1 / 255)


def test_swapped_primaries_turn_stored_red_into_blue_also_after_exif_rotation(tmp_path):
    pixels = np.zeros((2, 3, 3), np.uint8)
    pixels[..., 0] = 255  # all red as stored
    pixels[1, 2] = (0, 255, 0)  # one green pixel, bottom right
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    rgb = load_image(_save(tmp_path, "s.png", Image.fromarray(pixels), SWAPPED, exif=exif.tobytes()))
    assert rgb.shape == (3, 2, 3)
    np.testing.assert_allclose(rgb[0, 1], (0, 0, 1), atol=2 / 255)  # stored top-left, now top-right: blue
    np.testing.assert_allclose(rgb[2, 0], (0, 1, 0), atol=2 / 255)  # green stays green
    raw = load_image(tmp_path / "s.png", to_srgb=False)
    np.testing.assert_array_equal(raw[0, 1], (1, 0, 0))


def test_transparent_pixels_with_a_profile_still_show_the_background(tmp_path):
    rgba = Image.new("RGBA", (2, 2), (255, 0, 0, 255))
    rgba.putpixel((1, 0), (255, 0, 0, 0))
    rgb = load_image(_save(tmp_path, "a.png", rgba, SWAPPED), background=(0, 255, 0))
    np.testing.assert_allclose(rgb[0], [(0, 0, 1), (0, 1, 0)], atol=2 / 255)  # opaque red means blue


def test_grey_profile_on_a_greyscale_image(tmp_path):
    profile = icc(b"GRAY", {b"wtpt": _xyz(D50), b"kTRC": _gamma(1.0)})
    rgb = load_image(_save(tmp_path, "l.png", Image.new("L", (4, 4), 128), profile))
    np.testing.assert_allclose(rgb, srgb_encode(128 / 255), atol=2 / 255)
    # Deep shadows too: lcms's optimized transform read 1, 2, 3, 5 as 6, 12, 19, 31 for 13, 22, 28, 38.
    levels = np.array([1, 2, 3, 5, 128], np.uint8)
    rgb = load_image(_save(tmp_path, "l2.png", Image.fromarray(np.tile(levels, (2, 1))), profile))
    np.testing.assert_allclose(rgb[0, :, 1], [srgb_encode(v / 255) for v in levels], atol=1 / 255)


@pytest.mark.parametrize("fmt", ["png", "tiff"])
def test_grey_profile_on_a_16_bit_greyscale_image_keeps_its_shadows(tmp_path, fmt):
    profile = icc(b"GRAY", {b"wtpt": _xyz(D50), b"kTRC": _gamma(1.0)})
    # 100 of 65535 would be 0 as an 8-bit sample; lcms's optimized transform read 800 as 19 for 29 of 255
    levels = np.array([128 * 257, 100, 200, 400, 800, 1600, 3200], np.uint16)
    rgb = load_image(_save(tmp_path, f"l16.{fmt}", Image.fromarray(np.tile(levels, (2, 1))), profile))
    np.testing.assert_allclose(rgb[0, :, 0], [srgb_encode(v / 65535) for v in levels], atol=1 / 255)
    assert (rgb[0, :, 0] == rgb[0, :, 2]).all()


def test_16_bit_grey_with_a_profile_and_a_colour_key_still_shows_the_background(tmp_path):
    profile = icc(b"GRAY", {b"wtpt": _xyz(D50), b"kTRC": _gamma(1.0)})
    path = _save(tmp_path, "k.png", Image.fromarray(np.array([[128 * 257, 9]] * 2, np.uint16)), profile, transparency=9)
    rgb = load_image(path, background=(0, 255, 0))
    np.testing.assert_allclose(rgb[0], [(srgb_encode(128 / 255),) * 3, (0, 1, 0)], atol=2 / 255)


@pytest.mark.parametrize("profile", [b"not a profile", LINEAR[:100], LINEAR[:-8]], ids=["junk", "header", "cut"])
def test_unreadable_profile_is_ignored_like_a_browser_does(tmp_path, profile):
    rgb = load_image(_save(tmp_path, "b.png", Image.new("RGB", (4, 4), (128, 64, 32)), profile))
    np.testing.assert_allclose(rgb[0, 0], np.array((128, 64, 32)) / 255)


def test_region_mask_colours_are_labels_and_skip_the_profile(tmp_path):
    mask = np.zeros((4, 4, 3), np.uint8)
    mask[:, :2] = (255, 0, 0)
    mask[:, 2:] = (0, 0, 255)
    path = _save(tmp_path, "m.png", Image.fromarray(mask), SWAPPED)
    config = SimpleNamespace(mask=path, region_colors=("red", "blue"))
    regions = mask_regions.load_masks(config, (4, 4, 3), 2)
    np.testing.assert_array_equal(regions[0][:, :2], 1)  # red is where red was drawn
    np.testing.assert_array_equal(regions[1][:, 2:], 1)


def test_profile_for_another_colour_space_is_ignored(tmp_path):
    grey = icc(b"GRAY", {b"wtpt": _xyz(D50), b"kTRC": _gamma(1.0)})
    rgb = load_image(_save(tmp_path, "r.png", Image.new("RGB", (4, 4), (128, 64, 32)), grey))
    np.testing.assert_allclose(rgb[0, 0], np.array((128, 64, 32)) / 255)
    l = load_image(_save(tmp_path, "l.png", Image.new("L", (4, 4), 128), LINEAR))
    np.testing.assert_allclose(l[0, 0], 128 / 255)


def test_palette_and_grey_alpha_images_are_converted_too(tmp_path):
    # a palette PNG keeps its profile's RGB colours; transparency still shows the background
    pal = Image.new("RGB", (2, 2), (255, 0, 0)).convert("P")
    pal.info["transparency"] = 1  # no pixel uses index 1: all opaque
    rgb = load_image(_save(tmp_path, "p.png", pal, SWAPPED, transparency=1))
    np.testing.assert_allclose(rgb[0, 0], (0, 0, 1), atol=2 / 255)  # stored red means blue
    grey = icc(b"GRAY", {b"wtpt": _xyz(D50), b"kTRC": _gamma(1.0)})
    la = Image.new("LA", (2, 2), (128, 255))
    la.putpixel((1, 0), (128, 0))
    rgb = load_image(_save(tmp_path, "la.png", la, grey), background=(0, 255, 0))
    np.testing.assert_allclose(rgb[0, 0], srgb_encode(128 / 255), atol=2 / 255)
    np.testing.assert_allclose(rgb[0, 1], (0, 1, 0), atol=1 / 255)  # transparent: the background


def test_transparent_palette_pixels_with_a_profile_still_show_the_background(tmp_path):
    pal = Image.new("P", (2, 2), 0)
    pal.putpalette([255, 0, 0, 0, 0, 0])
    pal.putpixel((1, 0), 1)  # index 1 is fully transparent
    rgb = load_image(_save(tmp_path, "pt.png", pal, SWAPPED, transparency=1), background=(0, 255, 0))
    np.testing.assert_allclose(rgb[0], [(0, 0, 1), (0, 1, 0)], atol=2 / 255)  # opaque red means blue


@pytest.mark.parametrize("mode", ["RGB", "L"])
def test_a_colour_key_with_a_profile_still_shows_the_background(tmp_path, mode):
    """lcms's output lacked the tRNS key, so the transparent pixels were drawn opaque."""
    red, key = ((255, 0, 0), (10, 20, 30)) if mode == "RGB" else (200, 9)
    img = Image.new(mode, (2, 2), red)
    img.putpixel((1, 0), key)
    profile = SWAPPED if mode == "RGB" else icc(b"GRAY", {b"wtpt": _xyz(D50), b"kTRC": _gamma(1.0)})
    rgb = load_image(_save(tmp_path, "k.png", img, profile, transparency=key), background=(0, 255, 0))
    np.testing.assert_array_equal(rgb[0, 1], (0, 1, 0))
    opaque = (0, 0, 1) if mode == "RGB" else (srgb_encode(200 / 255),) * 3  # swapped: opaque red means blue
    np.testing.assert_allclose(rgb[1], [opaque] * 2, atol=2 / 255)
