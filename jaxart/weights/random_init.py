"""Randomly initialised VGG weights (He et al. 2015) from a PRNG key, for tests and benchmarks: no file."""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np

from jaxart.counts import check_count
from jaxart.errors import given
from jaxart.layers import CHANNELS, check_layers, conv_names
from jaxart.vgg import Preprocess, Weights


@functools.partial(jax.jit, static_argnums=(1, 2))
def _he_params(key: jax.Array, arch: str, widths: tuple[int, ...]) -> dict:
    """`random_weights`' parameters from one normal draw: XLA:CPU compiles each distinct draw for
    about 0.6 s, so one per layer made a tiny VGG take ~10 s before its first use."""
    names = conv_names(arch)
    cout = [widths[int(name[4]) - 1] for name in names]
    shapes = [(3, 3, cin, c) for cin, c in zip([3, *cout[:-1]], cout)]
    draw = jax.random.normal(key, (sum(math.prod(s) for s in shapes),), jnp.float32)
    params, start = {}, 0
    for name, shape in zip(names, shapes):
        size = math.prod(shape)
        std = (2.0 / (9 * shape[2])) ** 0.5
        kernel = std * draw[start:start + size].reshape(shape)
        params[name] = {"kernel": kernel, "bias": jnp.zeros(shape[-1:], jnp.float32)}
        start += size
    return params


def random_weights(
    key: jax.Array,
    arch: str = "vgg19",
    preprocess: Preprocess = Preprocess(),
    widths: Sequence[int] = CHANNELS,
) -> Weights:
    """He-initialised weights for tests and benchmarks; narrow `widths` (one per stage) give a tiny VGG.

    Args:
      key: a PRNG key (`jax.random.PRNGKey(0)` or `jax.random.key(0)`).
      arch: "vgg16" or "vgg19".
      preprocess: what `features` applies to RGB in [0, 1] (caffe's by default).
      widths: five channel counts, one per stage (VGG's are (64, 128, 256, 512, 512)).

    Returns:
      A `Weights` named "random-{arch}": float32 (3, 3, Cin, Cout) kernels drawn from
      N(0, 2 / (9 Cin)) and zero (Cout,) biases for every convolution.
    """
    if isinstance(key, numbers.Integral):  # else JAX's "invalid PRNG key data: ... got ndim=0"
        raise TypeError(f"key is the int {key}; give a PRNG key, jax.random.PRNGKey({key}) or jax.random.key({key})")
    if not isinstance(key, (jax.Array, np.ndarray)):  # None or a list was JAX's "unexpected PRNG key type"
        raise TypeError(f"key is {given(key)}; give a PRNG key, "
                        "jax.random.PRNGKey(0) or jax.random.key(0)")
    try:  # objects, strings, floats or a shape of no key were "Error interpreting argument to _he_params"
        typed = jax.dtypes.issubdtype(key.dtype, jax.dtypes.prng_key)
        one = key if typed else jax.eval_shape(jax.random.wrap_key_data, key)  # shapes only: nothing compiled
    except TypeError:
        one = None
    if one is None or one.shape != ():
        raise TypeError(f"key is an array of {key.dtype} of shape {key.shape}, not one PRNG key; give one, "
                        "jax.random.PRNGKey(0) or jax.random.key(0) "
                        "(for several, jax.vmap random_weights over a split key)")
    check_layers(arch, ())  # names an unknown arch
    if not isinstance(preprocess, Preprocess):  # a name such as "caffe" failed inside `features`
        raise TypeError(f"preprocess must be a jaxart.Preprocess, such as Preprocess() (caffe's), got {preprocess!r}")
    if not hasattr(widths, "__len__") or len(widths) != len(CHANNELS):
        raise ValueError(f"widths must be {len(CHANNELS)} channel counts, one per stage, such as {CHANNELS}; "
                         f"got {widths!r}")
    counts = []
    for c in widths:  # counts' rule: True was a 1-channel stage, a concrete JAX 8 refused
        try:
            counts.append(check_count("width", c, 1, "channels"))
        except ValueError:  # five were given: name the one that is no count, not the number of them
            raise ValueError(f"widths must be whole numbers of channels >= 1, such as {CHANNELS}; "
                             f"got {widths!r}, where {c!r} is not") from None
    params = _he_params(key, arch, tuple(counts))
    return Weights(params=params, arch=arch, preprocess=preprocess, name=f"random-{arch}")
