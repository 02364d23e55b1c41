"""jaxart.color as a library user calls it: integer pixels are refused with the number to divide
by (the conversion matrices were cast to the pixels' integer dtype: uint8 RGB gave all-zero YIQ);
float pixels keep their dtype, under jit too."""

import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxart import color

RGB = np.array([[[200, 100, 50], [0, 255, 30]]], np.uint8)  # (1, 2, 3)

CALLS = {
    "rgb_to_yiq": (lambda x: color.rgb_to_yiq(x), "rgb_to_yiq's image is uint8; give floats in [0, 1] (divide by 255)"),
    "yiq_to_rgb": (lambda x: color.yiq_to_rgb(x.astype(np.int32)), "yiq_to_rgb's image is int32; give floats"),
    "luminance": (lambda x: color.luminance(jnp.asarray(x)), "luminance's image is uint8; give floats in [0, 1]"),
    "luminance of a list": (lambda x: color.luminance(x.tolist()), "luminance's image is int64; give floats"),
    "match_colors": (lambda x: color.match_colors(x, x / 255), "match_colors' style is uint8; give floats in [0, 1]"),
    "recombine": (lambda x: color.recombine(x[..., 0] / 255, x), "recombine's chroma_from is uint8; give floats"),
    "prepare": (lambda x: color.prepare(x / 255, [x], "match-pca"), "a painting is uint8; give floats in [0, 1]"),
}


@pytest.mark.parametrize("call", CALLS, ids=list(CALLS))
def test_integer_pixels_are_refused_not_turned_to_zero(call):
    fn, message = CALLS[call]
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        fn(RGB)


def test_float_pixels_convert_in_their_own_dtype_and_under_jit():
    x = RGB / 255.0
    y = x @ color.RGB_TO_YIQ.T
    np.testing.assert_allclose(color.rgb_to_yiq(x), y, rtol=1e-12)
    np.testing.assert_allclose(color.luminance(x.tolist()), y[..., 0], rtol=1e-12)
    got = jax.jit(color.rgb_to_yiq)(jnp.asarray(x, jnp.bfloat16))
    assert got.dtype == jnp.bfloat16
    np.testing.assert_allclose(np.asarray(got, np.float32), y, atol=0.02)
    np.testing.assert_allclose(jax.jit(color.yiq_to_rgb)(jnp.asarray(y, jnp.float32)), x, atol=1e-6)
