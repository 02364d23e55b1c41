"""The pure functions as a JAX user's own jitted code calls them: vmapped and differentiated in float32
and bfloat16, and a misshapen or integer image told what it looks like and what to do, at trace time; one
compiled step for any loss weights, the style layers' included, float32 layer weights in a float64 loss under
strict promotion, and weights, masks, `remat` or paintings of the wrong kind refused naming the argument."""

import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxart
from jaxart import guided, losses

from conftest import TINY

IMAGE = np.random.default_rng(0).random((32, 32, 3), dtype=np.float32)
CONFIG = jaxart.loss_config(jaxart.StyleConfig(size=32, conv="direct"))
LW = jaxart.LossWeights.of(CONFIG)
# For the tests of loss weights, masks, remat and paintings below: a 16 px photo and painting, two style layers.
SMALL = np.random.default_rng(0).random((16, 16, 3), dtype=np.float32)
SMALL_PAINTING = SMALL[::-1].copy()
TWO_LAYERS = jaxart.StyleConfig(conv="direct", content_layers=("relu2_2",), style_layers=("relu1_1", "relu2_1"))


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


def test_a_batch_of_batches_is_told_to_merge_its_axes_not_to_put_channels_last(tiny_vgg16, targets):
    """A (2, 2, H, W, 3) grid of images was told "give RGB pixels, channels last", which its pixels were."""
    grid = np.broadcast_to(IMAGE, (2, 2, *IMAGE.shape))
    with pytest.raises(ValueError, match=re.escape("2 batch axes, where one goes: merge them, x.reshape(-1, ")):
        jax.jit(_calls(tiny_vgg16, targets)["features"])(grid)
    for name, call in _calls(tiny_vgg16, targets).items():
        with pytest.raises(ValueError, match="jax.vmap|batch axes"):
            call(grid)


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


def test_other_style_layer_weights_or_blend_compile_no_other_step():
    """`run` keeps the step `loss_function` makes compiled across runs; the style layers' weights and the
    blend were static settings of it, so each value (a sweep by hand) traced and compiled the step again."""
    w = jaxart.random_weights(jax.random.PRNGKey(0), "vgg16", widths=TINY)
    targets, traces = jaxart.make_targets(w, SMALL, [SMALL_PAINTING], TWO_LAYERS), []
    step = jax.jit(lambda fun, x: (traces.append(1), fun(x)[0])[1])
    configs = [TWO_LAYERS, TWO_LAYERS.replace(style_layer_weights=(3.0, 1.0)),
               TWO_LAYERS.replace(style_layer_weights=(0.0, 1.0)), TWO_LAYERS.replace(style_blend=(2.0,))]
    x = SMALL[:, ::-1]
    for config in configs:
        lw = jaxart.LossWeights.of(config)
        got = step(jaxart.objective.loss_function(w, targets, config, lw), x)
        np.testing.assert_allclose(got, jaxart.total_loss(w, x, targets, config, lw)[0], rtol=1e-5)
    assert len(traces) == 1


def test_float32_layer_weights_weigh_a_float64_loss_under_strict_promotion():
    """A sweep's layer weights are float32 arrays; against float64 weights (for check_grads) they were a
    TypePromotionError deep inside style_loss, where the float32 LossWeights were already cast."""
    w = jaxart.random_weights(jax.random.PRNGKey(0), "vgg16", widths=TINY)
    with jax.enable_x64(True), jax.numpy_dtype_promotion("strict"):
        w64 = jax.tree.map(lambda a: a.astype(jnp.float64), w)
        x = SMALL.astype(np.float64)
        targets = jaxart.make_targets(w64, x, [SMALL_PAINTING.astype(np.float64)], TWO_LAYERS)
        lw = jaxart.LossWeights.of(TWO_LAYERS)
        f32 = {"relu1_1": jnp.float32(0.25), "relu2_1": jnp.float32(0.75)}
        total, terms = jaxart.total_loss(w64, x[::-1], targets, TWO_LAYERS, lw, f32)
        want = jaxart.total_loss(w64, x[::-1], targets, TWO_LAYERS, lw, {"relu1_1": 0.25, "relu2_1": 0.75})[0]
        assert total.dtype == jnp.float64 and terms["style"].dtype == jnp.float64
        np.testing.assert_allclose(total, want, rtol=1e-12)
        feats = {"a": jnp.ones((4, 4, 2), jnp.float64)}
        style = losses.style_loss(feats, {"a": 2 * jnp.eye(2, dtype=jnp.float64)}, {"a": jnp.float32(0.5)})
        assert style.dtype == jnp.float64
        np.testing.assert_allclose(style, 0.5 * losses.style_layer_loss(feats["a"], 2 * jnp.eye(2)), rtol=1e-12)


def test_loss_weights_that_are_no_real_scalars_are_refused_naming_the_weight():
    """A string weight ("10", as read from a file) was read as its number, None or "a" failed in jnp.asarray
    naming no weight, layer_weights as a list was an AttributeError ('items'), and with region masks a batch of
    layer weights silently gave a batch of losses."""
    w = jaxart.random_weights(jax.random.PRNGKey(0), "vgg16", widths=TINY)
    targets, x = jaxart.make_targets(w, SMALL, [SMALL_PAINTING], TWO_LAYERS), SMALL[:, ::-1]
    cases = [((1.0, "10", 1.0), None, ValueError, "total_loss's style weight holds strings"),
             ((None, 1.0, 1.0), None, ValueError, "total_loss's content weight is None"),
             ((1.0, 1.0, 2j), None, ValueError, "total_loss's tv weight is complex128"),
             ((1.0, 1.0, 1.0), [0.5, 0.5], TypeError, "total_loss's layer_weights is a list of 2 items"),
             ((1.0, 1.0, 1.0), {"relu1_1": "0.5", "relu2_1": 0.5}, ValueError, "layer_weights['relu1_1'] holds strings"),
             ((1.0, 1.0, 1.0), {"relu1_1": 0.5}, ValueError, "lack layer relu2_1, which the config's style_layers")]
    for lw, layer_weights, error, said in cases:
        with pytest.raises(error, match=re.escape(said)):
            jaxart.total_loss(w, x, targets, TWO_LAYERS, lw, layer_weights)
    with pytest.raises(ValueError, match=re.escape("layer_weights['a'] holds strings")):
        losses.style_loss({"a": jnp.ones((4, 4, 2))}, {"a": jnp.eye(2)}, {"a": "0.5"})
    masks = np.ones((1, 16, 16), np.float32)
    regions = jaxart.make_targets(w, SMALL, [SMALL_PAINTING], TWO_LAYERS, masks=masks)
    with pytest.raises(ValueError, match=re.escape("layer_weights['relu1_1'] has shape (2,)")):
        jaxart.total_loss(w, x, regions, TWO_LAYERS, (1.0, 1.0, 1.0), {"relu1_1": jnp.ones(2), "relu2_1": 1.0})
    weights = jnp.array([0.25, 0.75], jnp.float32)  # traced weights pass, vmapped
    got = jax.vmap(lambda a: jaxart.total_loss(w, x, regions, TWO_LAYERS, (1.0, 1.0, 1.0),
                                               {"relu1_1": a, "relu2_1": a})[0])
    assert got(weights).shape == (2,)


def test_layer_masks_refuses_an_hw_mask_or_strings_naming_its_masks():
    """An (H, W) mask reached `features` as an image and was told it was "one row of an image"; strings were
    NumPy's "could not convert string to float"."""
    w = jaxart.random_weights(jax.random.PRNGKey(0), "vgg16", widths=TINY)
    with pytest.raises(ValueError, match=re.escape("layer_masks needs (R, H, W) masks, one per region, got shape "
                                                   "(16, 16); for one region, masks[None]")):
        guided.layer_masks(w, np.ones((16, 16)), ["relu2_1"])
    with pytest.raises(ValueError, match="layer_masks' masks holds strings"):
        guided.layer_masks(w, np.full((1, 4, 4), "a"), ["relu2_1"])
    got = guided.layer_masks(w, np.ones((2, 16, 16)), ["relu1_1", "relu2_1"])
    assert {k: v.shape for k, v in got.items()} == {"relu1_1": (2, 16, 16), "relu2_1": (2, 8, 8)}


def test_features_refuses_a_traced_or_non_bool_remat_saying_to_make_it_static():
    """A traced remat was JAX's TracerBoolConversionError naming no argument; remat="no" turned remat on."""
    w = jaxart.random_weights(jax.random.PRNGKey(0), "vgg16", widths=TINY)
    with pytest.raises(TypeError, match=re.escape("remat must be True or False, got a traced bool; it chooses the "
                                                  "program, so make it static (static_argnames='remat')")):
        jax.jit(lambda remat: jaxart.features(w, SMALL, ("relu1_1",), remat=remat))(True)
    with pytest.raises(TypeError, match="remat must be True or False, got 'no'"):
        jaxart.features(w, SMALL, ("relu1_1",), remat="no")
    jitted = jax.jit(jaxart.features, static_argnames=("layers", "remat"))
    np.testing.assert_allclose(jitted(w, SMALL, layers=("relu1_1",), remat=True)["relu1_1"],
                               jaxart.features(w, SMALL, ("relu1_1",))["relu1_1"], rtol=1e-5, atol=1e-5)


def test_paintings_of_none_are_a_type_error_saying_what_to_give():
    """make_targets, compute_targets and run took None for one painting: "painting holds Python objects"."""
    w = jaxart.random_weights(jax.random.PRNGKey(0), "vgg16", widths=TINY)
    said = re.escape("the paintings are None; give one (h, w, 3) float array in [0, 1] or a list of them")
    for call in (jaxart.make_targets, jaxart.targets.compute_targets):
        with pytest.raises(TypeError, match=said):
            call(w, SMALL, None, TWO_LAYERS)
    with pytest.raises(TypeError, match=said):
        jaxart.run(SMALL, None, weights=w, config=TWO_LAYERS.replace(size=16, steps=1))


@pytest.mark.slow  # 15 s on 2 loaded cores: float64 programs no other test compiles
def test_check_grads_agrees_at_the_step_the_readme_gives_beyond_the_tiny_images_other_tests_use():
    """At 24x32 px through relu3_1 check_grads' default step (1e-4) crosses ReLU and max-pool kinks: it was 1.1%
    off (1.4% with vgg16-hed at 32 px), which read as a wrong gradient; at eps=1e-6, as README says, it agrees."""
    from jax.test_util import check_grads

    with jax.enable_x64(True):
        w = jax.tree.map(lambda a: jnp.asarray(a, jnp.float64),
                         jaxart.random_weights(jax.random.PRNGKey(0), "vgg16", widths=(4, 8, 8, 8, 8)))
        rng = np.random.default_rng(0)
        photo, painting = rng.random((24, 32, 3)), rng.random((20, 20, 3))
        config = jaxart.StyleConfig(conv="direct", content_layers=("relu3_1",), style_layers=("relu1_1", "relu3_1"))
        targets = jaxart.make_targets(w, photo, [painting], config)
        loss = jax.jit(lambda x: jaxart.total_loss(w, x, targets, config, (1.0, 10.0, 10.0))[0])
        check_grads(loss, (photo * 0.8 + 0.1,), order=1, modes=["rev"], eps=1e-6)
