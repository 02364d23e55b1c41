"""Winograd's float32 values and image gradients are as close to a float64 direct convolution as
float32 allows: within a small multiple of XLA's own float32 convolution's error, far below what
a transform coefficient off by 1e-3 gives (BENCHMARKS.md, "Winograd accuracy against float64")."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import lax

from jaxart import winograd

DIMS = ("NHWC", "HWIO", "NHWC")
# Largest error (relative to the largest element) and relative L2 error that float32 Winograd
# may have. Measured here 2.5-6.0e-6 and 0.9-1.6e-6, the factorised transforms and the matrix rows
# before them (185edd5^) alike; XLA's float32 1.6-7.1e-7 and 1.2-3.6e-7 (F(4x4, 3x3) rounds about
# 10x more). One coefficient of G, BT or AT off by 1e-3 gave 2.1e-4 to 3.1e-2 and 1.2e-4 to 1.7e-2.
MAX_ERROR, L2_ERROR = 2e-5, 5e-6


def direct(x, k):
    return lax.conv_general_dilated(x, k, (1, 1), "SAME", dimension_numbers=DIMS)


def value_and_image_gradient(conv, x, k, g):
    y, vjp = jax.vjp(lambda x: conv(x, k), x)
    return y, vjp(g)[0]


def errors(got, want):
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    d = got - want
    return np.abs(d).max() / np.abs(want).max(), np.linalg.norm(d) / np.linalg.norm(want)


# Post-ReLU pixels and He-scaled kernels, as in VGG; sides that are and are not multiples of 4.
@pytest.mark.parametrize("shape", [(2, 9, 14, 32), (1, 16, 16, 64)])
def test_float32_winograd_is_as_close_to_float64_as_xla_float32(shape):
    rng = np.random.default_rng(shape[-1])
    x = np.maximum(rng.normal(size=shape), 0)
    k = rng.normal(size=(3, 3, shape[-1], 48)) * np.sqrt(2 / (9 * shape[-1]))
    g = rng.normal(size=shape[:3] + (48,))
    with jax.enable_x64(True):
        want = value_and_image_gradient(direct, *(jnp.asarray(a, jnp.float64) for a in (x, k, g)))
        x32, k32, g32 = (jnp.asarray(a, jnp.float32) for a in (x, k, g))
        ours = jax.jit(value_and_image_gradient, static_argnums=0)(winograd.conv3x3, x32, k32, g32)
        xla = jax.jit(value_and_image_gradient, static_argnums=0)(direct, x32, k32, g32)
    for name, o, a, w in zip(("value", "image gradient"), ours, xla, want):
        assert o.dtype == jnp.float32
        (largest, l2), (xla_largest, xla_l2) = errors(o, w), errors(a, w)
        assert largest < MAX_ERROR and l2 < L2_ERROR, (name, largest, l2, "XLA float32:", xla_largest, xla_l2)
