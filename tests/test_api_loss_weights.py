"""Loss weights as a JAX developer gives them: one compiled loss for any weights through loss_config, a plain tuple
as the NamedTuple, a traced weight vmapped, and a batch of weights refused at trace time with the way to vmap it."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxart
from jaxart import guided, losses

from test_api_misuse import CONFIG, _setup


@pytest.fixture(scope="module")
def setup():
    return _setup()


def test_one_compiled_loss_serves_any_loss_weights_given_loss_config(setup):
    """The README promised it, but the whole config was the static key: each weight compiled anew."""
    w, photo, _, targets = setup
    traces = []
    loss = jax.jit(lambda w, x, t, c, lw: (traces.append(c), jaxart.total_loss(w, x, t, c, lw))[1], static_argnums=3)
    # Nor do the painting's scale and the colour mode (they change the inputs, not the loss) compile anew;
    # "luminance" alone does: its loss is of the image's luminance (test_luminance_loss.py).
    for style_weight, steps, colors, scale in ((1.0, 10, "style", 1.0), (10.0, 20, "keep", 2.0),
                                               (100.0, 30, "match-pca", 0.5)):
        c = CONFIG.replace(style_weight=style_weight, steps=steps, colors=colors, style_scale=scale)
        got = loss(w, photo, targets, jaxart.loss_config(c), jaxart.LossWeights.of(c))[0]
        np.testing.assert_allclose(got, jaxart.total_loss(w, photo, targets, c, jaxart.LossWeights.of(c))[0], rtol=1e-6)
    assert len(traces) == 1


def test_loss_weights_may_be_a_plain_tuple_and_none_is_refused_by_name(setup):
    """A (content, style, tv) tuple failed with "'tuple' object has no attribute 'content'", and so
    did None; a tuple is the NamedTuple's order, traced and vmapped alike, None has no meaning here
    (loss_config resets the config's weights, so they cannot be the default)."""
    w, photo, _, targets = setup
    c = CONFIG.replace(content_weight=2.0, style_weight=30.0, tv_weight=5.0)
    want = jaxart.total_loss(w, photo, targets, c, jaxart.LossWeights.of(c))[0]
    loss = jax.jit(jaxart.total_loss, static_argnums=3)
    for lw in ((2.0, 30.0, 5.0), [2.0, 30.0, 5.0], (np.float32(2), jnp.float32(30), 5)):
        np.testing.assert_allclose(jaxart.total_loss(w, photo, targets, c, lw)[0], want, rtol=1e-6)
        np.testing.assert_allclose(loss(w, photo, targets, jaxart.loss_config(c), lw)[0], want, rtol=1e-6)
    batch = (jnp.array([2.0, 1.0]), jnp.array([30.0, 30.0]), jnp.array([5.0, 5.0]))
    got = jax.vmap(lambda lw: jaxart.total_loss(w, photo, targets, c, lw)[0])(batch)
    np.testing.assert_allclose(got[0], want, rtol=1e-6)
    unpack = r"got an array of shape \(3,\) and dtype float64, so unpack it: jaxart.LossWeights\(\*lw\)"
    for bad, named in ((None, "got None"), ((1.0, 10.0), "got a tuple of 2 items"),
                       ({"style": 10.0}, "got a dict of 'style'"),
                       (np.array([1.0, 10.0, 10.0]), unpack)):
        with pytest.raises(TypeError, match=f"lw must be a jaxart.LossWeights, e.g. .*, {named}; the config's"):
            jaxart.total_loss(w, photo, targets, c, bad)


def test_a_batch_of_loss_weights_is_refused_at_trace_time_and_a_grid_vmaps_when_unpacked(setup):
    """A (3,) array of style weights broadcast the "scalar" total to (3,) silently, and jax.grad then
    failed without naming lw; vmapping over an (N, 3) grid named the tracer's class, not the fix."""
    w, photo, _, targets = setup
    loss = jax.jit(lambda x, lw: jaxart.total_loss(w, x, targets, CONFIG, lw)[0])
    with pytest.raises(ValueError, match=r"^total_loss's style weight has shape \(3,\); each weight is a scalar, so "
                                         "jax.vmap the loss over a batch of weights"):
        jax.grad(loss)(photo, (1.0, jnp.array([1.0, 10.0, 100.0]), 1e-3))
    grid = jnp.array([[1.0, 1.0, 1e-3], [1.0, 10.0, 1e-3], [1.0, 100.0, 1e-3]])
    with pytest.raises(TypeError, match=r"got an array of shape \(3,\) and dtype float32, so unpack it: "
                                        r"jaxart.LossWeights\(\*lw\)"):
        jax.vmap(loss, (None, 0))(photo, grid)
    swept = jax.vmap(lambda lw: loss(photo, jaxart.LossWeights(*lw)))(grid)
    np.testing.assert_allclose(swept[2], loss(photo, (1.0, 100.0, 1e-3)), rtol=1e-6)
    f, grams = {"relu1_1": jnp.ones((4, 4, 2))}, {"relu1_1": jnp.eye(2)}  # the same for style_loss's layer weights
    with pytest.raises(ValueError, match=r"^layer_weights\['relu1_1'\] has shape \(3,\); each weight is a scalar"):
        losses.style_loss(f, grams, {"relu1_1": jnp.array([1.0, 2.0, 3.0])})


def test_loss_weights_of_a_config_with_a_traced_weight_vmap_as_style_md_says(setup):
    """STYLE.md: loss weights may be traced so sweeps can vmap over them. StyleConfig took a traced
    style weight, but LossWeights.of converted it with np.float32: a TracerArrayConversionError."""
    w, photo, _, targets = setup
    weights = jnp.array([1.0, 10.0, 100.0])
    loss = lambda s: jaxart.total_loss(w, photo, targets, CONFIG, jaxart.LossWeights.of(CONFIG.replace(style_weight=s)))
    got = jax.jit(jax.vmap(lambda s: loss(s)[0]))(weights)
    want = [jaxart.total_loss(w, photo, targets, CONFIG, jaxart.LossWeights.of(CONFIG.replace(style_weight=float(s))))[0]
            for s in weights]
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_a_weight_for_a_layer_the_style_loss_does_not_compare_is_refused_not_ignored(setup):
    """A style weight for a content layer (relu4_2) or a misspelt one changed no loss: the style term was the same
    with it as without, silently; now it is refused at trace time, naming the layer and those that are weighed."""
    w, photo, _, targets = setup
    weights = {**CONFIG.layer_weights(), "relu4_2": 100.0}
    with pytest.raises(ValueError, match=r"^total_loss's layer_weights weigh layer relu4_2, which is not among the "
                                         r"layers the config's style_layers name \(relu1_1, .*\), so its weight "
                                         "would be ignored"):
        jax.jit(lambda x: jaxart.total_loss(w, x, targets, CONFIG, (1.0, 1.0, 1.0), weights)[0])(photo)
    f, grams = {"relu1_1": jnp.ones((4, 4, 2)), "relu2_1": jnp.ones((2, 2, 2))}, {"relu1_1": jnp.eye(2)}
    with pytest.raises(ValueError, match=r"^layer_weights weigh layer relu2_1, which is not among the layers "
                                         r"target_grams has \(relu1_1\)"):
        losses.style_loss(f, grams, {"relu1_1": 1.0, "relu2_1": 1.0})
    assert float(losses.style_loss(f, grams, {"relu1_1": 1.0})) == pytest.approx(float(losses.style_loss(f, grams)))


def test_a_guided_style_loss_checks_its_layer_weights_as_the_plain_one():
    """guided.style_loss took a weight for a layer it does not compare silently, and one it lacked was a bare
    KeyError 'relu1_1'; it refuses both in losses.style_loss's words."""
    rng = np.random.default_rng(0)
    f = {"relu1_1": jnp.asarray(rng.random((4, 4, 2), np.float32)), "relu2_1": jnp.ones((2, 2, 2))}
    grams, masks = {"relu1_1": jnp.ones((2, 2, 2))}, {"relu1_1": jnp.full((2, 4, 4), 0.5)}
    with pytest.raises(ValueError, match=r"^layer_weights weigh layer relu2_1, which is not among the layers "
                                         r"target_grams has \(relu1_1\)"):
        guided.style_loss(f, grams, masks, {"relu1_1": 1.0, "relu2_1": 5.0})
    with pytest.raises(ValueError, match=r"^layer_weights lack layer relu1_1, which target_grams has"):
        guided.style_loss(f, grams, masks, {"relu2_1": 1.0})
    one = float(guided.style_loss(f, grams, masks, {"relu1_1": 1.0}))
    assert one > 0 and float(guided.style_loss(f, grams, masks, {"relu1_1": 2.0})) == pytest.approx(2 * one)
