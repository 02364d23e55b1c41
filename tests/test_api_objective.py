"""The objective as JAX code uses it: a content-only config, targets of other layers named, float64
and strict promotion, NumPy scalars in a config, and the losses' edge cases as ValueErrors (the targets
themselves: test_api_targets.py)."""

import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxart
from jaxart import losses, margin

from conftest import TINY

IMAGE = np.random.default_rng(0).random((32, 32, 3), dtype=np.float32)
PAINTING = IMAGE[::-1].copy()


@pytest.fixture(scope="module")
def w():
    return jaxart.random_weights(jax.random.PRNGKey(0), "vgg16", widths=TINY)


def test_a_content_only_config_runs_with_a_zero_style_term(w):
    """No style layers passed validation, then failed with "layers is empty" computing the Grams."""
    config = jaxart.StyleConfig(size=32, steps=2, style_layers=(), conv="direct")
    assert jaxart.make_targets(w, IMAGE, PAINTING, config).grams == {}
    terms = jaxart.run(IMAGE, PAINTING, weights=w, config=config).terms
    assert terms["style"] == 0.0 and terms["content"] > 0


def test_total_loss_names_targets_of_other_layers_and_jits_with_a_static_config(w):
    config = jaxart.StyleConfig(conv="direct")
    targets, lw = jaxart.make_targets(w, IMAGE, [PAINTING], config), jaxart.LossWeights.of(config)
    loss = jax.jit(jaxart.total_loss, static_argnums=3)  # as README says
    total, terms = loss(w, IMAGE, targets, config, lw)
    np.testing.assert_allclose(total, terms["content"] + 10 * terms["style"] + 10 * terms["tv"], rtol=1e-5)
    fewer = config.replace(style_layers=("relu1_1", "relu2_1"))  # a KeyError, or a layer silently left out
    for other in (fewer, config.replace(content_layers=("relu3_1",))):
        with pytest.raises(ValueError, match="^targets hold .* layers .*, the config names .*; make the targets"):
            jaxart.total_loss(w, IMAGE, targets, other, lw)


def test_total_loss_of_float64_pixels_under_strict_promotion(w):
    """The TV term took the float64 image as given, against float32 weights: a TypePromotionError.

    Jitted, as the error is raised as the loss is traced: op by op, each of the loss's and its gradient's operations
    compiled alone for float64 took 20-50 s of CI's time; the float32 loss is the program the test above compiled."""
    config = jaxart.StyleConfig(conv="direct")
    targets, lw = jaxart.make_targets(w, IMAGE, [PAINTING], config), jaxart.LossWeights.of(config)
    want = jax.jit(jaxart.total_loss, static_argnums=3)(w, IMAGE, targets, config, lw)[0]
    with jax.enable_x64(True), jax.numpy_dtype_promotion("strict"):
        loss = jax.value_and_grad(lambda x: jaxart.total_loss(w, x, targets, config, lw)[0])
        total, got = jax.jit(loss)(IMAGE.astype(np.float64))
    assert np.isfinite(got).all() and got.dtype == jnp.float64 and total.dtype == jnp.float32
    np.testing.assert_allclose(total, want, rtol=1e-6)


def test_numpy_scalars_in_a_config_are_python_numbers():
    """np.float32(5) was refused with "must be a finite number ..., got 5.0"; np.int64 sizes too."""
    config = jaxart.StyleConfig(size=np.int64(64), steps=np.int32(3), style_weight=np.float32(5),
                                tv_weight=jnp.float32(2), scale_steps=np.array([1, 2]), scales=[np.int64(32), 64],
                                content_layers="relu4_2").validate("vgg16")
    assert (config.size, config.style_weight, config.tv_weight, config.scales, config.scale_steps) == (
        64, 5.0, 2.0, (32, 64), (1, 2))
    assert type(config.size) is int and type(config.style_weight) is float and config.content_layers == ("relu4_2",)
    assert jaxart.StyleConfig.from_json(config.to_json()) == config  # np.int64 is no JSON


@pytest.mark.parametrize("call, message", [
    (lambda: losses.gram(jnp.ones((0, 0, 8))), "gram needs at least one position, got a feature map of shape (0, 0, 8)"),
    (lambda: losses.tv_loss(jnp.ones((8, 8))), "tv_loss needs an (..., H, W, C) image of at least 2x2 pixels"),
    (lambda: losses.tv_loss(jnp.ones((1, 1, 3))), "tv_loss needs an (..., H, W, C) image of at least 2x2 pixels"),
    (lambda: losses.style_loss({"relu1_1": jnp.ones((4, 4, 2))}, {"relu2_1": jnp.eye(2)}),
     "features lack layer relu2_1, which target_grams has"),
    (lambda: jaxart.random_weights(jax.random.PRNGKey(0), "vgg16", widths=(4, 8, 8)),
     "widths must be 5 channel counts, one per stage"),
    (lambda: margin.pad(IMAGE, -2), "margin must be a whole number of pixels >= 0, got -2"),
    (lambda: margin.pad(IMAGE, True), "margin must be a whole number of pixels >= 0, got True"),
    (lambda: jaxart.run(IMAGE, [PAINTING], weights=None, every=0), "every must be a whole number of steps >= 1"),
    (lambda: losses.blend_grams([{}], [1, 2]), "style blend gives 2 weights for 1 style; give one per style"),
])
def test_edge_cases_of_the_pure_functions_are_named(call, message):
    """Each was a NaN, an IndexError, a KeyError or JAX's own message about indices."""
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        call()


@pytest.mark.parametrize("call, message", [
    (lambda w: losses.style_loss({"a": jnp.ones((2, 2, 3))}, {"a": jnp.eye(3)}, [1.0]),  # was "lack layer a"
     "style_loss's layer_weights is a list of 1 item; give a dict from layer name to weight"),
    (lambda w: losses.style_loss([jnp.ones((2, 2, 3))], {"a": jnp.eye(3)}),
     "style_loss's features is a list of 1 item"),
    (lambda w: losses.blend_grams({"a": jnp.eye(3)}), "blend_grams takes a list of dicts of Grams, one per painting"),
    (lambda w: jaxart.make_targets(w, IMAGE, PAINTING, None), "config must be a jaxart.StyleConfig, got None;"),
    (lambda w: jaxart.total_loss(w, IMAGE, jaxart.Targets({}, {}), {"size": 32}, (1, 1, 1)),
     "config must be a jaxart.StyleConfig, got a dict of 'size'; for a dict of settings, StyleConfig.from_dict(d)"),
    (lambda w: jaxart.loss_config(None), "config must be a jaxart.StyleConfig, got None;"),
], ids=["style_loss weights list", "style_loss features list", "blend_grams dict", "make_targets None",
        "total_loss dict", "loss_config None"])
def test_arguments_of_another_type_are_named_not_an_attribute_or_key_error(w, call, message):
    """Each was an AttributeError, a KeyError, JAX's message about `in` on an array, or a wrong hint."""
    with pytest.raises(TypeError, match="^" + re.escape(message)):
        call(w)


def test_targets_of_another_type_and_a_jitted_stylize_say_what_to_do(w):
    """A dict or tuple of targets failed with "'dict' object has no attribute 'content'", and
    stylize under jax.jit with a TracerArrayConversionError about __array__()."""
    config = jaxart.StyleConfig(size=32, steps=1, conv="direct")
    targets = jaxart.make_targets(w, IMAGE, PAINTING, config)
    for bad, named in ((targets._asdict(), "a dict of 'content', 'grams', 'masks', ..."),
                       (tuple(targets[:2]), "a tuple of 2 items")):
        with pytest.raises(TypeError, match=rf"^targets must be a jaxart.Targets, from make_targets .*, "
                                            rf"got {re.escape(named)}$"):
            jaxart.total_loss(w, IMAGE, bad, config, (1.0, 1.0, 1.0))
    rebuilt = jaxart.Targets(*targets[:2])  # what examples/feedforward.py builds
    assert jaxart.total_loss(w, IMAGE, rebuilt, config, (1.0, 1.0, 1.0))[0] >= 0
    with pytest.raises(TypeError, match=r"^photo is traced: stylize and run loop in Python .* or jit total_loss"):
        jax.jit(lambda x: jaxart.stylize(x, PAINTING, weights=w, config=config))(IMAGE)


def test_the_content_term_averages_its_layers_and_the_compiled_loss_keeps_every_setting_it_reads(w):
    """Two content layers weigh as one (their mean, so the content weight means the same), and
    `loss_function`, which compiles once for configs that differ in what the loss ignores, still
    pools and weights the style layers as the config says."""
    config = jaxart.StyleConfig(conv="direct", content_layers=("relu2_2", "relu3_1"), pooling="avg",
                                style_layer_weights=(4.0, 0.0, 0.0, 1.0, 0.0))
    targets, lw = jaxart.make_targets(w, IMAGE, PAINTING, config), jaxart.LossWeights.of(config)
    x = IMAGE[::-1, ::-1]  # neither the photo nor the painting: every term counts
    total, terms = jaxart.total_loss(w, x, targets, config, lw)
    f = jaxart.features(w, x, config.content_layers, "avg")
    want = np.mean([losses.content_loss(f[k], targets.content[k]) for k in config.content_layers])
    np.testing.assert_allclose(terms["content"], want, rtol=1e-5)
    np.testing.assert_allclose(jaxart.objective.loss_function(w, targets, config, lw)(x)[0], total, rtol=1e-5)
    total, terms = jaxart.total_loss(w, x, targets, config, (1.0, 2.0, 3.0))  # each weight on its own term
    np.testing.assert_allclose(total, terms["content"] + 2 * terms["style"] + 3 * terms["tv"], rtol=1e-5)


def test_a_style_layer_weighted_zero_does_not_count_with_region_masks_either(w):
    """With masks the style term is the guided one; its layers must weigh as `style_layer_weights` say."""
    config = jaxart.StyleConfig(conv="direct", style_layer_weights=(1.0, 0.0, 0.0, 0.0, 1.0))
    masks = np.ones((1, 32, 32), np.float32)
    targets, lw = jaxart.make_targets(w, IMAGE, [PAINTING], config, masks=masks), jaxart.LossWeights.of(config)
    style = lambda grams: jaxart.total_loss(w, IMAGE, targets._replace(grams=grams), config, lw)[1]["style"]
    zeroed = lambda layer: {k: g * float(k != layer) for k, g in targets.grams.items()}
    np.testing.assert_allclose(style(zeroed("relu2_1")), style(targets.grams), rtol=1e-6)
    assert abs(float(style(zeroed("relu1_1"))) - float(style(targets.grams))) > 0.1


def test_total_loss_refuses_integer_pixels_it_would_take_as_255_times_too_bright(w):
    config = jaxart.StyleConfig(conv="direct")
    targets = jaxart.make_targets(w, IMAGE, PAINTING, config)
    pixels = (IMAGE * 255).astype(np.uint8)
    with pytest.raises(ValueError, match=re.escape("image is uint8; give floats in [0, 1] (divide by 255)")):
        jaxart.total_loss(w, pixels, targets, config, (1.0, 1.0, 1.0))


def test_an_image_of_another_size_than_the_photo_says_to_give_the_photos_size(w):
    """The content target is the photo's activation: another size was only 'differ in shape'."""
    config = jaxart.StyleConfig(content_layers=("relu2_2",), style_layers=("relu1_1",))
    targets = jaxart.make_targets(w, IMAGE, PAINTING, config)
    with pytest.raises(ValueError, match=re.escape("the image is 16x16 px, the photo the targets were made of 32x32 "
                                                   "px; give an image of the photo's size")):
        jaxart.total_loss(w, IMAGE[:16, :16], targets, config, (1.0, 1.0, 1.0))


def test_equal_loss_weights_make_one_compiled_step_however_they_are_given(w):
    """Through `loss_function`, a (content, style, tv) tuple of floats was another pytree, of weakly
    typed leaves, than LossWeights.of's arrays: the same weights compiled the step once more."""
    config = jaxart.StyleConfig(conv="direct", content_layers=("relu2_2",), style_layers=("relu1_1",))
    targets, traces = jaxart.make_targets(w, IMAGE, PAINTING, config), []
    step = jax.jit(lambda fun, x: (traces.append(1), fun(x)[0])[1])
    got = [float(step(jaxart.objective.loss_function(w, targets, config, lw), IMAGE[::-1]))
           for lw in (jaxart.LossWeights.of(config), (1.0, 10.0, 10.0), [1, 10, 10])]
    assert len(traces) == 1 and got[0] == got[1] == got[2]
