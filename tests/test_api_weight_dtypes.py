"""The dtypes a JAX developer's own arrays come in, met by the library API: integer, bool or complex weights are
refused naming the layer (they were cast to float32 silently, complex ones losing their imaginary part), while
float16, bfloat16 and float64 ones stay allowed; a loss's float64 target is cast to its float32 feature's dtype."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxart

PHOTO = np.linspace(0, 1, 8 * 8 * 3, dtype=np.float32).reshape(8, 8, 3)


def _cast(weights: jaxart.Weights, dtype, layer: str | None = None) -> jaxart.Weights:
    params = {k: ({p: jnp.asarray(a, dtype) for p, a in v.items()} if layer in (None, k) else v)
              for k, v in weights.params.items()}
    return weights.replace(params=params)


@pytest.mark.parametrize("dtype", [jnp.int32, jnp.bool_, jnp.complex64])
def test_integer_bool_or_complex_weights_are_refused_naming_the_layer(tiny_vgg16, dtype):
    name = jnp.dtype(dtype).name
    with pytest.raises(ValueError, match=rf"^weights' conv1_1 kernel is {name}; give float weights \(float32, or "
                                         r"float16, bfloat16 or float64\)"):
        jaxart.features(_cast(tiny_vgg16, dtype), PHOTO, ["relu1_1"])  # was a float32 pass, without a word
    with pytest.raises(ValueError, match=rf"^weights' conv2_1 kernel is {name}; "):  # a deeper layer, too
        jax.jit(jaxart.features, static_argnames="layers")(_cast(tiny_vgg16, dtype, "conv2_1"), PHOTO, ("relu2_1",))


@pytest.mark.parametrize("dtype", [jnp.float16, jnp.bfloat16])
def test_half_precision_weights_stay_allowed(tiny_vgg16, dtype):
    out = jaxart.features(_cast(tiny_vgg16, dtype), PHOTO, ["relu2_1"])["relu2_1"]
    ref = jaxart.features(tiny_vgg16, PHOTO, ["relu2_1"])["relu2_1"]
    assert out.dtype == jnp.float32 and np.allclose(out, ref, atol=0.05 * np.abs(ref).max())


def test_the_losses_take_a_float64_numpy_target_as_total_loss_does():
    from jaxart import losses

    feature = jnp.asarray(np.linspace(0.1, 1, 2 * 2 * 3).reshape(2, 2, 3), jnp.float32)
    target = np.full((2, 2, 3), 0.5)  # NumPy's float64, as a user's np.load gives it
    with jax.enable_x64(True), jax.numpy_dtype_promotion("strict"):  # was JAX's TypePromotionError, each of them
        content = losses.content_loss(feature, target)
        style = losses.style_layer_loss(feature, np.eye(3))
        summed = losses.style_loss({"relu1_1": feature}, {"relu1_1": np.eye(3)})
    f = np.asarray(feature, np.float64)
    g = np.einsum("hwi,hwj->ij", f, f) / 4
    np.testing.assert_allclose(content, np.mean((f - 0.5) ** 2) / 0.25, rtol=1e-6)
    np.testing.assert_allclose([style, summed], [np.sum((g - np.eye(3)) ** 2) / 3] * 2, rtol=1e-6)
    assert content.dtype == style.dtype == jnp.float32  # the feature's dtype: the target is cast to it
