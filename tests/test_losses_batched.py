"""The losses as a JAX user reuses them: a batch of outputs against one target under
jax_numpy_rank_promotion="raise" (set in conftest), float64 under strict promotion, traced blends."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxart import guided, losses


def _np_content(f, t):
    return np.mean((f - t) ** 2) / np.mean(t**2)


def _np_gram(f):
    m = f.reshape(-1, f.shape[-1]).astype(np.float64)
    return m.T @ m / m.shape[0]


def test_a_batch_of_features_meets_one_target_under_rank_promotion_raise(rng):
    """A fast-style network's batch of outputs against one painting: `g - t` promoted ranks
    implicitly, which the rank_promotion='raise' a JAX codebase runs under refused."""
    f = rng.standard_normal((3, 4, 5, 2)).astype(np.float32)
    t = rng.standard_normal((4, 5, 2)).astype(np.float32)
    grams = {"a": _np_gram(t).astype(np.float32)}
    content = jax.jit(losses.content_loss)(f, t)
    style = jax.jit(losses.style_layer_loss)(f, grams["a"])
    total = losses.style_loss({"a": f}, grams)
    assert content.shape == style.shape == total.shape == (3,)
    for i in range(3):
        np.testing.assert_allclose(content[i], _np_content(f[i], t), rtol=1e-5)
        want = np.sum((_np_gram(f[i]) - grams["a"]) ** 2) / np.sum(grams["a"].astype(np.float64) ** 2)
        np.testing.assert_allclose(style[i], want, rtol=1e-4)
    np.testing.assert_allclose(total, style, rtol=1e-6)
    with pytest.raises(ValueError, match=r"content_loss: batch axes \(3,\) and \(2,\) do not broadcast; give one"):
        losses.content_loss(f, np.stack([t, t]))


def test_the_losses_stay_float64_under_strict_promotion(rng):
    """float64 features went through promote_types(float64, float32), a TypePromotionError under
    strict promotion, and style_loss summed its float64 terms onto a float32 zero."""
    f, t = rng.standard_normal((4, 5, 3)), rng.standard_normal((4, 5, 3))
    with jax.enable_x64(True), jax.numpy_dtype_promotion("strict"):
        content = losses.content_loss(f, t)
        tv = losses.tv_loss(f)
        style = losses.style_loss({"a": f, "b": t}, {"a": losses.gram(t), "b": losses.gram(f)})
    assert content.dtype == tv.dtype == style.dtype == jnp.float64
    np.testing.assert_allclose(content, _np_content(f, t), rtol=1e-12)
    np.testing.assert_allclose(tv, np.mean(np.diff(f, axis=0) ** 2) + np.mean(np.diff(f, axis=1) ** 2), rtol=1e-12)
    ga, gb = _np_gram(f), _np_gram(t)
    d = np.sum((ga - gb) ** 2)
    np.testing.assert_allclose(style, 0.5 * d / np.sum(gb**2) + 0.5 * d / np.sum(ga**2), rtol=1e-10)


def test_blend_weights_may_be_traced_so_vmap_interpolates_between_styles():
    """blend_grams checked its weights with Python comparisons: a TracerBoolConversionError
    under jit or vmap, so no sweep from one painting to another in one program."""
    grams = [{"g": jnp.eye(2)}, {"g": jnp.ones((2, 2))}]
    blends = jnp.asarray([[1.0, 0.0], [1.0, 1.0], [1.0, 3.0]])
    got = jax.jit(jax.vmap(lambda b: losses.blend_grams(grams, b)["g"]))(blends)
    for i, b in enumerate(np.asarray(blends)):
        np.testing.assert_allclose(got[i], losses.blend_grams(grams, list(b))["g"], rtol=1e-6)
    np.testing.assert_allclose(got[2], 0.25 * np.eye(2) + 0.75 * np.ones((2, 2)), rtol=1e-6)
    with pytest.raises(ValueError, match=r"style blend gives 3 weights for 2 styles; give one per style"):
        jax.jit(lambda b: losses.blend_grams(grams, b))(jnp.ones(3))


@pytest.mark.parametrize("other, message", [
    ({"h": np.eye(2)}, r"painting 2's Grams have layers \['h'\], painting 1's \['g'\]; compute every painting's"),
    ({"g": np.eye(3)}, r"painting 2's g Gram is \(3, 3\), painting 1's \(2, 2\); compute them with the same weights"),
])
def test_blending_grams_of_other_layers_or_shapes_names_them(other, message):
    """A KeyError 'g', or JAX's 'add got incompatible shapes for broadcasting'."""
    with pytest.raises(ValueError, match=message):
        losses.blend_grams([{"g": np.eye(2)}, other])


def test_a_style_loss_without_target_layers_is_a_zero_of_the_features_batch_and_dtype(rng):
    """A content-only setting's style loss beside its content loss: 0 as a float32 scalar, where the features were
    float64 or batched, so that adding it to a float64 loss was a TypePromotionError under strict promotion, and
    the batch of losses had none of its shape."""
    f = rng.standard_normal((3, 4, 5, 2))
    with jax.enable_x64(True), jax.numpy_dtype_promotion("strict"):
        style = jax.jit(losses.style_loss)({"a": f}, {})
        assert style.dtype == jnp.float64 and style.shape == (3,) and not style.any()
        total = losses.content_loss(f, f[0] + 1) + style
        assert total.dtype == jnp.float64 and total.shape == (3,)
    half = losses.style_loss({"a": jnp.ones((4, 5, 2), jnp.bfloat16)}, {})
    assert half.dtype == jnp.float32 and half.shape == ()  # float32 at least, as the Grams are
    assert losses.style_loss({}, {}).dtype == jnp.float32


def test_a_guided_style_loss_without_target_layers_is_a_zero_of_the_features_dtype(rng):
    """guided.style_loss's was a float32 scalar beside float64 features: adding it to their content loss was a
    TypePromotionError under strict promotion, where losses.style_loss's zero adds."""
    f = rng.standard_normal((4, 5, 2))
    with jax.enable_x64(True), jax.numpy_dtype_promotion("strict"):
        style = jax.jit(guided.style_loss)({"a": f}, {}, {}, {})
        assert style.dtype == jnp.float64 and style.shape == () and not style.any()
        assert (losses.content_loss(f, f + 1) + style).dtype == jnp.float64
    assert guided.style_loss({"a": jnp.ones((4, 5, 2), jnp.bfloat16)}, {}, {}, {}).dtype == jnp.float32
