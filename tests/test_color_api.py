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
    # These two took 0..255 as 0..1: a white output, a start 255 times too bright.
    "finish": (lambda x: color.finish(x, x / 255, "keep"), "finish's image is uint8; give floats in [0, 1]"),
    "start": (lambda x: color.start(x, "luminance"), "start's image is uint8; give floats in [0, 1]"),
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


def test_recombine_names_a_luminance_of_another_shape_than_the_photo_and_still_vmaps():
    """An (H, W, 3) or smaller luma failed inside jnp.clip with a broadcasting error naming neither argument."""
    photo = RGB / 255.0
    for luma in (photo, photo[:, :1, 0]):
        with pytest.raises(ValueError, match=re.escape(f"recombine's luma has shape {luma.shape}, chroma_from (1, 2, 3)")):
            color.recombine(luma, photo)
    batch = jnp.stack([photo, photo[:, ::-1]])
    got = jax.vmap(color.recombine)(jax.vmap(color.luminance)(batch), batch)
    np.testing.assert_allclose(got, batch, atol=1e-6)


def test_grey_of_an_rgb_image_is_refused_with_what_to_give_and_of_luminance_is_three_equal_channels():
    """An (H, W, 3) image became an (H, W, 3, 3) array that `features` refused later, by shape."""
    photo = RGB / 255.0
    with pytest.raises(ValueError, match=re.escape("grey's luma has shape (1, 2, 3); give (H, W) luminance, e.g. grey(luminance(rgb))")):
        color.grey(photo)
    got = color.grey(color.luminance(photo))
    assert got.shape == (1, 2, 3)
    np.testing.assert_array_equal(got, np.repeat(color.luminance(photo)[..., None], 3, axis=-1))


def _photo_and_painting():
    rng = np.random.default_rng(1)
    a, b, c = (rng.random((12, 10)) for _ in range(3))
    photo = np.stack([0.2 + 0.6 * a, 0.3 + 0.3 * a + 0.3 * b, 0.1 + 0.5 * c], axis=-1)
    painting = np.stack([0.3 + 0.2 * b, 0.2 + 0.1 * b + 0.3 * c, 0.25 + 0.2 * a[::-1]], axis=-1)
    return photo, painting


def test_luminance_mode_starts_grey_and_gives_the_painting_the_photos_luminance_mean_and_spread():
    """The photo's chroma returns at the end, so the run sees grey; a darker, flatter painting's
    luminance is matched to the photo's, else its tone, not only its texture, goes into the output."""
    photo, painting = _photo_and_painting()
    content, [style] = color.prepare(photo, [painting], "luminance")
    y, y_paint = color.luminance(photo), color.luminance(painting)
    for grey in (content, style, np.asarray(color.start(photo, "luminance"))):
        np.testing.assert_array_equal(grey[..., 0], grey[..., 1])
        np.testing.assert_array_equal(grey[..., 0], grey[..., 2])
    np.testing.assert_allclose(content[..., 0], y, atol=1e-6)
    np.testing.assert_allclose(np.asarray(color.start(photo, "luminance"))[..., 0], y, atol=1e-6)
    assert abs(y_paint.mean() - y.mean()) > 0.05  # so the match had something to do
    np.testing.assert_allclose([style[..., 0].mean(), style[..., 0].std()], [y.mean(), y.std()], atol=1e-5)
    assert np.corrcoef(style[..., 0].ravel(), y_paint.ravel())[0, 1] > 0.9999  # the painting's pattern


def test_each_match_mode_gives_the_painting_the_photos_colour_statistics_by_its_own_method():
    photo, painting = _photo_and_painting()
    got = {mode: color.prepare(photo, [painting], mode)[1][0] for mode in color.MATCHES}
    for mode, method in color.MATCHES.items():
        np.testing.assert_allclose(got[mode], color.match_colors(painting, photo, method), rtol=1e-5, atol=1e-6)
    assert min(np.abs(got["match-pca"] - got[m]).max() for m in ("match-chol", "match-sym")) > 1e-2
    # Without ../shared's photos (a fresh clone) this is the test of the match itself: the photo's
    # colour mean and covariance, and the painting's pattern kept (not mirrored along an axis).
    stats = lambda x: (x.reshape(-1, 3).mean(0), np.cov(x.reshape(-1, 3), rowvar=False, bias=True))
    for method in ("pca", "chol", "sym"):
        matched = color.match_colors(painting, photo, method)
        for got_stat, want in zip(stats(matched), stats(photo)):
            np.testing.assert_allclose(got_stat, want, atol=1e-6)
        assert np.corrcoef(color.luminance(matched).ravel(), color.luminance(painting).ravel())[0, 1] > 0.5


@pytest.mark.parametrize("mode", color.MODES)
def test_finish_and_start_return_a_jax_array_of_numpy_pixels_in_every_mode(mode):
    """They returned NumPy pixels as they were in four modes and a JAX array in luminance and keep, so `out.at[...]`
    worked for one --colors mode and not another; now a JAX array always, of the pixels themselves where the mode
    changes none."""
    image = np.linspace(0.0, 1.0, 2 * 3 * 3, dtype=np.float32).reshape(2, 3, 3)
    for got in (color.finish(image, image, mode), color.start(image, mode)):
        assert isinstance(got, jax.Array) and got.dtype == jnp.float32 and got.shape == image.shape
    if mode not in ("luminance", "keep"):
        np.testing.assert_array_equal(color.finish(image, image, mode), image)
    else:  # the optimized grey image's luminance, in the photo's colours (the chroma fits at these levels)
        photo, grey = image * 0.5 + 0.25, np.repeat(image[..., :1] * 0.5 + 0.25, 3, axis=-1)
        out = np.asarray(color.finish(grey, photo, mode))
        np.testing.assert_allclose(color.luminance(out), color.luminance(grey), atol=1e-6)
        np.testing.assert_allclose(color.rgb_to_yiq(out)[..., 1:], color.rgb_to_yiq(photo)[..., 1:], atol=1e-6)
    if mode != "luminance":
        np.testing.assert_array_equal(color.start(image, mode), image)
