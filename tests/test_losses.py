"""Gram, content, style and TV losses against float64 NumPy; gradients; jit/vmap/grad; an all-zero target; half
precision widened; a feature map or target Gram of another shape, or a dict of features, refused in one line
(`blend_grams`: test_losses_blend.py)."""

import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.test_util import check_grads

import jaxart
from jaxart import losses
from jaxart.objective import LossWeights, loss_function
from jaxart.targets import make_targets


def _np_gram(f):
    h, w, c = f.shape
    m = f.reshape(h * w, c).astype(np.float64)
    return m.T @ m / (h * w)


def test_gram_matches_numpy(rng):
    f = rng.standard_normal((5, 4, 3)).astype(np.float32)
    got = jax.jit(losses.gram)(f)
    np.testing.assert_allclose(got, _np_gram(f), rtol=1e-5, atol=1e-6)
    assert np.allclose(got, np.asarray(got).T)


def test_losses_match_numpy(rng):
    f, t = (rng.standard_normal((6, 5, 4)).astype(np.float32) for _ in range(2))
    np.testing.assert_allclose(
        jax.jit(losses.content_loss)(f, t), np.mean((f - t) ** 2.0) / np.mean(t**2.0), rtol=1e-5
    )
    a = _np_gram(t)
    want = np.sum((_np_gram(f) - a) ** 2) / np.sum(a**2)
    np.testing.assert_allclose(jax.jit(losses.style_layer_loss)(f, a.astype(np.float32)), want, rtol=1e-4)
    x = rng.random((4, 5, 3))
    tv = np.mean(np.diff(x, axis=0) ** 2) + np.mean(np.diff(x, axis=1) ** 2)
    np.testing.assert_allclose(losses.tv_loss(x.astype(np.float32)), tv, rtol=1e-5)


def test_identical_inputs_give_zero_loss(rng):
    f = rng.standard_normal((4, 4, 3)).astype(np.float32)
    assert float(losses.content_loss(f, f)) == 0.0
    assert float(losses.style_layer_loss(f, losses.gram(f))) < 1e-12
    assert float(losses.tv_loss(np.ones((4, 4, 3), np.float32))) == 0.0


def test_gradients_of_the_losses_are_correct(rng):
    with jax.enable_x64(True):
        f = jnp.asarray(rng.standard_normal((3, 3, 2)))
        t = jnp.asarray(rng.standard_normal((3, 3, 2)))
        check_grads(lambda x: losses.content_loss(x, t), (f,), order=2, modes=["rev"])
        check_grads(lambda x: losses.style_layer_loss(x, losses.gram(t)), (f,), order=2, modes=["rev"])
        check_grads(losses.tv_loss, (f,), order=2, modes=["rev"])
        # gram's own derivative rule (one matmul per gradient), forward and reverse, batched too
        check_grads(losses.gram, (f,), order=2, modes=["fwd", "rev"])
        check_grads(jax.vmap(losses.gram), (jnp.stack([f, t]),), order=1, modes=["fwd", "rev"])


def test_gradients_hold_against_an_all_zero_target_a_broadcast_one_and_in_the_layer_weights(rng):
    """The branches other tests miss: an all-zero target leaves its loss undivided (a `jnp.where` whose other branch
    must not leak NaN into the gradient), one target broadcast against a batch of features, and `style_loss`
    differentiated in its traced layer weights (a sweep's)."""
    with jax.enable_x64(True):
        f = jnp.asarray(rng.standard_normal((2, 3, 3, 2)))
        t = jnp.asarray(rng.standard_normal((3, 3, 2)))
        zero = jnp.zeros((3, 3, 2))
        for target in (zero, t):
            check_grads(lambda x: losses.content_loss(x, target).sum(), (f,), order=2, modes=["rev"])
            check_grads(lambda x: losses.style_layer_loss(x, losses.gram(target)).sum(), (f,), order=2, modes=["rev"])
        grams = {"relu1_1": losses.gram(t), "relu2_1": losses.gram(2 * t)}
        of = lambda w: losses.style_loss({"relu1_1": f[0], "relu2_1": f[1]}, grams, {"relu1_1": w[0], "relu2_1": w[1]})
        check_grads(of, (jnp.asarray([0.3, 0.7]),), order=2, modes=["fwd", "rev"])


def _tiny_problem(weights, rng, size=16, dtype=np.float32):
    config = jaxart.StyleConfig(size=size, content_layers=("relu3_1",), style_layers=("relu1_1", "relu2_1"))
    content, style = (rng.random((size, size, 3)).astype(dtype) for _ in range(2))
    return make_targets(weights, content, [style], config), config, jnp.asarray(content)


def test_total_loss_gradient_is_correct(tiny_vgg16, rng):
    with jax.enable_x64(True):
        weights = jax.tree.map(lambda a: jnp.asarray(a, jnp.float64), tiny_vgg16)
        targets, config, content = _tiny_problem(weights, rng, size=8, dtype=np.float64)
        fun = loss_function(weights, targets, config, LossWeights.of(config))
        x = jnp.asarray(rng.random(content.shape))
        # Jitted: op by op, each float64 operation of the loss and its gradient compiled alone (12 s at load 4).
        check_grads(jax.jit(lambda x: fun(x)[0]), (x,), order=1, modes=["rev"], eps=1e-4, rtol=1e-3)


def test_total_loss_composes_with_jit_grad_vmap(tiny_vgg16, rng):
    targets, config, content = _tiny_problem(tiny_vgg16, rng)
    x = jnp.clip(content + 0.1 * rng.standard_normal(content.shape).astype(np.float32), 0, 1)
    style_weights = jnp.asarray([0.0, 10.0, 1000.0], jnp.float32)

    def loss(sw, x):
        lw = LossWeights(jnp.float32(1.0), sw, jnp.float32(0.5))
        return jaxart.total_loss(tiny_vgg16, x, targets, config, lw)[0]

    batched = jax.jit(jax.vmap(jax.grad(loss, argnums=1), in_axes=(0, None)))(style_weights, x)
    alone = jax.jit(jax.grad(loss, argnums=1))  # one program for the three: op by op, each operation compiled alone
    for i, sw in enumerate(style_weights):
        want = alone(sw, x)
        np.testing.assert_allclose(batched[i], want, rtol=1e-4, atol=1e-5 * float(jnp.abs(want).max()))


@pytest.mark.parametrize("shape", [(4, 4, 1), (1, 1, 3)])
def test_a_feature_map_of_another_shape_than_its_content_target_is_refused(shape):
    """One channel, or one position, broadcasts against an (h, w, C) target: a loss of the wrong
    layer or image, silently."""
    with pytest.raises(ValueError, match=re.escape(f"content feature {shape} and target (4, 4, 3) differ in shape")):
        losses.content_loss(np.ones(shape, np.float32), np.ones((4, 4, 3), np.float32))


def test_a_target_gram_of_another_layer_is_refused_saying_which_gram_to_give():
    """A (4, 4) target Gram against a 3-channel feature said only that they "differ in shape", not what to give."""
    with pytest.raises(ValueError, match=re.escape("Gram (3, 3) and target Gram (4, 4) differ in shape; give the "
                                                   "target Gram of the same layer, losses.gram of the painting's")):
        losses.style_layer_loss(np.ones((4, 4, 3), np.float32), np.ones((4, 4), np.float32))


def test_widened_sums_half_precision_features_in_float32_and_refuses_integers():
    """A float16 Gram of activations ~300 over positions overflowed to inf; `widened` is the public
    widening the losses and guided.py share: float16/bfloat16 to float32, float32/float64 kept."""
    f = losses.widened(jnp.full((2, 2, 1), 300.0, jnp.float16))
    assert np.isfinite(np.asarray(jnp.einsum("hwi,hwj->ij", f, f))).all()  # 360000: inf in float16
    assert [losses.widened(jnp.zeros(2, d)).dtype for d in (jnp.float16, jnp.bfloat16, jnp.float32)] == [jnp.float32] * 3
    assert losses.widened(np.zeros(2, np.float64)).dtype == (jnp.float64 if jax.config.jax_enable_x64 else jnp.float32)
    with pytest.raises(ValueError, match="gram's feature is uint8; give a float array"):
        losses.widened(np.zeros(2, np.uint8), "gram's feature")


def test_an_all_zero_target_leaves_the_loss_undivided_and_its_gradient_finite(rng):
    """A target with no energy (a layer all zeros for the photo or painting) has no scale to divide by: the loss was
    the feature's mean square over 1e-12, 10^12 times a loss of ~1, so its term swamped the others and its gradient
    too. It is now the undivided error, under jit and grad, whose gradient is finite at the target too."""
    f = rng.standard_normal((4, 3, 2)).astype(np.float32)
    m, zeros = f.reshape(12, 2).astype(np.float64), (np.zeros_like(f), np.zeros((2, 2), np.float32))
    a = m.T @ m / 12
    for loss, target, want, grad in ((losses.content_loss, zeros[0], np.mean(m**2), 2 * f / f.size),
                                     (losses.style_layer_loss, zeros[1], np.sum(a**2), (m @ a / 3).reshape(f.shape))):
        np.testing.assert_allclose(jax.jit(loss)(f, target), want, rtol=1e-5)
        np.testing.assert_allclose(jax.jit(jax.grad(loss))(f, target), grad, rtol=1e-4)
        assert np.isfinite(jax.jit(jax.grad(loss, argnums=1))(f, target)).all()
    # A batch mixing a zero and a non-zero target: each divided by its own energy, or by none.
    both = jax.jit(jax.vmap(losses.content_loss))(np.stack([f, f]), np.stack([zeros[0], f + 1]))
    np.testing.assert_allclose(both, [np.mean(m**2), 1 / np.mean((m + 1) ** 2)], rtol=1e-5)


def test_features_dict_given_where_one_activation_goes_is_named_with_its_layers(tiny_vgg16):
    """`losses.gram(jaxart.features(w, x, "relu1_1"))`, the whole dict for its one activation, was told it "holds
    Python objects" and to cast them with `x.astype(np.float32)`."""
    feats = jaxart.features(tiny_vgg16, np.full((8, 8, 3), 0.5, np.float32), ["relu1_1", "relu2_1"])
    said = "is a dict of 'relu1_1', 'relu2_1', not an array; give a float array, one of its values$"
    with pytest.raises(ValueError, match="^gram's feature " + said):
        losses.gram(feats)
    with pytest.raises(ValueError, match="^content_loss's feature " + said):
        losses.content_loss(feats, feats["relu1_1"])
    with pytest.raises(ValueError, match=r"^image is a dict of 'x', not an array; give an \(H, W, 3\) float array"):
        jaxart.features(tiny_vgg16, {"x": np.zeros((8, 8, 3), np.float32)}, "relu1_1")
