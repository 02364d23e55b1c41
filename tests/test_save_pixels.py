"""save_image / save_png given the pixels a library user has at hand: integer pixels (as
np.asarray(Image.open(...)) gives) are refused before any file is written; floats of any dtype
are written as their 8-bit rounding."""

import jax.numpy as jnp
import numpy as np
import pytest
from PIL import Image

import jaxart

PIXELS = np.array([[[200, 100, 50], [0, 255, 30]], [[7, 8, 9], [250, 128, 1]]], np.uint8)


@pytest.mark.parametrize("fmt", ["png", "png16", "tiff"])
@pytest.mark.parametrize("dtype, scale", [(np.uint8, 255), (np.uint16, 65535), (np.int64, 255), (bool, None)])
def test_integer_pixels_are_refused_before_any_file_is_written(tmp_path, fmt, dtype, scale):
    """They were clipped to [0, 1]: a photo of 0..255 was saved as a black-and-white image."""
    path = tmp_path / f"out.{fmt}"
    message = f"divide by {scale}" if scale else "give a float array with values in \\[0, 1\\]"
    with pytest.raises(ValueError, match=f"^save_image's image is {np.dtype(dtype)}; .*{message}"):
        jaxart.save_image(path, PIXELS.astype(dtype), fmt=fmt)
    assert list(tmp_path.iterdir()) == []


def test_float_pixels_of_any_dtype_round_to_the_same_png(tmp_path):
    x = PIXELS / 255.0
    for i, pixels in enumerate([x, x.astype(np.float32), jnp.asarray(x, jnp.float32), x.tolist()]):
        jaxart.save_png(tmp_path / f"{i}.png", pixels)
        np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / f"{i}.png")), PIXELS)


@pytest.mark.parametrize("fmt", ["png", "tiff"])
def test_floats_on_a_0_to_255_scale_are_refused_not_saved_white(tmp_path, fmt):
    """stylize refused them, save_image clipped them to [0, 1]: an almost white picture, no error.
    Overshoot a little above 1, NaN and inf (as a diverged run leaves them) are still written, clipped."""
    path = tmp_path / f"out.{fmt}"
    for pixels in (PIXELS.astype(np.float32), jnp.asarray(PIXELS, jnp.bfloat16)):
        with pytest.raises(ValueError, match=r"^save_image's image has values up to 255; give floats in \[0, 1\] "
                                             r"\(divide by 255\)$"):
            jaxart.save_image(path, pixels, fmt=fmt)
    assert list(tmp_path.iterdir()) == []
    odd = np.array([[[1.5, np.nan, np.inf]]], np.float32)
    jaxart.save_png(tmp_path / "odd.png", odd)
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "odd.png")), [[[255, 0, 255]]])
