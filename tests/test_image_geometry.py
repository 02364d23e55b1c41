"""An image's geometry: EXIF orientation applied as a viewer shows it, resizing to a long side with the aspect kept
and the pixels in range, and the least side a painting keeps for VGG."""

import numpy as np
import pytest
from PIL import Image

from jaxart.errors import InputError
from jaxart.image import fit, load_image, painting_side, resize, resized

from test_image import R, _noise, _write


COLOURS = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255]], [[255, 255, 0], [0, 255, 255], [255, 0, 255]]], np.uint8)
# What a viewer shows for each EXIF orientation of the stored pixels `a` (TIFF 6.0 / EXIF 2.3 spec).
ORIENTED = {
    1: lambda a: a, 2: lambda a: a[:, ::-1], 3: lambda a: a[::-1, ::-1], 4: lambda a: a[::-1],
    5: lambda a: a.transpose(1, 0, 2), 6: lambda a: a[::-1].transpose(1, 0, 2),
    7: lambda a: a[::-1, ::-1].transpose(1, 0, 2), 8: lambda a: a[:, ::-1].transpose(1, 0, 2),
}


@pytest.mark.parametrize("orientation", ORIENTED)
@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "TIFF"])
def test_exif_orientation_is_applied(tmp_path, fmt, orientation):
    block = 8  # 8x8 blocks of one colour, so JPEG's chroma blur leaves block centres alone
    stored = COLOURS.repeat(block, 0).repeat(block, 1)
    exif = Image.Exif()
    exif[0x0112] = orientation
    kw = {"quality": 95, "subsampling": 0} if fmt == "JPEG" else {"lossless": True} if fmt == "WEBP" else {}
    path = _write(tmp_path, f"o.{fmt.lower()}", Image.fromarray(stored), fmt, exif=exif.tobytes(), **kw)
    rgb = load_image(path)
    expected = ORIENTED[orientation](COLOURS) / 255.0
    assert rgb.shape == (expected.shape[0] * block, expected.shape[1] * block, 3)
    np.testing.assert_allclose(rgb[block // 2 :: block, block // 2 :: block], expected, atol=0.06)


def test_exif_orientation_6_turns_2x3_to_3x2_clockwise(tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    rgb = load_image(_write(tmp_path, "o.png", Image.fromarray(COLOURS), "PNG", exif=exif.tobytes()))
    assert rgb.shape == (3, 2, 3)
    np.testing.assert_array_equal(rgb[0, 1], R)  # stored top-left ends up top-right
    np.testing.assert_array_equal(rgb[0, 0], (1, 1, 0))  # stored bottom-left ends up top-left


@pytest.mark.parametrize("w, h, size", [(640, 480, 256), (480, 640, 256), (300, 7, 64), (5, 5, 12), (1000, 3, 10),
                                        (300, 200, 100)])
def test_resize_keeps_long_side_and_aspect(w, h, size):
    for nw, nh in (resize(Image.new("RGB", (w, h)), size).size, resized(np.zeros((h, w, 3)), size).shape[1::-1]):
        assert max(nw, nh) == size
        assert min(nw, nh) == max(1, round(min(w, h) * size / max(w, h)))
        assert (nw >= nh) == (w >= h)


def test_load_image_size_sets_long_side(tmp_path):
    rgb = load_image(_write(tmp_path, "n.png", _noise(64, 48), "PNG"), size=32)
    assert rgb.shape == (24, 32, 3)
    with pytest.raises(InputError, match="size must be a whole number of pixels >= 1"):
        resize(_noise(), 0)


def test_resized_pixels_are_finite_and_in_range():
    """Lanczos rings past 0 and 1 at a sharp edge; NaN pixels become 0 rather than spreading."""
    edge = np.zeros((8, 8, 3), np.float32)
    edge[:, 4:] = 1.0
    for size in (8, 5, 13):
        out = resized(edge, size)
        assert out.min() >= 0.0 and out.max() <= 1.0, size
    holed = edge.copy()
    holed[0, 0] = np.nan
    for size in (8, 5):
        assert np.isfinite(resized(holed, size)).all(), size
    assert resized(holed, 8)[0, 0, 0] == 0.0


@pytest.mark.parametrize("shape", [(30, 31), (100, 30), (31, 30), (17, 16), (480, 640), (1000, 999)])
def test_a_small_painting_keeps_a_16_px_short_side(shape):
    """Below 16 px VGG's fifth block has no pixel left; `style_scale` may only make paintings bigger."""
    for size, scale in ((8, 1.0), (16, 1.0), (4, 0.5)):
        assert min(fit(shape, painting_side(shape, size, scale))) >= 16, (shape, size, scale)
    assert painting_side(shape, 2000, 1.0) == 2000 and painting_side(shape, 2000, 0.5) == 1000
