"""Edge cases of `color.prepare`, `color.match_luminance` and `guided_gram` for a JAX developer reusing them:
arguments that gave Python's "not iterable", silently no paintings, statistics pooled over channels or
images, or a Gram from masks that were complex or negative; total_loss against region targets of another size.
Each is now refused, naming the argument."""

from __future__ import annotations

import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.test_util import check_grads

import jaxart
from jaxart import color, guided, losses
from jaxart.errors import InputError

RNG = np.random.default_rng(0)
PHOTO = RNG.random((8, 8, 3))
PAINTING = RNG.random((6, 7, 3))
FEATURE = RNG.random((4, 4, 2)).astype(np.float32)
HALF = np.concatenate([np.ones((1, 4, 2)), np.zeros((1, 4, 2))], axis=2).astype(np.float32)  # left half


@pytest.mark.parametrize("styles", [None, 5, "painting.jpg"], ids=["None", "number", "a path"])
def test_prepare_names_styles_that_are_no_list_of_paintings(styles):
    """None and a number were "'NoneType' object is not iterable", naming no argument; a path was its letters."""
    with pytest.raises(TypeError, match=r"^prepare's styles is .*; give a list of \(h, w, 3\) paintings, \[painting\]$"):
        color.prepare(PHOTO, styles, "match-pca")


@pytest.mark.parametrize("mode", ["style", "luminance", "match-chol"])
def test_prepare_takes_paintings_from_a_generator_as_from_a_list(mode):
    """A generator was spent by prepare's own checks: no paintings came back, silently."""
    _, want = color.prepare(PHOTO, [PAINTING, PAINTING[::-1]], mode)
    _, got = color.prepare(PHOTO, (p for p in (PAINTING, PAINTING[::-1])), mode)
    assert len(got) == 2
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)


@pytest.mark.parametrize("which", ["luma", "reference"])
@pytest.mark.parametrize("shape", [(8, 8, 3), (2, 8, 8), (64,)], ids=["RGB", "batch", "1-D"])
def test_match_luminance_wants_one_images_luminance(which, shape):
    """An RGB image was matched over its three channels pooled, a batch over its images pooled: a
    shifted, scaled image of the right shape with no error."""
    args = {"luma": PHOTO[..., 0], "reference": PHOTO[..., 1], which: RNG.random(shape)}
    said = re.escape(f"match_luminance's {which} has shape {shape}; give (h, w) luminance, color.luminance(rgb)")
    with pytest.raises(ValueError, match=f"^{said}"):
        color.match_luminance(args["luma"], args["reference"])


def test_match_luminance_gives_the_references_mean_and_deviation():
    got = color.match_luminance(PAINTING[..., 0] * 0.5, PHOTO[..., 1] * 0.8 + 0.1)
    ref = PHOTO[..., 1] * 0.8 + 0.1
    assert got.shape == (6, 7)
    np.testing.assert_allclose([got.mean(), got.std()], [ref.mean(), ref.std()], rtol=1e-9)


@pytest.mark.parametrize("masks, message", [
    (HALF.astype(np.complex64) + 1j, r"are complex64; give real \(R, h, w\) weights in \[0, 1\]$"),
    (HALF - 0.5, r"hold -0.5; give \(R, h, w\) weights in \[0, 1\] \(jnp.clip\(masks, 0, 1\)\)$"),
    (np.where(HALF > 0, np.nan, 0.0), r"hold NaN; give"),
], ids=["complex", "negative", "NaN"])
def test_guided_gram_refuses_masks_that_give_a_silently_wrong_gram(masks, message):
    """Complex masks lost their imaginary part; negative ones were squared, -1 weighing as 1, and gave
    `style_loss` a negative area, so its optimizer was pushed away from the painting."""
    with pytest.raises(InputError, match=f"^guided_gram's masks {message}"):
        guided.guided_gram(FEATURE, masks)
    with pytest.raises(InputError, match="^guided_gram's masks"):  # the loss built on it too, closed over in jit
        jax.jit(lambda f: guided.style_loss({"l": f}, {"l": np.zeros((1, 2, 2))}, {"l": masks}, {"l": 1.0}))(FEATURE)


def test_guided_gram_with_traced_masks_is_unchecked_and_differentiable():
    """The value check reads concrete masks only: jit, grad and vmap over masks still work."""
    want = guided.guided_gram(FEATURE, HALF)
    np.testing.assert_allclose(jax.jit(guided.guided_gram)(FEATURE, HALF), want, rtol=1e-6)
    np.testing.assert_allclose(jax.vmap(guided.guided_gram, (None, 0))(FEATURE, HALF[None])[0], want, rtol=1e-6)
    grad = jax.grad(lambda m: guided.guided_gram(FEATURE, m).sum())(jnp.asarray(HALF))
    assert grad.shape == HALF.shape and np.isfinite(grad).all()


def test_guided_gram_and_its_style_loss_pass_check_grads_in_float64(rng):
    """Spatial control's loss is a loss too (STYLE.md principle 8): finite differences in float64 agree with its
    gradient, through guided_gram's per-region Grams and the area weighting of `style_loss`."""
    with jax.enable_x64(True):
        f, t = (jnp.asarray(rng.standard_normal((4, 4, 2))) for _ in range(2))
        masks = jnp.asarray(np.stack([np.tri(4), 1 - np.tri(4)]))  # two regions of 10 and 6 pixels
        grams = guided.guided_gram(t, masks)
        check_grads(lambda x: guided.guided_gram(x, masks), (f,), order=2, modes=["fwd", "rev"])
        check_grads(lambda x: guided.style_loss({"l": x}, {"l": grams}, {"l": masks}, {"l": 1.0}), (f,), order=2,
                    modes=["rev"])


@pytest.mark.parametrize("target", [np.zeros((2, 2), np.float32), np.eye(2, dtype=np.float32)], ids=["zero", "eye"])
def test_guided_style_loss_of_one_whole_region_is_the_plain_style_loss(target):
    """One mask of ones is no spatial control: against an all-zero target Gram the guided loss was 10^12 times the
    plain one (it divided by 0 + 1e-12, where `losses.style_layer_loss` leaves a target of no scale undivided)."""
    whole = np.ones((1, 4, 4), np.float32)
    got = guided.style_loss({"l": FEATURE}, {"l": target[None]}, {"l": whole}, {"l": 1.0})
    np.testing.assert_allclose(got, losses.style_layer_loss(FEATURE, target), rtol=1e-5)


def test_a_masks_scale_cancels_and_an_empty_region_weighs_nothing():
    """Documented, not refused: 0..255 masks give 0..1's Grams, and a region of zeros has a zero Gram
    that `style_loss` weighs by its area, 0, so the loss is that of the other regions alone."""
    np.testing.assert_allclose(guided.guided_gram(FEATURE, HALF * 255), guided.guided_gram(FEATURE, HALF), rtol=1e-6)
    both = np.concatenate([HALF, np.zeros_like(HALF)])
    np.testing.assert_array_equal(guided.guided_gram(FEATURE, both)[1], 0.0)
    target = np.eye(2, dtype=np.float32)[None]
    one = guided.style_loss({"l": FEATURE}, {"l": target}, {"l": HALF}, {"l": 1.0})
    two = guided.style_loss({"l": FEATURE}, {"l": np.concatenate([target, target])}, {"l": both}, {"l": 1.0})
    np.testing.assert_allclose(two, one, rtol=1e-6)


def test_an_image_of_another_size_than_the_region_masks_says_to_give_the_photos_size(tiny_vgg16):
    """Style only, no content target checked the size: total_loss answered with guided_gram's shapes."""
    w, image = tiny_vgg16, RNG.random((32, 32, 3), dtype=np.float32)
    config = jaxart.StyleConfig(content_layers=(), style_layers=("relu1_1", "relu2_1"))
    masks = np.zeros((2, 32, 32), np.float32)
    masks[0, :, :16], masks[1, :, 16:] = 1, 1
    targets = jaxart.make_targets(w, image, [image[::-1], image], config, masks)
    with pytest.raises(ValueError, match=re.escape("the image is 24x16 px, the photo the targets were made of 32x32 "
                                                   "px; give an image of the photo's size")):
        jax.jit(lambda x: jaxart.total_loss(w, x, targets, config, (1.0, 1.0, 1.0)))(image[:16, :24])


def test_blend_grams_of_no_painting_says_what_to_give():
    """An empty list said only "at least one style is needed", not what blend_grams takes."""
    with pytest.raises(ValueError, match="at least one style is needed; give blend_grams a list of one dict of Grams "
                                         "per painting"):
        losses.blend_grams([])
