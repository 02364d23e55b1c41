"""The targets as JAX code makes them: one painting alone (an array or nested lists) is one painting, several blend by
their weights and regions keep each its own, `compute_targets` agrees with `make_targets`, and new pixels of the same
shapes reuse the compiled targets and loss."""

import jax
import numpy as np
import pytest

import jaxart
from jaxart import losses

from conftest import TINY
from test_api_objective import IMAGE, PAINTING


@pytest.fixture(scope="module")
def w():
    return jaxart.random_weights(jax.random.PRNGKey(0), "vgg16", widths=TINY)


def test_one_painting_alone_is_one_painting_in_make_targets(w):
    """Iterated row by row, it failed with "got shape (32, 3)" although README allows it."""
    config = jaxart.StyleConfig(conv="direct")
    alone, listed = jaxart.make_targets(w, IMAGE, PAINTING, config), jaxart.make_targets(w, IMAGE, [PAINTING], config)
    computed = jaxart.targets.compute_targets(w, IMAGE, PAINTING, config)
    for k, g in listed.grams.items():
        np.testing.assert_array_equal(alone.grams[k], g)
        np.testing.assert_allclose(computed.grams[k], g, rtol=1e-4, atol=1e-6)


def test_new_photos_paintings_and_their_targets_reuse_the_compiled_targets_and_loss(w):
    """Targets are a pytree of arrays: other pixels of the same shapes must not compile anything anew."""
    config = jaxart.loss_config(jaxart.StyleConfig(size=32, conv="direct"))
    traces = []  # jit's own cache is shared by every jit of the same function in the process
    targets_of = jax.jit(lambda *a: (traces.append("targets"), jaxart.make_targets(*a))[1], static_argnums=3)
    loss = jax.jit(lambda *a: (traces.append("loss"), jaxart.total_loss(*a))[1], static_argnums=3)
    for scale in (1.0, 0.5, 0.25):
        targets = targets_of(w, IMAGE * scale, [PAINTING * scale], config)
        loss(w, IMAGE, targets, config, jaxart.LossWeights.of(config.replace(style_weight=scale)))
    assert traces == ["targets", "loss"]


def test_the_targets_keep_their_names_in_objective_where_they_were_made_before_targets_py():
    """README and user code name `jaxart.objective.compute_targets`; the split into targets.py must not break them."""
    for name in ("Targets", "make_targets", "compute_targets"):
        assert getattr(jaxart.objective, name) is getattr(jaxart.targets, name), name
    assert jaxart.make_targets is jaxart.targets.make_targets and jaxart.Targets is jaxart.targets.Targets


def _grams_of(w, painting, config):
    f = jaxart.features(w, painting, config.style_layers, config.pooling)
    return {k: np.asarray(losses.gram(v)) for k, v in f.items()}


def test_targets_blend_every_painting_by_its_weight_and_compute_targets_agrees(w):
    """The blended Grams are the paintings' own (at the config's pooling) in the blend's shares, and
    the one-program-per-image `compute_targets` gives the photo's content and the same blend."""
    config = jaxart.StyleConfig(conv="direct", pooling="avg", style_blend=(3.0, 1.0))
    paintings = [PAINTING, IMAGE[:, ::-1].copy()]
    made = jaxart.make_targets(w, IMAGE, paintings, config)
    computed = jaxart.targets.compute_targets(w, IMAGE, paintings, config)
    first, second = (_grams_of(w, p, config) for p in paintings)
    for k, g in made.grams.items():
        np.testing.assert_allclose(g, 0.75 * first[k] + 0.25 * second[k], rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(computed.grams[k], g, rtol=1e-4, atol=1e-6)
    content = jaxart.features(w, IMAGE, config.content_layers, "avg")
    for k, c in made.content.items():
        np.testing.assert_allclose(c, content[k], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(computed.content[k], c, rtol=1e-4, atol=1e-4 * float(np.abs(c).max()))


def test_region_targets_keep_each_paintings_grams_in_the_order_of_the_masks(w):
    """Region r's target is painting r's Grams, unblended; one region with a mask is still a region."""
    config = jaxart.StyleConfig(conv="direct")
    paintings = [PAINTING, IMAGE[:, ::-1].copy()]
    halves = np.zeros((2, 32, 32), np.float32)
    halves[0, :, :16], halves[1, :, 16:] = 1, 1
    regions = jaxart.make_targets(w, IMAGE, paintings, config, masks=halves)
    for r, p in enumerate(paintings):
        for k, g in _grams_of(w, p, config).items():
            np.testing.assert_allclose(regions.grams[k][r], g, rtol=1e-5, atol=1e-7)
    one = jaxart.make_targets(w, IMAGE, [PAINTING], config, masks=np.ones((1, 32, 32), np.float32))
    assert one.masks is not None and all(g.shape[0] == 1 and g.ndim == 3 for g in one.grams.values())


def test_a_painting_given_alone_as_nested_lists_is_one_painting(w):
    """Three levels of Python lists are one (H, W, 3) painting, as one array is, not H paintings."""
    config = jaxart.StyleConfig(conv="direct")
    alone = jaxart.make_targets(w, IMAGE, PAINTING.tolist(), config)
    for k, g in jaxart.make_targets(w, IMAGE, [PAINTING], config).grams.items():
        np.testing.assert_allclose(alone.grams[k], g, rtol=1e-6)
