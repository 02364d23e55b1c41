"""The pure functions as a JAX user's own jitted code calls them: vmapped and differentiated in float32
and bfloat16, and a misshapen or integer image told what it looks like and what to do, at trace time."""

import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxart
from jaxart import losses

IMAGE = np.random.default_rng(0).random((32, 32, 3), dtype=np.float32)
CONFIG = jaxart.loss_config(jaxart.StyleConfig(size=32, conv="direct"))
LW = jaxart.LossWeights.of(CONFIG)


@pytest.fixture(scope="module")
def targets(tiny_vgg16):
    return jaxart.make_targets(tiny_vgg16, IMAGE, [IMAGE[::-1]], CONFIG)


def _calls(w, targets):
    """Each public function that takes an image, by name, as a function of that image."""
    return {
        "features": lambda x: jaxart.features(w, x, ["relu1_1"]),
        "total_loss": lambda x: jaxart.total_loss(w, x, targets, CONFIG, LW),
        "make_targets' photo": lambda x: jaxart.make_targets(w, x, [IMAGE], CONFIG),
        "make_targets' painting": lambda x: jaxart.make_targets(w, IMAGE, [x], CONFIG),
    }


@pytest.mark.parametrize("bad, hint", [
    (np.moveaxis(IMAGE, -1, 0), "channels first: move them last, np.moveaxis(x, -3, -1)"),
    (np.dstack([IMAGE, IMAGE[..., :1]]), "with alpha: composite it or drop it, x[..., :3]"),
    (IMAGE[..., :1], "one channel: repeat it, np.repeat(x, 3, -1)"),
    (IMAGE[..., 0], "a grey image: repeat it, np.stack([x] * 3, -1)"),
], ids=["CHW", "RGBA", "HW1", "HW"])
def test_a_misshapen_image_is_told_how_to_make_it_rgb_under_jit(tiny_vgg16, targets, bad, hint):
    """A channels-first photo was "too small for layer relu4_2" to make_targets (so a user would enlarge
    it), and every function gave a bare shape for the others."""
    for name, call in _calls(tiny_vgg16, targets).items():
        with pytest.raises(ValueError, match=re.escape(hint)):
            jax.jit(call)(bad)


def test_vmapping_over_one_image_instead_of_a_batch_says_so(tiny_vgg16, targets):
    """vmap over an (H, W, 3) image hands each function one (W, 3) row, which total_loss answered with
    "jax.vmap it over a batch", to a user doing just that."""
    for name, call in _calls(tiny_vgg16, targets).items():
        with pytest.raises(ValueError, match=r"got shape \(32, 3\); one row of an image: jax.vmap maps over an "
                                             r"\(N, H, W, 3\) batch, not over one image"):
            jax.vmap(call)(IMAGE)


def test_make_targets_names_which_input_has_integer_pixels(tiny_vgg16):
    """It said "image is uint8" of a photo and several paintings alike."""
    pixels = (IMAGE * 255).astype(np.uint8)
    with pytest.raises(ValueError, match=r"^painting 2 of 2 is uint8; give floats in \[0, 1\] \(divide by 255\)$"):
        jaxart.make_targets(tiny_vgg16, IMAGE, [IMAGE, pixels], CONFIG)
    with pytest.raises(ValueError, match=r"^the content is uint8; give floats in \[0, 1\] \(divide by 255\)"):
        jax.jit(jaxart.make_targets, static_argnums=3)(tiny_vgg16, pixels, [IMAGE], CONFIG)


def test_bfloat16_batches_give_the_float32_loss_of_the_same_pixels_and_bfloat16_gradients(tiny_vgg16, targets):
    """vmapped over a batch and differentiated, as a training loop uses the loss: each image's loss is the
    float32 one of the same pixels, and the gradient comes back in the pixels' dtype, close to float32's."""
    def batch_loss(b):  # (N, H, W, 3) -> (sum, each image's loss), as a training step takes it
        each = jax.vmap(lambda x: jaxart.total_loss(tiny_vgg16, x, targets, CONFIG, LW)[0])(b)
        return each.sum(), each

    step = jax.jit(jax.value_and_grad(batch_loss, has_aux=True))
    batch = jnp.asarray(np.stack([IMAGE, IMAGE[:, ::-1]]), jnp.bfloat16)
    (_, values), grads = step(batch)
    (_, want_values), want = step(batch.astype(jnp.float32))
    assert values.dtype == jnp.float32 and grads.dtype == jnp.bfloat16 and grads.shape == batch.shape
    np.testing.assert_allclose(values, want_values, rtol=1e-6)
    np.testing.assert_allclose(grads.astype(np.float32), want, rtol=2e-2, atol=2e-2 * float(jnp.abs(want).max()))
    feats = jaxart.features(tiny_vgg16, batch, ["relu2_1"])["relu2_1"]  # an (N, H, W, 3) batch directly
    grams = jax.vmap(losses.gram)(feats)
    assert grams.dtype == jnp.float32
    np.testing.assert_allclose(grams[1], losses.gram(jaxart.features(tiny_vgg16, batch[1], ["relu2_1"])["relu2_1"]),
                               rtol=1e-5, atol=1e-6)


def test_compute_targets_compiles_once_for_configs_that_differ_only_in_what_it_does_not_read(tiny_vgg16, monkeypatch):
    """Its programs took the whole config as a static argument: another style weight, step count or seed traced and
    compiled both again, so a sweep made by hand paid VGG's compile time for every setting."""
    from jaxart import targets

    traced, real = [], targets.features
    monkeypatch.setattr(targets, "features", lambda *a, **k: (traced.append(a[2]), real(*a, **k))[1])
    first = targets.compute_targets(tiny_vgg16, IMAGE, [IMAGE[::-1]], CONFIG)
    count = len(traced)  # 2, or 0 where an earlier test compiled these programs already
    other = targets.compute_targets(tiny_vgg16, IMAGE, [IMAGE[::-1]], CONFIG.replace(style_weight=1e3, steps=7, seed=3))
    assert len(traced) == count
    for a, b in zip(jax.tree.leaves(first), jax.tree.leaves(other)):
        np.testing.assert_array_equal(a, b)
