"""`color.recombine`, which `--colors luminance` and `keep` write: the given luminance with the photo's chroma,
scaled toward grey where it would not fit in [0, 1]. It clamped the luminance there instead, flattening the strokes
the style loss paid for (7.9% of golden_gate + the_scream's pixels; BENCHMARKS.md, "`--colors luminance`: the
chroma fitted, not the luminance")."""

import jax
import numpy as np
import pytest

import jaxart
from jaxart import color
from jaxart.config import StyleConfig


def _cases(rng, shape=(6, 7)):  # random photos, another random luminance: most saturated pixels do not fit
    return rng.random(shape), rng.random((*shape, 3))


def _written(luma, photo) -> np.ndarray:
    return np.asarray(jax.jit(color.recombine)(luma.astype(np.float32), photo.astype(np.float32)), np.float64)


def test_the_luminance_written_is_the_luminance_given(rng):
    luma, photo = _cases(rng)
    out = _written(luma, photo)
    assert out.min() >= 0.0 and out.max() <= 1.0
    np.testing.assert_allclose(color.luminance(out), luma, atol=2e-6)  # before: off by up to 0.5


def test_the_photos_hue_is_kept_and_its_chroma_only_lowered_just_enough_to_fit(rng):
    luma, photo = _cases(rng)
    out = _written(luma, photo)
    (i, q), (i0, q0) = (np.moveaxis(color.rgb_to_yiq(x)[..., 1:], -1, 0) for x in (out, photo))
    np.testing.assert_allclose(i * q0 - q * i0, 0.0, atol=2e-6)  # the same direction in the I, Q plane
    assert np.all(i * i0 + q * q0 >= -1e-9)  # not turned round
    share = np.hypot(i, q) / np.hypot(i0, q0)
    assert share.max() <= 1 + 1e-5
    lowered = share < 1 - 1e-4
    assert 0 < lowered.mean() < 1  # so the cases test both
    edge = np.minimum(out.min(-1), 1 - out.max(-1))  # a lowered pixel touches 0 or 1: no more grey than needed
    assert np.abs(edge[lowered]).max() < 2e-6


def test_a_photo_pixel_that_fits_is_unchanged(rng):
    luma, photo = _cases(rng)
    np.testing.assert_allclose(_written(color.luminance(photo), photo), photo, atol=2e-6)  # its own luminance
    offset = photo - color.luminance(photo)[..., None]  # RGB = Y + offset
    fits = (luma + offset.min(-1) >= 0) & (luma + offset.max(-1) <= 1)
    np.testing.assert_allclose(_written(luma, photo)[fits], (luma[..., None] + offset)[fits], atol=2e-6)


def test_a_grey_photo_the_ends_of_the_range_and_a_share_between():
    photo = np.array([[[0.5, 0.5, 0.5], [1.0, 0.0, 0.0], [0.2, 0.3, 0.9], [0.0, 1.0, 0.0]]])
    out = _written(np.array([[0.0, 1.0, 0.0, 0.7]]), photo)
    rb = (0.7 - 0.587) / (0.299 + 0.114)  # green at 0.7 (its own 0.587): green's channel at 1, red = blue
    np.testing.assert_allclose(out, [[[0, 0, 0], [1, 1, 1], [0, 0, 0], [rb, 1, rb]]], atol=1e-5)
    assert np.isfinite(out).all()


def test_a_luminance_run_of_a_saturated_photo_writes_the_luminance_it_optimized(tiny_vgg16, rng):
    """Pure red, green and blue fit at their own luminance alone: the old clamp undid every stroke on them."""
    photo = np.zeros((24, 24, 3), np.float32)
    for c in range(3):
        photo[8 * c:8 * c + 8, :, c] = 1.0
    config = StyleConfig(size=24, steps=3, colors="luminance", conv="direct", style_weight=1e4)
    out = jaxart.run(photo, [rng.random((20, 20, 3), dtype=np.float32)], weights=tiny_vgg16, config=config)
    assert np.abs(color.luminance(out.pixels) - color.luminance(photo)).max() > 0.05  # it was stylized
    np.testing.assert_allclose(color.luminance(out.image), color.luminance(out.pixels), atol=2e-6)
    assert out.image_terms == pytest.approx(out.terms, rel=1e-4)
