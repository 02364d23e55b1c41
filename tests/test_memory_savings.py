"""What a run does to save memory changes no number: `remat` (per-stage jax.checkpoint) gives the same
features, loss and gradient, and targets computed one image at a time equal the pure function; and
with Winograd convolutions remat still holds one stage's layers at a time."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxart import objective, optimize, vgg, winograd
from jaxart.config import StyleConfig
from jaxart.targets import compute_targets, make_targets


@pytest.mark.parametrize("masked", [False, True])
def test_targets_one_image_at_a_time_equal_the_pure_function(tiny_vgg16, rng, masked):
    # What a run computes (one compiled program per image, for its memory) is `make_targets`.
    photo = rng.random((20, 28, 3), dtype=np.float32)
    paintings = [rng.random(shape, dtype=np.float32) for shape in ((24, 24, 3), (16, 40, 3))]
    config = StyleConfig(size=28, style_blend=None if masked else (0.7, 0.3))
    masks = np.stack([np.tri(20, 28, 5), 1 - np.tri(20, 28, 5)]).astype(np.float32) if masked else None
    pure = make_targets(tiny_vgg16, photo, paintings, config, masks)
    staged = compute_targets(tiny_vgg16, photo, paintings, config, masks)
    assert jax.tree.structure(staged) == jax.tree.structure(pure)
    for a, b in zip(jax.tree.leaves(staged), jax.tree.leaves(pure)):  # float32 rounding, on the Gram's scale
        b = np.asarray(b)
        np.testing.assert_allclose(np.asarray(a), b, rtol=1e-4, atol=1e-6 * max(1.0, np.abs(b).max()))


def test_remat_gives_the_same_loss_and_gradient(tiny_weights, rng):
    pooling = "avg" if tiny_weights.arch == "vgg16" else "max"
    content, style, x = (rng.random((32, 24, 3), dtype=np.float32) for _ in range(3))
    results = []
    for remat in (False, True):
        config = StyleConfig(size=32, pooling=pooling, remat=remat)
        targets = make_targets(tiny_weights, content, [style], config)
        fun = objective.loss_function(tiny_weights, targets, config, objective.LossWeights.of(config))
        results.append(jax.jit(jax.value_and_grad(fun, has_aux=True))(jnp.asarray(x)))
    (v0, _), g0 = results[0]
    (v1, _), g1 = results[1]
    assert float(v1) == pytest.approx(float(v0), rel=1e-5)
    np.testing.assert_allclose(np.asarray(g1), np.asarray(g0), rtol=1e-4, atol=1e-6 * float(jnp.abs(g0).max()))


def test_remat_features_match_for_every_layer(tiny_vgg16, rng):
    image = rng.random((2, 20, 20, 3), dtype=np.float32)
    layers = ("conv1_1", "relu2_2", "pool3", "relu4_1", "conv5_3")
    # Biases of real weights' size: random_weights' are zero, which hid a bias the remat pass dropped.
    w = tiny_vgg16.replace(params={n: {**p, "bias": rng.normal(0, 0.1, p["bias"].shape).astype(np.float32)}
                                   for n, p in tiny_vgg16.params.items()})
    plain, remat = (vgg.features(w, image, layers, remat=r) for r in (False, True))
    for k in layers:
        np.testing.assert_allclose(np.asarray(remat[k]), np.asarray(plain[k]), rtol=1e-5, atol=1e-5)


def test_remat_must_be_a_bool():
    with pytest.raises(ValueError, match="remat must be true or false"):
        StyleConfig(remat="yes").validate()


def test_checkpointed_winograd_stages_hold_few_transformed_kernels_at_once():
    """Under jaxlib 0.11.2 a checkpointed stage computed all its layers' transformed kernels at its start
    and held them: 54 MiB here, six of them, where 0.10.2 held 12 MiB; a 128 px VGG19 gradient with
    remat held 266 MiB, 4x its 65 without (tests/test_memory_estimate.py)."""
    rng = np.random.default_rng(0)
    kernels = [[jnp.asarray(rng.normal(0, 0.05, (3, 3, 256, 256)), jnp.float32) for _ in range(3)] for _ in range(2)]
    x = jnp.asarray(rng.random((1, 8, 8, 256)), jnp.float32)

    def stage(ks, x):
        for k in ks:
            x = jax.nn.relu(winograd.conv3x3(x, k))
        return x

    def loss(x, kernels):
        for ks in kernels:
            x = jax.checkpoint(stage)(ks, x)
        return jnp.sum(x**2)

    grad = jax.jit(jax.grad(loss), compiler_options=optimize.compiler_options())
    held = grad.lower(x, kernels).compile().memory_analysis().temp_size_in_bytes
    transformed = 36 * 256 * 256 * 4  # one layer's transformed kernel, 9 MiB
    assert held <= 2 * transformed, held / 2**20
