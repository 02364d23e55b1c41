"""The public functions as a JAX researcher's own code uses them: one compiled step for any weights,
the style layers' included, and float32 layer weights in a float64 loss under strict promotion."""

import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxart
from jaxart import guided, losses

from conftest import TINY

IMAGE = np.random.default_rng(0).random((16, 16, 3), dtype=np.float32)
PAINTING = IMAGE[::-1].copy()
CONFIG = jaxart.StyleConfig(conv="direct", content_layers=("relu2_2",), style_layers=("relu1_1", "relu2_1"))


def test_other_style_layer_weights_or_blend_compile_no_other_step():
    """`run` keeps the step `loss_function` makes compiled across runs; the style layers' weights and the
    blend were static settings of it, so each value (a sweep by hand) traced and compiled the step again."""
    w = jaxart.random_weights(jax.random.PRNGKey(0), "vgg16", widths=TINY)
    targets, traces = jaxart.make_targets(w, IMAGE, [PAINTING], CONFIG), []
    step = jax.jit(lambda fun, x: (traces.append(1), fun(x)[0])[1])
    configs = [CONFIG, CONFIG.replace(style_layer_weights=(3.0, 1.0)), CONFIG.replace(style_layer_weights=(0.0, 1.0)),
               CONFIG.replace(style_blend=(2.0,))]
    x = IMAGE[:, ::-1]
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
        x = IMAGE.astype(np.float64)
        targets = jaxart.make_targets(w64, x, [PAINTING.astype(np.float64)], CONFIG)
        lw = jaxart.LossWeights.of(CONFIG)
        f32 = {"relu1_1": jnp.float32(0.25), "relu2_1": jnp.float32(0.75)}
        total, terms = jaxart.total_loss(w64, x[::-1], targets, CONFIG, lw, f32)
        want = jaxart.total_loss(w64, x[::-1], targets, CONFIG, lw, {"relu1_1": 0.25, "relu2_1": 0.75})[0]
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
    targets, x = jaxart.make_targets(w, IMAGE, [PAINTING], CONFIG), IMAGE[:, ::-1]
    cases = [((1.0, "10", 1.0), None, ValueError, "total_loss's style weight holds strings"),
             ((None, 1.0, 1.0), None, ValueError, "total_loss's content weight is None"),
             ((1.0, 1.0, 2j), None, ValueError, "total_loss's tv weight is complex128"),
             ((1.0, 1.0, 1.0), [0.5, 0.5], TypeError, "total_loss's layer_weights is of type list"),
             ((1.0, 1.0, 1.0), {"relu1_1": "0.5", "relu2_1": 0.5}, ValueError, "layer_weights['relu1_1'] holds strings"),
             ((1.0, 1.0, 1.0), {"relu1_1": 0.5}, ValueError, "lack layer relu2_1, which the config's style_layers")]
    for lw, layer_weights, error, said in cases:
        with pytest.raises(error, match=re.escape(said)):
            jaxart.total_loss(w, x, targets, CONFIG, lw, layer_weights)
    with pytest.raises(ValueError, match=re.escape("layer_weights['a'] holds strings")):
        losses.style_loss({"a": jnp.ones((4, 4, 2))}, {"a": jnp.eye(2)}, {"a": "0.5"})
    masks = np.ones((1, 16, 16), np.float32)
    regions = jaxart.make_targets(w, IMAGE, [PAINTING], CONFIG, masks=masks)
    with pytest.raises(ValueError, match=re.escape("layer_weights['relu1_1'] has shape (2,)")):
        jaxart.total_loss(w, x, regions, CONFIG, (1.0, 1.0, 1.0), {"relu1_1": jnp.ones(2), "relu2_1": 1.0})
    weights = jnp.array([0.25, 0.75], jnp.float32)  # traced weights pass, vmapped
    got = jax.vmap(lambda a: jaxart.total_loss(w, x, regions, CONFIG, (1.0, 1.0, 1.0), {"relu1_1": a, "relu2_1": a})[0])
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
        jax.jit(lambda remat: jaxart.features(w, IMAGE, ("relu1_1",), remat=remat))(True)
    with pytest.raises(TypeError, match="remat must be True or False, got 'no'"):
        jaxart.features(w, IMAGE, ("relu1_1",), remat="no")
    jitted = jax.jit(jaxart.features, static_argnames=("layers", "remat"))
    np.testing.assert_allclose(jitted(w, IMAGE, layers=("relu1_1",), remat=True)["relu1_1"],
                               jaxart.features(w, IMAGE, ("relu1_1",))["relu1_1"], rtol=1e-5, atol=1e-5)


def test_paintings_of_none_are_a_type_error_saying_what_to_give():
    """make_targets, compute_targets and run took None for one painting: "painting holds Python objects"."""
    w = jaxart.random_weights(jax.random.PRNGKey(0), "vgg16", widths=TINY)
    said = re.escape("the paintings are None; give one (h, w, 3) float array in [0, 1] or a list of them")
    for call in (jaxart.make_targets, jaxart.targets.compute_targets):
        with pytest.raises(TypeError, match=said):
            call(w, IMAGE, None, CONFIG)
    with pytest.raises(TypeError, match=said):
        jaxart.run(IMAGE, None, weights=w, config=CONFIG.replace(size=16, steps=1))
